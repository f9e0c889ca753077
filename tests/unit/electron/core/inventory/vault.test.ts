import { describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../../../../electron/core/db/migrations/index';
import { openWorkspace } from '../../../../../electron/core/db/open-workspace';
import { Vault } from '../../../../../electron/core/inventory/vault';
import { manualClock } from '../../../../../electron/core/platform/clock';
import { memoryLogger } from '../../../../../electron/core/platform/logger';
import { AppError } from '../../../../../shared/api/errors';
import { makeTempDir, removeTempDirs } from '../../../../helpers/db-test-kit';

const CHEAP = { N: 2 ** 11, r: 8, p: 1 };
const PASSPHRASE = 'correct horse battery staple';

async function workspaceWithVault() {
  const ws = await openWorkspace({
    dir: makeTempDir(),
    clock: manualClock(),
    log: memoryLogger(),
    migrations: MIGRATIONS,
  });
  const vault = new Vault(ws, CHEAP);
  const prepared = await vault.prepare(PASSPHRASE);
  ws.transaction((tx) => vault.store(tx, prepared, '2026-11-26T00:00:00Z'));
  vault.activate();
  return { ws, vault };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return undefined;
}

describe('Vault', () => {
  it('seals and opens secrets per slot while unlocked', async () => {
    const { ws, vault } = await workspaceWithVault();
    const sealed = vault.encrypt('credential:c1:password', 's3cret!');
    expect(sealed).not.toContain('s3cret');
    expect(sealed.split('.')).toHaveLength(4);
    expect(vault.decrypt('credential:c1:password', sealed)).toBe('s3cret!');
    // Two seals of the same text differ (fresh IV each time).
    expect(vault.encrypt('credential:c1:password', 's3cret!')).not.toBe(sealed);
    // A ciphertext moved to another slot does not open.
    expect(() => vault.decrypt('credential:c2:password', sealed)).toThrow(/does not decrypt/);
    await ws.close();
  });

  it('refuses to read or seal while locked, and unlocks only with the right passphrase', async () => {
    const { ws, vault } = await workspaceWithVault();
    const sealed = vault.encrypt('slot', 'value');
    vault.lock();
    expect(vault.status()).toEqual({ initialized: true, unlocked: false });
    expect(codeOf(() => vault.decrypt('slot', sealed))).toBe('VAULT_LOCKED');
    expect(codeOf(() => vault.encrypt('slot', 'x'))).toBe('VAULT_LOCKED');
    await expect(vault.unlock('wrong passphrase!')).rejects.toMatchObject({
      code: 'VAULT_PASSPHRASE_WRONG',
    });
    expect(vault.isUnlocked).toBe(false);
    // A fresh Vault over the same workspace (a restart) unlocks with the passphrase.
    const again = new Vault(ws, CHEAP);
    await again.unlock(PASSPHRASE);
    expect(again.decrypt('slot', sealed)).toBe('value');
    await ws.close();
  });

  it('stores only salt, parameters and a verifier, and refuses a second setup', async () => {
    const { ws, vault } = await workspaceWithVault();
    const row = ws.get('SELECT * FROM vault');
    expect(Object.keys(row ?? {}).sort()).toEqual(
      ['created_at', 'id', 'kdf', 'params', 'salt', 'verifier'].sort(),
    );
    expect(JSON.stringify(row)).not.toContain(PASSPHRASE);
    await expect(vault.prepare('another long passphrase')).rejects.toMatchObject({
      code: 'VAULT_ALREADY_INITIALIZED',
    });
    await ws.close();
  });

  it('says the vault is not set up when there is none', async () => {
    const ws = await openWorkspace({
      dir: makeTempDir(),
      clock: manualClock(),
      log: memoryLogger(),
      migrations: MIGRATIONS,
    });
    const vault = new Vault(ws, CHEAP);
    expect(vault.status()).toEqual({ initialized: false, unlocked: false });
    expect(codeOf(() => vault.encrypt('slot', 'x'))).toBe('VAULT_NOT_INITIALIZED');
    await expect(vault.unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'VAULT_NOT_INITIALIZED' });
    await expect(vault.prepare('short')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await ws.close();
    removeTempDirs();
  });
});
