import { useId, useState, type ReactNode } from 'react';

import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { LoadingState } from '../../components/empty-state';
import { FormError } from '../../components/form-error';
import type { UserFacingError } from '../../lib/error-messages';
import { can } from '../../lib/permissions';
import { useSessionStore } from '../auth/session.store';

import { useHostKeyReviewStore, type HostKeyCase } from './host-key-review.store';

/** The file on a Linux host that holds its public key of this type. */
export function hostKeyFileFor(keyType: string): string {
  if (keyType.includes('ed25519')) return '/etc/ssh/ssh_host_ed25519_key.pub';
  if (keyType.startsWith('ecdsa')) return '/etc/ssh/ssh_host_ecdsa_key.pub';
  if (keyType.includes('rsa')) return '/etc/ssh/ssh_host_rsa_key.pub';
  return '/etc/ssh/ssh_host_ed25519_key.pub';
}

function Fingerprint({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="fingerprint">
      <span className="fingerprint-label">{label}</span>
      <code className="fingerprint-value" data-testid={testId}>
        {value}
      </code>
    </div>
  );
}

function HowToCheck({ c }: { c: HostKeyCase }) {
  return (
    <div className="key-check">
      <p>
        <strong>Check it on the host</strong> (at its console, or from the record of how it was
        built), never over the same network path:
      </p>
      <pre className="command">ssh-keygen -lf {hostKeyFileFor(c.keyType)}</pre>
      <p className="muted">
        The line it prints must show exactly the same <code>SHA256:</code> value.
      </p>
    </div>
  );
}

function AcceptForm({ c, onClose }: { c: HostKeyCase; onClose: () => void }) {
  const accept = useHostKeyReviewStore((s) => s.accept);
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UserFacingError>();
  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        setFailure(undefined);
        void accept(c, setFailure).then(() => setBusy(false));
      }}
    >
      <FormError error={failure} />
      <label className="choice">
        <input
          type="checkbox"
          checked={checked}
          onChange={(e) => setChecked(e.target.checked)}
          data-autofocus
        />
        <span className="choice-label">
          I compared this fingerprint with the one on the host, and they are the same.
        </span>
      </label>
      <div className="dialog-actions">
        <Button onClick={onClose} disabled={busy}>
          Not now
        </Button>
        <Button
          type="submit"
          variant="primary"
          disabled={!checked}
          busy={busy}
          busyLabel="Pinning…"
        >
          Accept and pin key
        </Button>
      </div>
    </form>
  );
}

function RepinForm({ c, onClose }: { c: HostKeyCase; onClose: () => void }) {
  const repin = useHostKeyReviewStore((s) => s.repin);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<UserFacingError>();
  const reasonId = useId();
  return (
    <form
      className="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setFailure(undefined);
        if (reason.trim().length < 3) {
          setError('Say why the key changed (for example "host rebuilt, change CHG-1234").');
          return;
        }
        setError(undefined);
        setBusy(true);
        void repin(c, reason.trim(), setFailure).then(() => setBusy(false));
      }}
    >
      <FormError error={failure} />
      <div className={error ? 'field field-invalid' : 'field'}>
        <label htmlFor={reasonId}>Why did the key change?</label>
        <textarea
          id={reasonId}
          rows={2}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${reasonId}-error` : `${reasonId}-hint`}
        />
        {error ? (
          <p id={`${reasonId}-error`} className="field-error">
            {error}
          </p>
        ) : (
          <p id={`${reasonId}-hint`} className="field-hint">
            Recorded in the audit log with your name, e.g. the change ticket of the rebuild.
          </p>
        )}
      </div>
      <div className="dialog-actions">
        <Button onClick={onClose} disabled={busy} data-autofocus>
          Cancel
        </Button>
        <Button type="submit" variant="danger" busy={busy} busyLabel="Re-pinning…">
          Re-pin key
        </Button>
      </div>
    </form>
  );
}

/** Props of HostKeyDialog. */
export type HostKeyDialogProps = { hostKey: HostKeyCase; onClose: () => void };

/**
 * One host key put before the operator: the host, its address, the key type and fingerprint,
 * how to check it on the host, and the decision the operator's role allows.
 */
export function HostKeyDialog({ hostKey: c, onClose }: HostKeyDialogProps) {
  const operator = useSessionStore((s) => s.operator);
  const target = `${c.address}:${c.port}`;
  const title =
    c.kind === 'changed'
      ? `Host key CHANGED: ${c.hostName}`
      : c.kind === 'revoked'
        ? `Revoked host key: ${c.hostName}`
        : c.kind === 'trusted'
          ? `Host key of ${c.hostName}`
          : `New host key: ${c.hostName}`;

  return (
    <Dialog title={title} onClose={onClose} wide alert={c.kind === 'changed'}>
      <dl className="detail-list key-facts">
        <dt>Host</dt>
        <dd>{c.hostName}</dd>
        <dt>Address</dt>
        <dd>
          <code>{target}</code>
        </dd>
        <dt>Key type</dt>
        <dd>
          <code data-testid="host-key-type">{c.keyType}</code>
        </dd>
      </dl>

      {c.kind === 'changed' ? (
        <>
          <div className="banner banner-danger" role="alert">
            <div className="banner-text">
              <p className="banner-title">
                This host presents a different key from the one PatchDeck pinned.
              </p>
              <p>
                This is what a <strong>man-in-the-middle attack</strong> looks like. It is also what
                a rebuilt or reinstalled host looks like. No credentials were sent. Do not re-pin
                until the host owner has confirmed the change.
              </p>
            </div>
          </div>
          <Fingerprint
            label="Pinned (trusted until now)"
            value={c.pinnedFingerprint ?? 'unknown'}
            testId="pinned-fingerprint"
          />
          <Fingerprint label="Presented now" value={c.fingerprint} testId="host-key-fingerprint" />
        </>
      ) : (
        <Fingerprint
          label={c.kind === 'trusted' ? 'Pinned fingerprint' : 'Fingerprint presented'}
          value={c.fingerprint}
          testId="host-key-fingerprint"
        />
      )}

      {c.kind === 'unknown' && (
        <>
          <p>
            PatchDeck has never connected to this host. It stopped before sending any credentials.
            Trust the key only once you know it is the host's own.
          </p>
          <HowToCheck c={c} />
          {can(operator, 'hostkeys.accept') ? (
            <AcceptForm c={c} onClose={onClose} />
          ) : (
            <WhoCan onClose={onClose}>
              Your roles cannot trust host keys. A technician or an administrator can accept it
              after checking the fingerprint.
            </WhoCan>
          )}
        </>
      )}

      {c.kind === 'changed' && (
        <>
          <HowToCheck c={c} />
          {can(operator, 'hostkeys.repin') ? (
            <RepinForm c={c} onClose={onClose} />
          ) : (
            <WhoCan onClose={onClose}>
              <strong>Only an administrator can re-pin a changed key.</strong> Ask an administrator
              to confirm the change with the host owner and re-pin it. Until then PatchDeck will not
              connect to this host.
            </WhoCan>
          )}
        </>
      )}

      {c.kind === 'revoked' && (
        <WhoCan onClose={onClose}>
          This key is on the revoked list, so PatchDeck will never trust it. Have the host owner
          generate a new host key, then accept the new one.
        </WhoCan>
      )}

      {c.kind === 'trusted' && (
        <WhoCan onClose={onClose}>
          This is the key PatchDeck has pinned for {target}. Nothing needs deciding.
        </WhoCan>
      )}
    </Dialog>
  );
}

function WhoCan({ children, onClose }: { children: ReactNode; onClose: () => void }) {
  return (
    <>
      <p className="notice" data-testid="host-key-who-can">
        {children}
      </p>
      <div className="dialog-actions">
        <Button onClick={onClose} data-autofocus>
          Close
        </Button>
      </div>
    </>
  );
}

/** The host-key dialog wherever it was asked for (pending list, scan failure, host page). */
export function HostKeyReview() {
  const current = useHostKeyReviewStore((s) => s.current);
  const loadingHostId = useHostKeyReviewStore((s) => s.loadingHostId);
  const close = useHostKeyReviewStore((s) => s.close);
  if (current) return <HostKeyDialog hostKey={current} onClose={close} />;
  if (loadingHostId) {
    return (
      <Dialog title="Host key" onClose={close}>
        <LoadingState label="Asking the host for its SSH key…" />
      </Dialog>
    );
  }
  return null;
}
