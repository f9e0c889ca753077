import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { ApiClient } from '../../../shared/api/client';
import { makeTempDir, removeTempDirs } from '../../helpers/db-test-kit';
import { createTestCore, STRONG_PASSWORD, withAdmin, type TestCore } from '../../helpers/test-core';

const SECRETS = {
  vault: 'vault-passphrase-Orchid-91',
  password: 'ssh-password-Tundra-58',
  sudo: 'sudo-password-Copper-33',
  passphrase: 'key-passphrase-Falcon-27',
};

/** Every file under the workspace folder (database, journal, backups), recursively. */
function workspaceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? workspaceFiles(path) : [path];
  });
}

async function waitForRun(client: ApiClient, runId: string) {
  await expect
    .poll(async () => (await client.call('scans.get', { runId })).finishedAt, { timeout: 20_000 })
    .not.toBeNull();
  return client.call('scans.get', { runId });
}

describe('credentials at rest', () => {
  let t: TestCore | undefined;

  afterEach(async () => {
    await t?.dispose();
    t = undefined;
    removeTempDirs();
  });

  it('never writes a secret in plain text, and needs the vault to use one', async () => {
    t = await createTestCore();
    const admin = await withAdmin(t);
    const keyDir = makeTempDir('patchdeck-key-');
    const keyPath = join(keyDir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', SECRETS.passphrase, '-f', keyPath]);
    const plainKeyPath = join(keyDir, 'plain');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plainKeyPath]);

    // Without a vault, secrets cannot be stored at all.
    await expect(
      admin.call('credentials.create', {
        name: 'early',
        kind: 'password',
        password: SECRETS.password,
      }),
    ).rejects.toMatchObject({ code: 'VAULT_NOT_INITIALIZED' });

    await admin.call('vault.setup', { passphrase: SECRETS.vault });
    const withSecrets = await admin.call('credentials.create', {
      name: 'service password',
      kind: 'password',
      password: SECRETS.password,
      sudo: 'password',
      sudoPassword: SECRETS.sudo,
    });
    const sealedKey = await admin.call('credentials.create', {
      name: 'encrypted key',
      kind: 'key',
      keyPath,
      passphrase: SECRETS.passphrase,
    });
    const plainKey = await admin.call('credentials.create', {
      name: 'plain key',
      kind: 'key',
      keyPath: plainKeyPath,
    });
    expect(withSecrets).toMatchObject({
      hasPassword: true,
      hasSudoPassword: true,
      hasPassphrase: false,
    });
    expect(sealedKey).toMatchObject({ hasPassphrase: true, hasPassword: false });
    expect(JSON.stringify(await admin.call('credentials.list', {}))).not.toMatch(
      /Tundra|Copper|Falcon/,
    );

    // Hosts that refuse connections: scanning them unseals the secrets, then fails to connect.
    const hostA = await admin.call('hosts.create', {
      name: 'a',
      address: '127.0.0.99',
      port: 1,
      username: 'svc',
      credentialId: withSecrets.id,
    });
    const hostB = await admin.call('hosts.create', {
      name: 'b',
      address: '127.0.0.99',
      port: 2,
      username: 'svc',
      credentialId: plainKey.id,
    });
    const hostC = await admin.call('hosts.create', {
      name: 'c',
      address: '127.0.0.99',
      port: 3,
      username: 'svc',
      credentialId: sealedKey.id,
    });
    const unlockedRun = await waitForRun(
      admin,
      (await admin.call('scans.start', { hostIds: [hostA.id, hostC.id] })).runId,
    );
    expect(unlockedRun.hosts.map((h) => h.outcome?.failureKind)).toEqual([
      'connection-refused',
      'connection-refused',
    ]);
    await t.core.workspace.snapshot();

    // Restart: the vault is locked again; secrets cannot be used, credentials without them can.
    await t.close();
    const core = await t.reopen();
    expect(core).toBeDefined();
    const again = t.client();
    const session = await again.call('auth.login', {
      username: 'admin',
      password: STRONG_PASSWORD,
    });
    again.setSession(session.token);
    expect(await again.call('vault.status', {})).toEqual({ initialized: true, unlocked: false });
    const lockedRun = await waitForRun(
      again,
      (await again.call('scans.start', { hostIds: [hostA.id, hostB.id, hostC.id] })).runId,
    );
    const byHost = Object.fromEntries(lockedRun.hosts.map((h) => [h.hostName, h.outcome]));
    expect(byHost['a']).toMatchObject({ failureKind: 'credentials-locked' });
    expect(byHost['a']?.action).toMatch(/unlock/i);
    expect(byHost['b']).toMatchObject({ failureKind: 'connection-refused' });
    expect(byHost['c']).toMatchObject({ failureKind: 'credentials-locked' });
    await expect(
      again.call('credentials.update', { credentialId: withSecrets.id, password: 'x' }),
    ).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    await expect(
      again.call('vault.unlock', { passphrase: 'not the passphrase' }),
    ).rejects.toMatchObject({
      code: 'VAULT_PASSPHRASE_WRONG',
    });
    await again.call('vault.unlock', { passphrase: SECRETS.vault });
    await t.close();

    // Every byte the workspace wrote: no secret, in any encoding a careless writer might use.
    const files = workspaceFiles(t.dir);
    expect(files.some((f) => f.endsWith('workspace.db'))).toBe(true);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const secret of Object.values(SECRETS)) {
        for (const needle of [
          Buffer.from(secret, 'utf8'),
          Buffer.from(secret, 'utf16le'),
          Buffer.from(Buffer.from(secret).toString('base64')),
          Buffer.from(Buffer.from(secret).toString('hex')),
        ]) {
          expect(bytes.includes(needle), `${secret} in ${file}`).toBe(false);
        }
      }
    }
    for (const entry of t.log.entries) {
      expect(JSON.stringify(entry)).not.toMatch(/Orchid|Tundra|Copper|Falcon/);
    }
  });
});
