import { create } from 'zustand';

import type { OpInput } from '../../../shared/api/contract';
import type { Credential } from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import type { UserFacingError } from '../../lib/error-messages';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';

/** Whether the secrets vault exists and is open. */
export type VaultStatus = { initialized: boolean; unlocked: boolean };

type OnError = (error: UserFacingError) => void;

type CredentialsStore = {
  credentials: Credential[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  vault: VaultStatus | undefined;
  load: () => Promise<void>;
  loadVault: () => Promise<void>;
  setupVault: (passphrase: string, onError: OnError) => Promise<boolean>;
  unlockVault: (passphrase: string, onError: OnError) => Promise<boolean>;
  lockVault: () => Promise<void>;
  create: (
    input: OpInput<'credentials.create'>,
    onError: OnError,
  ) => Promise<Credential | undefined>;
  update: (
    input: OpInput<'credentials.update'>,
    onError: OnError,
  ) => Promise<Credential | undefined>;
  remove: (credential: Credential) => Promise<boolean>;
};

const initial = {
  credentials: [] as Credential[],
  status: 'idle' as const,
  vault: undefined,
};

function replace(list: Credential[], changed: Credential): Credential[] {
  return list.some((c) => c.id === changed.id)
    ? list.map((c) => (c.id === changed.id ? changed : c))
    : [...list, changed];
}

/** Stored SSH credentials (never their secrets) and the vault that guards the secrets. */
export const useCredentialsStore = create<CredentialsStore>()((set) => ({
  ...initial,

  async load() {
    set({ status: 'loading' });
    const credentials = await runAction('Loading credentials', () =>
      api.call('credentials.list', {}),
    );
    set(credentials ? { credentials, status: 'ready' } : { status: 'error' });
  },

  async loadVault() {
    const vault = await runAction('Reading the vault status', () => api.call('vault.status', {}));
    if (vault) set({ vault });
  },

  async setupVault(passphrase, onError) {
    const vault = await runAction(
      'Setting up the vault',
      () => api.call('vault.setup', { passphrase }),
      { notify: false, onError },
    );
    if (!vault) return false;
    set({ vault });
    notifySuccess(
      'Vault set up',
      'Secrets are now encrypted under the vault passphrase. Keep it where your site keeps its emergency passwords.',
    );
    return true;
  },

  async unlockVault(passphrase, onError) {
    const vault = await runAction(
      'Unlocking the vault',
      () => api.call('vault.unlock', { passphrase }),
      { notify: false, onError },
    );
    if (!vault) return false;
    set({ vault });
    return true;
  },

  async lockVault() {
    const vault = await runAction('Locking the vault', () => api.call('vault.lock', {}));
    if (vault) set({ vault });
  },

  async create(input, onError) {
    const created = await runAction(
      'Saving the credential',
      () => api.call('credentials.create', input),
      { notify: false, onError },
    );
    if (created) {
      set((s) => ({ credentials: replace(s.credentials, created) }));
      notifySuccess(`Credential "${created.name}" saved`);
    }
    return created;
  },

  async update(input, onError) {
    const updated = await runAction(
      'Saving the credential',
      () => api.call('credentials.update', input),
      { notify: false, onError },
    );
    if (updated) {
      set((s) => ({ credentials: replace(s.credentials, updated) }));
      notifySuccess(`Credential "${updated.name}" saved`);
    }
    return updated;
  },

  async remove(credential) {
    const done = await runAction(`Deleting credential "${credential.name}"`, () =>
      api.call('credentials.delete', { credentialId: credential.id }),
    );
    if (!done) return false;
    set((s) => ({ credentials: s.credentials.filter((c) => c.id !== credential.id) }));
    notifySuccess(`Credential "${credential.name}" deleted`);
    return true;
  },
}));

onSessionEnd(() => useCredentialsStore.setState(initial));
