import { useState } from 'react';

import type { OpInput } from '../../../shared/api/contract';
import { CREDENTIAL_KINDS, SUDO_MODES, type Credential } from '../../../shared/domain/assets';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import { useFormSubmit, type FieldErrors } from '../../components/use-form-submit';
import type { UserFacingError } from '../../lib/error-messages';
import { useCredentialsStore } from '../assets/credentials.store';

type Kind = (typeof CREDENTIAL_KINDS)[number];
type Sudo = (typeof SUDO_MODES)[number];
type Field = 'name' | 'keyPath' | 'agentSocket' | 'password' | 'sudoPassword';

const KIND_LABELS: Readonly<Record<Kind, { label: string; hint: string }>> = {
  key: { label: 'Private key file', hint: 'An OpenSSH private key on this machine.' },
  agent: { label: 'SSH agent', hint: 'Keys held by a running ssh-agent on this machine.' },
  password: { label: 'Password', hint: 'Only where the hosts allow password logins.' },
};

const SUDO_LABELS: Readonly<Record<Sudo, { label: string; hint: string }>> = {
  nopasswd: {
    label: 'sudo without a password',
    hint: 'The account has a NOPASSWD sudoers rule (recommended).',
  },
  password: {
    label: 'sudo with a password',
    hint: 'Sent to sudo on its standard input, never on a command line.',
  },
  none: { label: 'No sudo', hint: 'The account is root, or only reads are needed.' },
};

/** A secret input: never pre-filled; says whether a value is stored and that blank keeps it. */
function SecretField({
  label,
  stored,
  value,
  onChange,
  error,
  optional,
}: {
  label: string;
  stored: boolean;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  optional?: boolean;
}) {
  return (
    <TextField
      label={label}
      type="password"
      autoComplete="new-password"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint={
        stored ? (
          <>
            <Badge tone="ok">Stored</Badge> Leave blank to keep the stored value; type to replace
            it.
          </>
        ) : optional ? (
          'Optional. Stored encrypted in the vault; never shown again.'
        ) : (
          'Stored encrypted in the vault; never shown again.'
        )
      }
    />
  );
}

/** Props of CredentialFormDialog. */
export type CredentialFormDialogProps = { credential?: Credential; onClose: () => void };

/**
 * Create or change a stored credential. Secrets are write-only: the form never receives them,
 * it only learns whether one is stored.
 */
export function CredentialFormDialog({ credential, onClose }: CredentialFormDialogProps) {
  const create = useCredentialsStore((s) => s.create);
  const update = useCredentialsStore((s) => s.update);
  const editing = credential !== undefined;
  const [name, setName] = useState(credential?.name ?? '');
  const [kind, setKind] = useState<Kind>(credential?.kind ?? 'key');
  const [keyPath, setKeyPath] = useState(credential?.keyPath ?? '');
  const [agentSocket, setAgentSocket] = useState(credential?.agentSocket ?? '');
  const [passphrase, setPassphrase] = useState('');
  const [password, setPassword] = useState('');
  const [sudo, setSudo] = useState<Sudo>(credential?.sudo ?? 'nopasswd');
  const [sudoPassword, setSudoPassword] = useState('');

  const validate = (): FieldErrors<Field> => {
    const found: FieldErrors<Field> = {};
    if (!name.trim()) found.name = 'Give the credential a name, e.g. "patchsvc on line 3".';
    if (kind === 'key' && !keyPath.trim()) {
      found.keyPath = 'Enter the path of the private key file on this machine.';
    }
    if (kind === 'password' && !password && !credential?.hasPassword) {
      found.password = 'Enter the password.';
    }
    if (sudo === 'password' && !sudoPassword && !credential?.hasSudoPassword) {
      found.sudoPassword = 'Enter the sudo password, or choose sudo without a password.';
    }
    return found;
  };

  const send = async (onError: (error: UserFacingError) => void) => {
    const secrets = {
      ...(kind === 'key' && passphrase ? { passphrase } : {}),
      ...(kind === 'password' && password ? { password } : {}),
      ...(sudo === 'password' && sudoPassword ? { sudoPassword } : {}),
    };
    let saved: Credential | undefined;
    if (editing) {
      const input: OpInput<'credentials.update'> = {
        credentialId: credential.id,
        ...(name.trim() !== credential.name ? { name: name.trim() } : {}),
        ...(kind === 'key' && keyPath.trim() !== (credential.keyPath ?? '')
          ? { keyPath: keyPath.trim() }
          : {}),
        ...(kind === 'agent' && agentSocket.trim() && agentSocket.trim() !== credential.agentSocket
          ? { agentSocket: agentSocket.trim() }
          : {}),
        ...(sudo !== credential.sudo ? { sudo } : {}),
        ...secrets,
      };
      saved = await update(input, onError);
    } else {
      saved = await create(
        {
          name: name.trim(),
          kind,
          ...(kind === 'key' ? { keyPath: keyPath.trim() } : {}),
          ...(kind === 'agent' && agentSocket.trim() ? { agentSocket: agentSocket.trim() } : {}),
          sudo,
          ...secrets,
        },
        onError,
      );
    }
    if (saved) onClose();
    return saved !== undefined;
  };

  const { errors, failure, busy, onSubmit } = useFormSubmit<Field>({ validate, send });

  return (
    <Dialog
      title={editing ? `Edit credential "${credential.name}"` : 'New credential'}
      description="How PatchDeck logs in to hosts over SSH and runs commands with sudo."
      onClose={onClose}
      wide
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <FormError error={failure} />
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          autoComplete="off"
          data-autofocus
        />
        <fieldset className="choice-group" disabled={editing}>
          <legend>Log in with</legend>
          {CREDENTIAL_KINDS.map((k) => (
            <label key={k} className="choice">
              <input
                type="radio"
                name="kind"
                value={k}
                checked={kind === k}
                onChange={() => setKind(k)}
              />
              <span>
                <span className="choice-label">{KIND_LABELS[k].label}</span>
                <span className="choice-hint">{KIND_LABELS[k].hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {kind === 'key' && (
          <div className="form-grid">
            <TextField
              label="Key file path"
              value={keyPath}
              onChange={(e) => setKeyPath(e.target.value)}
              error={errors.keyPath}
              hint="Full path on this machine, e.g. /home/tech/.ssh/id_ed25519"
              autoComplete="off"
              spellCheck={false}
            />
            <SecretField
              label="Key passphrase"
              stored={credential?.hasPassphrase ?? false}
              value={passphrase}
              onChange={setPassphrase}
              error={undefined}
              optional
            />
          </div>
        )}
        {kind === 'agent' && (
          <TextField
            label="Agent socket"
            value={agentSocket}
            onChange={(e) => setAgentSocket(e.target.value)}
            error={errors.agentSocket}
            hint="Leave blank to use SSH_AUTH_SOCK of PatchDeck's environment."
            autoComplete="off"
            spellCheck={false}
          />
        )}
        {kind === 'password' && (
          <SecretField
            label="Password"
            stored={credential?.hasPassword ?? false}
            value={password}
            onChange={setPassword}
            error={errors.password}
          />
        )}
        <fieldset className="choice-group">
          <legend>sudo</legend>
          {SUDO_MODES.map((m) => (
            <label key={m} className="choice">
              <input
                type="radio"
                name="sudo"
                value={m}
                checked={sudo === m}
                onChange={() => setSudo(m)}
              />
              <span>
                <span className="choice-label">{SUDO_LABELS[m].label}</span>
                <span className="choice-hint">{SUDO_LABELS[m].hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {sudo === 'password' && (
          <SecretField
            label="sudo password"
            stored={credential?.hasSudoPassword ?? false}
            value={sudoPassword}
            onChange={setSudoPassword}
            error={errors.sudoPassword}
          />
        )}
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy} busyLabel="Saving…">
            {editing ? 'Save credential' : 'Create credential'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
