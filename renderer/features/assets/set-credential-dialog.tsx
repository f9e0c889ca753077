import { useEffect, useState } from 'react';
import { Link } from 'react-router';

import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { SelectField } from '../../components/field';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';

import { useCredentialsStore } from './credentials.store';

/** Hosts updated at the same time; each is one audited command. */
const PARALLEL = 4;

/** Props of SetCredentialDialog. */
export type SetCredentialDialogProps = {
  hostIds: readonly string[];
  onClose: () => void;
  onDone?: () => void;
};

/**
 * Gives every selected host the same credential, e.g. after an import (imported hosts start
 * without one). Each host is changed on its own, so each change is in the audit log.
 */
export function SetCredentialDialog({ hostIds, onClose, onDone }: SetCredentialDialogProps) {
  const credentials = useCredentialsStore((s) => s.credentials);
  const status = useCredentialsStore((s) => s.status);
  const load = useCredentialsStore((s) => s.load);
  const [credentialId, setCredentialId] = useState('');
  const [progress, setProgress] = useState<{ done: number; failed: number }>();
  const running = progress !== undefined && progress.done + progress.failed < hostIds.length;

  useEffect(() => {
    void load();
  }, [load]);

  const apply = async () => {
    setProgress({ done: 0, failed: 0 });
    const queue = [...hostIds];
    let done = 0;
    let failed = 0;
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const hostId = id;
        const saved = await runAction('Setting the credential', () =>
          api.call('hosts.update', { hostId, credentialId: credentialId || null }),
        );
        if (saved) done++;
        else failed++;
        setProgress({ done, failed });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, hostIds.length) }, worker));
    if (failed === 0) {
      const name = credentials.find((c) => c.id === credentialId)?.name ?? 'the SSH agent';
      notifySuccess(
        `${done.toLocaleString()} host${done === 1 ? '' : 's'} now log in with ${name}`,
      );
      onDone?.();
      onClose();
    }
  };

  const count = hostIds.length;
  return (
    <Dialog
      title="Set credential"
      description={`How PatchDeck logs in to the ${count.toLocaleString()} selected host${count === 1 ? '' : 's'}.`}
      onClose={onClose}
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void apply();
        }}
      >
        <SelectField
          label="Credential"
          value={credentialId}
          onChange={(e) => setCredentialId(e.target.value)}
          disabled={running}
          data-autofocus
          hint={
            status === 'ready' && credentials.length === 0 ? (
              <>
                No credentials yet: add one in{' '}
                <Link to="/settings/credentials">Settings → Credentials</Link>.
              </>
            ) : (
              'Stored credentials are managed in Settings → Credentials.'
            )
          }
        >
          <option value="">SSH agent of this machine</option>
          {credentials.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </SelectField>
        {progress && (
          <div className="form">
            <div
              className="progress"
              role="progressbar"
              aria-label="Hosts updated"
              aria-valuemin={0}
              aria-valuemax={count}
              aria-valuenow={progress.done + progress.failed}
            >
              <span
                className="progress-fill"
                style={{ width: `${((progress.done + progress.failed) / count) * 100}%` }}
              />
            </div>
            <p aria-live="polite">
              {progress.done.toLocaleString()} of {count.toLocaleString()} updated
              {progress.failed > 0 &&
                `; ${progress.failed.toLocaleString()} failed (see the notifications)`}
              .
            </p>
          </div>
        )}
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={running}>
            {progress && !running ? 'Close' : 'Cancel'}
          </Button>
          <Button type="submit" variant="primary" busy={running} busyLabel="Updating…">
            Set credential
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
