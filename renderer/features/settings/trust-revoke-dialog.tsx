import { useState, type FormEvent } from 'react';

import type { Publisher } from '../../../shared/api/ops/bundles';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import type { UserFacingError } from '../../lib/error-messages';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';

/** Props of TrustRevokeDialog. */
export type TrustRevokeDialogProps = {
  publisher: Publisher;
  keyid: string;
  onClose: () => void;
  onRevoked: () => void;
};

const MIN_REASON = 3;

/** Asks before revoking a publisher key, says what stops working, and records the reason. */
export function TrustRevokeDialog({
  publisher,
  keyid,
  onClose,
  onRevoked,
}: TrustRevokeDialogProps) {
  const key = publisher.keys.find((k) => k.keyid === keyid);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);
  if (!key) return null;

  const activeTargets = publisher.keys.filter(
    (k) => k.status === 'active' && k.roles.includes('targets'),
  );
  const leavesTooFew =
    key.roles.includes('targets') && activeTargets.length - 1 < publisher.targetsThreshold;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    if (reason.trim().length < MIN_REASON) {
      setReasonError('Say why, for the audit log (for example "laptop with the key was stolen").');
      return;
    }
    setReasonError(undefined);
    setBusy(true);
    const done = await runAction(
      'Revoking a publisher key',
      () => api.call('trust.revokeKey', { keyid, reason: reason.trim() }),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (done) {
      notifySuccess(
        'Key revoked',
        `Signatures by this key no longer count for ${publisher.publisher}.`,
      );
      onRevoked();
      onClose();
    }
  };

  return (
    <Dialog
      title={`Revoke a key of ${publisher.publisher}?`}
      onClose={onClose}
      alert
      description={
        <>
          <p>
            Key <code className="fingerprint-inline">{key.fingerprint}</code> (
            {key.roles.join(' and ')}) will no longer count for any bundle or root from{' '}
            {publisher.publisher}. Bundles already imported stay, with their verification report.
          </p>
          {leavesTooFew ? (
            <p className="notice notice-warn">
              This leaves {activeTargets.length - 1} active bundle-signing{' '}
              {activeTargets.length - 1 === 1 ? 'key' : 'keys'} where {publisher.targetsThreshold}{' '}
              must sign: no new bundle from {publisher.publisher} can be imported until the
              publisher rotates its root with new keys.
            </p>
          ) : (
            <p>New bundles must then be signed by the publisher&apos;s other keys.</p>
          )}
          <p>Revoking cannot be undone here; it is recorded in the audit log with your reason.</p>
        </>
      }
    >
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <FormError error={failure} />
        <TextField
          label="Reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={reasonError}
          maxLength={500}
        />
        <div className="dialog-actions">
          <Button onClick={onClose} data-autofocus disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" busy={busy} busyLabel="Revoking…">
            Revoke key
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
