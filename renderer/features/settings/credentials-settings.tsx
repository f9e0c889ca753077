import { useEffect, useState } from 'react';

import type { Credential } from '../../../shared/domain/assets';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/dialog';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import { useFormSubmit, type FieldErrors } from '../../components/use-form-submit';
import { can } from '../../lib/permissions';
import { useCredentialsStore, type VaultStatus } from '../assets/credentials.store';
import { useSessionStore } from '../auth/session.store';

import { CredentialFormDialog } from './credentials-form-dialog';

const MIN_VAULT_PASSPHRASE = 12;

function VaultSetupForm() {
  const setupVault = useCredentialsStore((s) => s.setupVault);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const { errors, failure, busy, onSubmit } = useFormSubmit<'passphrase' | 'confirm'>({
    validate: () => {
      const found: FieldErrors<'passphrase' | 'confirm'> = {};
      if (passphrase.length < MIN_VAULT_PASSPHRASE) {
        found.passphrase = `Use at least ${MIN_VAULT_PASSPHRASE} characters; a few unrelated words work well.`;
      }
      if (confirm !== passphrase) found.confirm = 'The two passphrases are not the same.';
      return found;
    },
    send: async (onError) => {
      await setupVault(passphrase, onError);
      return false;
    },
  });
  return (
    <form className="form form-narrow" onSubmit={onSubmit} noValidate aria-label="Set up the vault">
      <FormError error={failure} />
      <TextField
        label="Vault passphrase"
        type="password"
        autoComplete="new-password"
        value={passphrase}
        onChange={(e) => setPassphrase(e.target.value)}
        error={errors.passphrase}
      />
      <TextField
        label="Confirm vault passphrase"
        type="password"
        autoComplete="new-password"
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
        error={errors.confirm}
      />
      <div className="form-row">
        <Button type="submit" variant="primary" busy={busy} busyLabel="Setting up…">
          Set up vault
        </Button>
      </div>
    </form>
  );
}

function VaultUnlockForm() {
  const unlockVault = useCredentialsStore((s) => s.unlockVault);
  const [passphrase, setPassphrase] = useState('');
  const { errors, failure, busy, onSubmit } = useFormSubmit<'passphrase'>({
    validate: () => (passphrase ? {} : { passphrase: 'Enter the vault passphrase.' }),
    send: async (onError) => {
      const ok = await unlockVault(passphrase, onError);
      if (ok) setPassphrase('');
      return false;
    },
  });
  return (
    <form className="form form-narrow" onSubmit={onSubmit} noValidate aria-label="Unlock the vault">
      <FormError error={failure} />
      <TextField
        label="Vault passphrase"
        type="password"
        autoComplete="current-password"
        value={passphrase}
        onChange={(e) => setPassphrase(e.target.value)}
        error={errors.passphrase}
      />
      <div className="form-row">
        <Button type="submit" variant="primary" busy={busy} busyLabel="Unlocking…">
          Unlock vault
        </Button>
      </div>
    </form>
  );
}

function VaultPanel({ vault }: { vault: VaultStatus | undefined }) {
  const operator = useSessionStore((s) => s.operator);
  const lockVault = useCredentialsStore((s) => s.lockVault);
  const [locking, setLocking] = useState(false);
  return (
    <section className="card vault-card" aria-labelledby="vault-title" data-testid="vault">
      <h3 id="vault-title">
        Vault{' '}
        {vault &&
          (!vault.initialized ? (
            <Badge tone="neutral">Not set up</Badge>
          ) : vault.unlocked ? (
            <Badge tone="ok">Unlocked</Badge>
          ) : (
            <Badge tone="warn">Locked</Badge>
          ))}
      </h3>
      {!vault && <LoadingState label="Reading the vault status…" />}
      {vault && !vault.initialized && (
        <>
          <p>
            Key passphrases and passwords are encrypted under a key derived from the vault
            passphrase; they are never written in plain text. Credentials that use only a key file
            without a passphrase, or the SSH agent, work without the vault.
          </p>
          {can(operator, 'credentials.manage') ? (
            <VaultSetupForm />
          ) : (
            <p className="notice">An administrator sets up the vault.</p>
          )}
        </>
      )}
      {vault?.initialized && !vault.unlocked && (
        <>
          <p>
            The vault is locked: hosts whose credential needs a stored passphrase or password cannot
            be scanned until it is unlocked.
          </p>
          {can(operator, 'hosts.scan') ? (
            <VaultUnlockForm />
          ) : (
            <p className="notice">A technician or administrator can unlock it.</p>
          )}
        </>
      )}
      {vault?.initialized && vault.unlocked && (
        <div className="form-row">
          <p>Stored secrets can be used until the vault is locked or PatchDeck stops.</p>
          <Button
            size="small"
            busy={locking}
            busyLabel="Locking…"
            onClick={() => {
              setLocking(true);
              void lockVault().then(() => setLocking(false));
            }}
          >
            Lock vault
          </Button>
        </div>
      )}
    </section>
  );
}

function CredentialsTable({
  credentials,
  editable,
  onEdit,
  onDelete,
}: {
  credentials: Credential[];
  editable: boolean;
  onEdit: (c: Credential) => void;
  onDelete: (c: Credential) => void;
}) {
  const sorted = [...credentials].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="Credentials">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Logs in with</th>
            <th scope="col">Secrets</th>
            <th scope="col">sudo</th>
            <th scope="col">Used by</th>
            {editable && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {sorted.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.name}</th>
              <td>
                {c.kind === 'key' && (
                  <>
                    Key file <code className="path">{c.keyPath}</code>
                  </>
                )}
                {c.kind === 'agent' && (
                  <>SSH agent{c.agentSocket && <code className="path"> {c.agentSocket}</code>}</>
                )}
                {c.kind === 'password' && 'Password'}
              </td>
              <td>
                {c.hasPassphrase && <Badge tone="ok">Passphrase stored</Badge>}{' '}
                {c.hasPassword && <Badge tone="ok">Password stored</Badge>}{' '}
                {c.hasSudoPassword && <Badge tone="ok">sudo password stored</Badge>}
                {!c.hasPassphrase && !c.hasPassword && !c.hasSudoPassword && (
                  <span className="muted">None</span>
                )}
              </td>
              <td>
                {c.sudo === 'nopasswd'
                  ? 'No password'
                  : c.sudo === 'password'
                    ? 'Password'
                    : 'None'}
              </td>
              <td>
                {c.usedBy.toLocaleString()} host{c.usedBy === 1 ? '' : 's'}
              </td>
              {editable && (
                <td className="row-actions">
                  <Button
                    size="small"
                    variant="ghost"
                    aria-label={`Edit ${c.name}`}
                    onClick={() => onEdit(c)}
                  >
                    Edit
                  </Button>
                  <Button
                    size="small"
                    variant="ghost"
                    aria-label={`Delete ${c.name}`}
                    onClick={() => onDelete(c)}
                  >
                    Delete
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type OpenDialog = { kind: 'create' } | { kind: 'edit' | 'delete'; credential: Credential };

/** Settings → Credentials: how PatchDeck logs in to hosts, and the vault that guards secrets. */
export function CredentialsSettings() {
  const operator = useSessionStore((s) => s.operator);
  const credentials = useCredentialsStore((s) => s.credentials);
  const status = useCredentialsStore((s) => s.status);
  const vault = useCredentialsStore((s) => s.vault);
  const load = useCredentialsStore((s) => s.load);
  const loadVault = useCredentialsStore((s) => s.loadVault);
  const remove = useCredentialsStore((s) => s.remove);
  const [dialog, setDialog] = useState<OpenDialog>();
  const [deleting, setDeleting] = useState(false);
  const editable = can(operator, 'credentials.manage');

  useEffect(() => {
    void load();
    void loadVault();
  }, [load, loadVault]);

  return (
    <section aria-labelledby="credentials-title" className="credentials-settings">
      <header className="section-header">
        <div>
          <h2 id="credentials-title">Credentials</h2>
          <p className="muted">
            How PatchDeck logs in to hosts over SSH. Secrets are write-only: once saved they are
            never shown again, only whether one is stored.
          </p>
        </div>
        {editable && (
          <Button variant="primary" onClick={() => setDialog({ kind: 'create' })}>
            New credential
          </Button>
        )}
      </header>
      <VaultPanel vault={vault} />
      {status === 'loading' && credentials.length === 0 && (
        <LoadingState label="Loading credentials…" />
      )}
      {status === 'error' && (
        <EmptyState
          title="The credentials could not be loaded"
          actions={<Button onClick={() => void load()}>Try again</Button>}
        />
      )}
      {status === 'ready' && credentials.length === 0 && (
        <EmptyState title="No credentials yet">
          <p>
            Without a credential PatchDeck uses the SSH agent of this machine. Add one for the
            service account your hosts use, e.g. a key file for <code>patchsvc</code>.
          </p>
          {!editable && <p>Administrators manage credentials.</p>}
        </EmptyState>
      )}
      {credentials.length > 0 && (
        <CredentialsTable
          credentials={credentials}
          editable={editable}
          onEdit={(credential) => setDialog({ kind: 'edit', credential })}
          onDelete={(credential) => setDialog({ kind: 'delete', credential })}
        />
      )}
      {dialog?.kind === 'create' && <CredentialFormDialog onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'edit' && (
        <CredentialFormDialog credential={dialog.credential} onClose={() => setDialog(undefined)} />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete credential "${dialog.credential.name}"?`}
          confirmLabel="Delete credential"
          busyLabel="Deleting…"
          tone="danger"
          busy={deleting}
          onClose={() => setDialog(undefined)}
          onConfirm={() => {
            setDeleting(true);
            void remove(dialog.credential).then(() => {
              setDeleting(false);
              setDialog(undefined);
            });
          }}
        >
          <p>
            {dialog.credential.usedBy > 0
              ? `${dialog.credential.usedBy.toLocaleString()} host${dialog.credential.usedBy === 1 ? ' uses' : 's use'} it; they fall back to the SSH agent until given another credential.`
              : 'No host uses it.'}{' '}
            Its stored secrets are erased.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
