import { useEffect, useState } from 'react';

import {
  ENVIRONMENTS,
  HostAddress,
  RemoteUser,
  TIER_MEANINGS,
  TIERS,
  type Tier,
} from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { SelectField, TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import { useFormSubmit, type FieldErrors } from '../../components/use-form-submit';
import type { UserFacingError } from '../../lib/error-messages';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';

import { useCredentialsStore } from './credentials.store';

type Field = 'name' | 'address' | 'port' | 'username';

/** Props of AddHostDialog. */
export type AddHostDialogProps = { onClose: () => void; onAdded?: (hostId: string) => void };

/** Adds one host by hand: how to reach it, and how critical it is. */
export function AddHostDialog({ onClose, onAdded }: AddHostDialogProps) {
  const credentials = useCredentialsStore((s) => s.credentials);
  const loadCredentials = useCredentialsStore((s) => s.load);
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('22');
  const [username, setUsername] = useState('');
  const [credentialId, setCredentialId] = useState('');
  const [tier, setTier] = useState<Tier>(2);
  const [environment, setEnvironment] = useState<(typeof ENVIRONMENTS)[number]>('production');

  useEffect(() => {
    void loadCredentials();
  }, [loadCredentials]);

  const validate = (): FieldErrors<Field> => {
    const found: FieldErrors<Field> = {};
    const addr = HostAddress.safeParse(address);
    if (!addr.success) found.address = addr.error.issues[0]?.message ?? 'Enter an address.';
    const user = RemoteUser.safeParse(username);
    if (!user.success) found.username = user.error.issues[0]?.message ?? 'Enter a login name.';
    const p = Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65_535) found.port = 'Use a port from 1 to 65535.';
    if (name.trim().length > 120) found.name = 'Use at most 120 characters.';
    return found;
  };

  const send = async (onError: (error: UserFacingError) => void) => {
    const created = await runAction(
      'Adding the host',
      () =>
        api.call('hosts.create', {
          name: name.trim() || address.trim(),
          address: address.trim(),
          port: Number(port),
          username: username.trim(),
          credentialId: credentialId || null,
          tier,
          environment,
        }),
      { notify: false, onError },
    );
    if (!created) return false;
    notifySuccess(`${created.name} added`, 'Scan it to record its OS and packages.');
    onAdded?.(created.id);
    onClose();
    return true;
  };

  const { errors, failure, busy, onSubmit } = useFormSubmit<Field>({ validate, send });

  return (
    <Dialog
      title="Add host"
      description="PatchDeck reaches the host over SSH. On first contact you will be asked to check and accept its host key."
      onClose={onClose}
      wide
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <FormError error={failure} />
        <div className="form-grid">
          <TextField
            label="Address"
            name="address"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            error={errors.address}
            hint="IP address or DNS name"
            autoComplete="off"
            data-autofocus
          />
          <TextField
            label="Name"
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
            hint="Defaults to the address"
            autoComplete="off"
          />
          <TextField
            label="SSH port"
            name="port"
            inputMode="numeric"
            value={port}
            onChange={(e) => setPort(e.target.value)}
            error={errors.port}
          />
          <TextField
            label="Login name"
            name="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            error={errors.username}
            hint="The service account on the host, e.g. patchsvc"
            autoComplete="off"
          />
          <SelectField
            label="Credential"
            hint="Credentials are kept in Settings → Credentials."
            value={credentialId}
            onChange={(e) => setCredentialId(e.target.value)}
          >
            <option value="">SSH agent of this machine</option>
            {credentials.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Tier"
            hint={TIER_MEANINGS[tier].meaning}
            value={tier}
            onChange={(e) => setTier(Number(e.target.value) as Tier)}
          >
            {TIERS.map((t) => (
              <option key={t} value={t}>
                {TIER_MEANINGS[t].label}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Environment"
            value={environment}
            onChange={(e) =>
              setEnvironment(ENVIRONMENTS.find((env) => env === e.target.value) ?? 'production')
            }
          >
            {ENVIRONMENTS.map((env) => (
              <option key={env} value={env}>
                {env}
              </option>
            ))}
          </SelectField>
        </div>
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy} busyLabel="Adding…">
            Add host
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
