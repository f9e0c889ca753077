import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ApiError } from '../../../shared/api/client';
import { OP_NAMES, operations, type OpName } from '../../../shared/api/contract';
import {
  createTestCore,
  OTHER_STRONG_PASSWORD,
  STRONG_PASSWORD,
  withAdmin,
  withOperator,
  type TestCore,
} from '../../helpers/test-core';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return 'OK';
}

let t: TestCore;
beforeEach(async () => {
  t = await createTestCore();
});
afterEach(async () => {
  await t.dispose();
});

describe('first run', () => {
  it('needs an administrator, refuses weak passwords, and happens once', async () => {
    const client = t.client();
    expect(await client.call('auth.status', {})).toMatchObject({ needsSetup: true });
    expect(await codeOf(client.call('auth.login', { username: 'admin', password: 'x' }))).toBe(
      'SETUP_REQUIRED',
    );
    for (const weak of ['short1!', 'password123456', 'adminadminadmin']) {
      expect(
        await codeOf(
          client.call('auth.setupAdmin', { username: 'admin', displayName: 'A', password: weak }),
        ),
      ).toBe('PASSWORD_TOO_WEAK');
    }
    const session = await client.call('auth.setupAdmin', {
      username: 'admin',
      displayName: 'Site Administrator',
      password: STRONG_PASSWORD,
    });
    expect(session.operator.roles).toEqual(['administrator']);
    expect(await client.call('auth.status', {})).toMatchObject({ needsSetup: false });
    expect(
      await codeOf(
        client.call('auth.setupAdmin', {
          username: 'intruder',
          displayName: 'I',
          password: OTHER_STRONG_PASSWORD,
        }),
      ),
    ).toBe('SETUP_ALREADY_DONE');
  });
});

describe('passwords', () => {
  it('are stored as salted scrypt hashes, never as text', async () => {
    const admin = await withAdmin(t);
    await admin.call('operators.create', {
      username: 'tech1',
      displayName: 'Tech One',
      password: STRONG_PASSWORD,
      roles: ['technician'],
    });
    const rows = t.core.workspace.all<{
      password_hash: string;
      password_salt: string;
      password_params: string;
    }>('SELECT password_hash, password_salt, password_params FROM operators');
    expect(rows).toHaveLength(2);
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(a.password_salt).not.toBe(b.password_salt);
    expect(a.password_hash).not.toBe(b.password_hash);
    const params = JSON.parse(a.password_params) as { N: number; r: number; p: number };
    expect(params.N).toBeGreaterThanOrEqual(2 ** 10);
    expect([params.r, params.p]).toEqual([8, 1]);
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(STRONG_PASSWORD);
  });

  it('wrong or unknown credentials get the same answer, and repeated failures are throttled', async () => {
    await withAdmin(t);
    const client = t.client();
    expect(
      await codeOf(client.call('auth.login', { username: 'nobody', password: STRONG_PASSWORD })),
    ).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 5; i++) {
      expect(
        await codeOf(client.call('auth.login', { username: 'admin', password: 'wrong' })),
      ).toBe('INVALID_CREDENTIALS');
    }
    expect(
      await codeOf(client.call('auth.login', { username: 'admin', password: STRONG_PASSWORD })),
    ).toBe('LOGIN_THROTTLED');
    t.clock.advance(31_000);
    expect(
      await codeOf(client.call('auth.login', { username: 'ADMIN', password: STRONG_PASSWORD })),
    ).toBe('OK');
  });
});

describe('roles are enforced by the dispatcher', () => {
  it('a technician cannot manage operators, and the refusal is audited', async () => {
    const admin = await withAdmin(t);
    const tech = await withOperator(t, admin, 'tech1', ['technician']);
    expect(await codeOf(tech.call('operators.list', {}))).toBe('PERMISSION_DENIED');
    expect(
      await codeOf(
        tech.call('operators.create', {
          username: 'sneaky',
          displayName: 'S',
          password: STRONG_PASSWORD,
          roles: ['administrator'],
        }),
      ),
    ).toBe('PERMISSION_DENIED');
    const { records } = await admin.call('audit.list', { filter: { outcome: 'denied' } });
    expect(records.map((r) => [r.op, r.operatorName])).toEqual([
      ['operators.create', 'tech1'],
      ['operators.list', 'tech1'],
    ]);
    expect((await admin.call('operators.list', {})).map((o) => o.username)).toEqual([
      'admin',
      'tech1',
    ]);
  });

  it('an auditor can read and verify but cannot change anything', async () => {
    const admin = await withAdmin(t);
    const auditor = await withOperator(t, admin, 'audit1', ['auditor']);
    const changing = OP_NAMES.filter((name: OpName) => {
      const spec = operations[name];
      return spec.kind === 'command' && spec.access !== 'public' && spec.access !== 'session';
    });
    expect(changing.length).toBeGreaterThan(3);
    const valid: Partial<Record<OpName, unknown>> = {
      'operators.create': {
        username: 'x1',
        displayName: 'X',
        password: STRONG_PASSWORD,
        roles: ['auditor'],
      },
      'operators.update': { operatorId: 'op_1', roles: ['auditor'] },
      'operators.setDisabled': { operatorId: 'op_1', disabled: true },
      'operators.resetPassword': { operatorId: 'op_1', newPassword: STRONG_PASSWORD },
      'settings.update': { idleLockMinutes: 5 },
      'hosts.create': { address: '127.0.0.99', username: 'root' },
      'hosts.update': { hostId: 'host_1', tier: 0 },
      'hosts.delete': { hostIds: ['host_1'] },
      'scans.start': {},
      'hostKeys.probe': { hostId: 'host_1' },
      'hostKeys.accept': { hostId: 'host_1', fingerprint: `SHA256:${'A'.repeat(43)}` },
      'hostKeys.repin': {
        hostId: 'host_1',
        fingerprint: `SHA256:${'A'.repeat(43)}`,
        reason: 'host rebuilt',
      },
      'hostKeys.importKnownHosts': { source: { path: '/etc/ssh/ssh_known_hosts' } },
      'hosts.importSshConfig': { source: { path: '/etc/ssh/ssh_config' } },
      'credentials.create': { name: 'svc', kind: 'agent', agentSocket: '/run/agent.sock' },
      'credentials.update': { credentialId: 'cred_1', name: 'svc2' },
      'credentials.delete': { credentialId: 'cred_1' },
      'vault.setup': { passphrase: STRONG_PASSWORD },
      'vault.unlock': { passphrase: STRONG_PASSWORD },
      'imports.preview': { format: 'csv', source: { fileName: 'a.csv', contentBase64: '' } },
      'imports.reconcile': { importId: 'imp_1', mapping: { address: 'IP' } },
      'imports.apply': { importId: 'imp_1', decisions: [] },
      'bundles.import': { source: '/media/usb/bundle' },
      'trust.addPublisher': {
        rootPath: '/media/usb/bundle/root.json',
        confirmFingerprint: 'AAAA BBBB CCCC DDDD',
      },
      'trust.revokeKey': { keyid: 'a'.repeat(64), reason: 'key lost' },
    };
    for (const name of changing) {
      expect(valid[name], `a valid input for ${name}`).toBeDefined();
      expect(await codeOf(auditor.call(name, valid[name] as never)), name).toBe(
        'PERMISSION_DENIED',
      );
    }
    expect((await auditor.call('audit.verify', {})).valid).toBe(true);
    expect((await auditor.call('audit.list', {})).total).toBeGreaterThan(0);
    expect(await admin.call('settings.get', {})).toEqual({ idleLockMinutes: 15 });
  });

  it('the last enabled administrator cannot be disabled or demoted', async () => {
    const admin = await withAdmin(t);
    const me = await admin.call('auth.me', {});
    expect(
      await codeOf(admin.call('operators.setDisabled', { operatorId: me.id, disabled: true })),
    ).toBe('LAST_ADMINISTRATOR');
    expect(
      await codeOf(admin.call('operators.update', { operatorId: me.id, roles: ['auditor'] })),
    ).toBe('LAST_ADMINISTRATOR');
  });
});

describe('sessions', () => {
  it('lock after the configured idle time and unlock only with the password', async () => {
    const admin = await withAdmin(t);
    await admin.call('settings.update', { idleLockMinutes: 5 });
    t.clock.advance(4 * 60_000);
    await admin.call('auth.me', {});
    t.clock.advance(5 * 60_000);
    expect(await codeOf(admin.call('auth.me', {}))).toBe('SESSION_LOCKED');
    expect(await codeOf(admin.call('auth.unlock', { password: OTHER_STRONG_PASSWORD }))).toBe(
      'INVALID_CREDENTIALS',
    );
    await admin.call('auth.unlock', { password: STRONG_PASSWORD });
    expect((await admin.call('auth.me', {})).username).toBe('admin');
  });

  it('end when the operator logs out, is disabled, or has the password reset', async () => {
    const admin = await withAdmin(t);
    const tech = await withOperator(t, admin, 'tech1', ['technician']);
    const techId = (await tech.call('auth.me', {})).id;
    await admin.call('operators.resetPassword', {
      operatorId: techId,
      newPassword: STRONG_PASSWORD,
    });
    expect(await codeOf(tech.call('auth.me', {}))).toBe('NOT_AUTHENTICATED');

    const again = t.client();
    again.setSession(
      (await again.call('auth.login', { username: 'tech1', password: STRONG_PASSWORD })).token,
    );
    await admin.call('operators.setDisabled', { operatorId: techId, disabled: true });
    expect(await codeOf(again.call('auth.me', {}))).toBe('NOT_AUTHENTICATED');
    expect(
      await codeOf(again.call('auth.login', { username: 'tech1', password: STRONG_PASSWORD })),
    ).toBe('OPERATOR_DISABLED');

    await admin.call('auth.logout', {});
    expect(await codeOf(admin.call('auth.me', {}))).toBe('NOT_AUTHENTICATED');
  });
});
