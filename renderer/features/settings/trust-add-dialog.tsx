import { useState, type FormEvent } from 'react';

import type { Inspection } from '../../../shared/api/ops/bundles';
import { normaliseFingerprint } from '../../../shared/domain/bundle-manifest';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import type { UserFacingError } from '../../lib/error-messages';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';

/** Props of TrustAddDialog. */
export type TrustAddDialogProps = { onClose: () => void; onAdded: () => void };

/**
 * Adds a publisher: read its root file, show the root keys' fingerprints, and trust it only when
 * the operator types the fingerprint they received from the publisher by another channel.
 */
export function TrustAddDialog({ onClose, onAdded }: TrustAddDialogProps) {
  const [path, setPath] = useState('');
  const [pathError, setPathError] = useState<string>();
  const [root, setRoot] = useState<Inspection>();
  const [typed, setTyped] = useState('');
  const [typedError, setTypedError] = useState<string>();
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);

  const read = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    if (!path.trim()) {
      setPathError('Type the path of the root file (for example 1.root.json) or of a bundle.');
      return;
    }
    setPathError(undefined);
    setBusy(true);
    const found = await runAction(
      'Reading the publisher root',
      () => api.call('bundles.inspect', { source: path.trim() }),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (found) setRoot(found);
  };

  const rootKeys = root?.rootKeys.filter((k) => k.roles.includes('root')) ?? [];

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const wanted = normaliseFingerprint(typed);
    if (!wanted) {
      setTypedError('Type or paste the fingerprint the publisher gave you.');
      return;
    }
    if (!rootKeys.some((k) => normaliseFingerprint(k.fingerprint) === wanted)) {
      setTypedError(
        'This does not match any root key shown above. Do not trust this file: check the fingerprint with the publisher again.',
      );
      return;
    }
    setTypedError(undefined);
    setBusy(true);
    const added = await runAction(
      'Adding a trusted publisher',
      () =>
        api.call('trust.addPublisher', { rootPath: path.trim(), confirmFingerprint: typed.trim() }),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (added) {
      notifySuccess(
        `${added.publisher} is now trusted`,
        `Root version ${added.rootVersion}; its bundles can be imported.`,
      );
      onAdded();
      onClose();
    }
  };

  return (
    <Dialog title="Add a trusted publisher" onClose={onClose} wide>
      {!root && (
        <form className="form" onSubmit={(e) => void read(e)} noValidate>
          <FormError error={failure} />
          <p>
            A publisher is trusted through its root file, which names its keys. Read the file from
            the media first; nothing is trusted until you confirm a fingerprint.
          </p>
          <TextField
            label="Path to the publisher's root file"
            placeholder="/media/usb/acme-security/1.root.json"
            value={path}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setPath(e.target.value)}
            error={pathError}
            hint="A root file (N.root.json), or a bundle folder or .tar that carries one."
          />
          <div className="dialog-actions">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" busy={busy} busyLabel="Reading…">
              Read root file
            </Button>
          </div>
        </form>
      )}
      {root && (
        <form className="form" onSubmit={(e) => void confirm(e)} noValidate>
          <FormError error={failure} />
          <dl className="detail-list detail-list-narrow">
            <dt>Publisher</dt>
            <dd>
              <strong>{root.publisher}</strong>{' '}
              {root.trustedRootVersion !== null && (
                <Badge tone="info">Already trusted at root v{root.trustedRootVersion}</Badge>
              )}
            </dd>
            <dt>Root version</dt>
            <dd>{root.rootVersion}</dd>
          </dl>
          <div className="fingerprint">
            <span className="fingerprint-label">
              Root key {rootKeys.length === 1 ? 'fingerprint' : 'fingerprints'} in this file
            </span>
            {rootKeys.map((k) => (
              <code key={k.keyid} className="fingerprint-value" data-testid="root-fingerprint">
                {k.fingerprint}
              </code>
            ))}
          </div>
          <p className="notice notice-warn">
            Compare with the fingerprint the publisher gave you by another channel (a letter, a
            phone call, their signed contract), not with anything on the same media. Then type or
            paste it below.
          </p>
          <TextField
            label="Fingerprint received from the publisher"
            placeholder="ABCD 1234 …"
            value={typed}
            spellCheck={false}
            autoComplete="off"
            className="fingerprint-input"
            onChange={(e) => setTyped(e.target.value)}
            error={typedError}
            hint="Spaces, colons and letter case do not matter."
          />
          <div className="dialog-actions">
            <Button
              onClick={() => {
                setRoot(undefined);
                setTyped('');
                setTypedError(undefined);
              }}
            >
              Back
            </Button>
            <Button type="submit" variant="primary" busy={busy} busyLabel="Adding…">
              Trust {root.publisher}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
