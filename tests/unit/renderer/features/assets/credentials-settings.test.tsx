import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CredentialsSettings } from '../../../../../renderer/features/settings/credentials-settings';
import { SettingsLayout } from '../../../../../renderer/features/settings/settings-layout';

import { renderAt, startCoreAs, type CoreSession } from './assets-kit';

const KEY_PASSPHRASE = 'tundra-kettle-orbit-55';
const VAULT_PASSPHRASE = 'granite owl sketches blue harbour';

let keyDir = '';
let keyPath = '';
let session: CoreSession | undefined;

beforeAll(() => {
  keyDir = mkdtempSync(join(tmpdir(), 'patchdeck-keys-'));
  keyPath = join(keyDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', KEY_PASSPHRASE, '-f', keyPath]);
});
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));
afterEach(async () => {
  await session?.t.dispose();
  session = undefined;
});

function renderCredentials() {
  renderAt('/settings/credentials', [
    {
      path: '/settings',
      element: <SettingsLayout />,
      children: [{ path: 'credentials', element: <CredentialsSettings /> }],
    } as never,
  ]);
}

describe('Settings → Credentials over a real core', () => {
  it(
    'sets up the vault, stores a key credential, and never shows its passphrase again',
    { timeout: 30_000 },
    async () => {
      session = await startCoreAs(['administrator']);
      renderCredentials();
      const user = userEvent.setup();

      const vault = await screen.findByTestId('vault');
      await waitFor(() => expect(vault.textContent).toMatch('Not set up'));
      await user.type(within(vault).getByLabelText('Vault passphrase'), VAULT_PASSPHRASE);
      await user.type(within(vault).getByLabelText('Confirm vault passphrase'), VAULT_PASSPHRASE);
      await user.click(within(vault).getByRole('button', { name: 'Set up vault' }));
      // Deriving the vault key is deliberately slow.
      await waitFor(() => expect(vault.textContent).toMatch('Unlocked'), { timeout: 10_000 });

      await user.click(screen.getByRole('button', { name: 'New credential' }));
      const dialog = screen.getByRole('dialog', { name: 'New credential' });
      await user.type(within(dialog).getByLabelText('Name'), 'patchsvc line 3');
      await user.type(within(dialog).getByLabelText('Key file path'), keyPath);
      await user.type(within(dialog).getByLabelText('Key passphrase'), KEY_PASSPHRASE);
      await user.click(within(dialog).getByRole('button', { name: 'Create credential' }));

      const table = await screen.findByRole('table', { name: 'Credentials' });
      const row = within(table).getByRole('rowheader', { name: 'patchsvc line 3' }).closest('tr');
      expect(row?.textContent).toMatch('Passphrase stored');
      expect(row?.textContent).toMatch(keyPath);
      expect(document.body.innerHTML).not.toContain(KEY_PASSPHRASE);

      // Editing shows that a passphrase is stored, not the passphrase; saving a rename keeps it.
      await user.click(within(table).getByRole('button', { name: 'Edit patchsvc line 3' }));
      const edit = screen.getByRole('dialog', { name: 'Edit credential "patchsvc line 3"' });
      const secret = within(edit).getByLabelText<HTMLInputElement>('Key passphrase');
      expect(secret.value).toBe('');
      expect(secret.type).toBe('password');
      expect(edit.textContent).toMatch('Stored');
      await user.clear(within(edit).getByLabelText('Name'));
      await user.type(within(edit).getByLabelText('Name'), 'patchsvc plant');
      await user.click(within(edit).getByRole('button', { name: 'Save credential' }));

      await waitFor(() =>
        expect(within(table).getByRole('rowheader', { name: 'patchsvc plant' })).toBeTruthy(),
      );
      const update = session.callsOf('credentials.update')[0]?.input as Record<string, unknown>;
      expect(update).toEqual({
        credentialId: expect.any(String) as string,
        name: 'patchsvc plant',
      });
      const [stored] = await session.admin.call('credentials.list', {});
      expect(stored).toMatchObject({ name: 'patchsvc plant', hasPassphrase: true });
    },
  );

  it(
    'shows a technician the credentials read-only, and lets them unlock the vault',
    { timeout: 30_000 },
    async () => {
      session = await startCoreAs(['technician']);
      await session.admin.call('vault.setup', { passphrase: VAULT_PASSPHRASE });
      await session.admin.call('credentials.create', {
        name: 'patchsvc',
        kind: 'key',
        keyPath,
        passphrase: KEY_PASSPHRASE,
      });
      await session.admin.call('vault.lock', {});
      renderCredentials();
      const user = userEvent.setup();

      const table = await screen.findByRole('table', { name: 'Credentials' });
      expect(within(table).getByRole('rowheader', { name: 'patchsvc' })).toBeTruthy();
      expect(screen.queryByRole('button', { name: 'New credential' })).toBeNull();
      expect(within(table).queryByRole('button', { name: 'Edit patchsvc' })).toBeNull();

      const vault = screen.getByTestId('vault');
      await waitFor(() => expect(vault.textContent).toMatch('Locked'));
      await user.type(within(vault).getByLabelText('Vault passphrase'), 'not the passphrase');
      await user.click(within(vault).getByRole('button', { name: 'Unlock vault' }));
      expect(await within(vault).findByRole('alert', {}, { timeout: 10_000 })).toBeTruthy();
      expect(vault.textContent).toMatch('Locked');

      await user.clear(within(vault).getByLabelText('Vault passphrase'));
      await user.type(within(vault).getByLabelText('Vault passphrase'), VAULT_PASSPHRASE);
      await user.click(within(vault).getByRole('button', { name: 'Unlock vault' }));
      // Deriving the vault key is deliberately slow.
      await waitFor(() => expect(vault.textContent).toMatch('Unlocked'), { timeout: 10_000 });
    },
  );
});
