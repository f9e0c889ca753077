import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { digestInput } from '../../../electron/core/api/dispatcher';
import { verifyAuditChain } from '../../../electron/core/audit/audit-chain';
import { loadSqlJs } from '../../../electron/core/db/sqljs';
import { type ApiError } from '../../../shared/api/client';
import {
  createTestCore,
  STRONG_PASSWORD,
  withAdmin,
  withOperator,
  type TestCore,
} from '../../helpers/test-core';

let t: TestCore;
beforeEach(async () => {
  t = await createTestCore();
});
afterEach(async () => {
  await t.dispose();
});

/** Edits the closed workspace's snapshot file directly, as an attacker with the file would. */
async function tamper(dir: string, ...statements: string[]): Promise<void> {
  const SQL = await loadSqlJs();
  const file = join(dir, 'workspace.db');
  const db = new SQL.Database(readFileSync(file));
  for (const sql of statements) db.run(sql);
  writeFileSync(file, db.export());
  db.close();
}

async function verifyOnDisk(dir: string) {
  const { openWorkspace } = await import('../../../electron/core/db/open-workspace');
  const ws = await openWorkspace({ dir, readOnly: true, clock: t.clock, log: t.log });
  try {
    return await verifyAuditChain(ws);
  } finally {
    await ws.close();
  }
}

/** A workspace with ten or so records: setup, logins, operator changes, a refusal, a failure. */
async function busyWorkspace(): Promise<void> {
  const admin = await withAdmin(t);
  const tech = await withOperator(t, admin, 'tech1', ['technician']);
  await tech.call('operators.list', {}).catch(() => undefined);
  await admin.call('settings.update', { idleLockMinutes: 10 });
  await admin
    .call('operators.create', {
      username: 'tech1',
      displayName: 'dup',
      password: STRONG_PASSWORD,
      roles: ['technician'],
    })
    .catch(() => undefined);
  await withOperator(t, admin, 'audit1', ['auditor']);
  await tech.call('auth.logout', {});
}

describe('the audit log', () => {
  it('records every command with who, when, what, an input digest and the outcome', async () => {
    await busyWorkspace();
    const admin = t.client();
    admin.setSession(
      (await admin.call('auth.login', { username: 'admin', password: STRONG_PASSWORD })).token,
    );
    const { records, total } = await admin.call('audit.list', { limit: 100 });
    const story = records
      .slice()
      .reverse()
      .map((r) => `${r.op}:${r.outcome}:${r.errorCode ?? '-'}:${r.operatorName}`);
    expect(story).toEqual([
      'auth.setupAdmin:ok:-:admin',
      'operators.create:ok:-:admin',
      'auth.login:ok:-:tech1',
      'operators.list:denied:PERMISSION_DENIED:tech1',
      'settings.update:ok:-:admin',
      'operators.create:error:USERNAME_TAKEN:admin',
      'operators.create:ok:-:admin',
      'auth.login:ok:-:audit1',
      'auth.logout:ok:-:tech1',
      'auth.login:ok:-:admin',
    ]);
    expect(total).toBe(10);
    const created = records.find((r) => r.op === 'operators.create' && r.outcome === 'ok');
    expect(created?.operatorId).toBe((await admin.call('auth.me', {})).id);
    expect(created?.at).toBe('2026-03-01T08:00:00.000Z');
    expect(created?.inputDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(created?.summary).toBe('Created operator audit1 (auditor)');
    // The digest is over the input with its secrets redacted, so it never encodes a password.
    expect(created?.inputDigest).toBe(
      digestInput({
        username: 'audit1',
        displayName: 'audit1 (test)',
        password: 'anything',
        roles: ['auditor'],
        approverTeams: [],
      }),
    );
    expect((await admin.call('audit.verify', {})).valid).toBe(true);
  });

  it('never writes a password to any workspace file', async () => {
    await busyWorkspace();
    const scan = () =>
      readdirSync(t.dir)
        .filter((name) => !name.endsWith('.lock'))
        .map((name) => readFileSync(join(t.dir, name)).toString('latin1'));
    for (const text of scan()) expect(text).not.toContain(STRONG_PASSWORD);
    await t.close();
    for (const text of scan()) expect(text).not.toContain(STRONG_PASSWORD);
  });

  it('streams each appended record as an event', async () => {
    const seen: unknown[] = [];
    t.core.events.subscribe((name, payload) => {
      if (name === 'audit.appended') seen.push(payload);
    });
    await withAdmin(t);
    expect(seen).toEqual([{ seq: 1, op: 'auth.setupAdmin', outcome: 'ok', operatorName: 'admin' }]);
  });

  it('answers a missing record with its own code', async () => {
    const admin = await withAdmin(t);
    await expect(admin.call('audit.get', { seq: 999 })).rejects.toThrowError(
      expect.objectContaining({ code: 'AUDIT_RECORD_NOT_FOUND' }) as ApiError,
    );
  });
});

describe('tampering with the workspace file is detected', () => {
  beforeEach(async () => {
    await busyWorkspace();
    await t.close();
    expect((await verifyOnDisk(t.dir)).valid).toBe(true);
  });

  it('an edited field names the edited record', async () => {
    await tamper(t.dir, "UPDATE audit_log SET operator_name = 'someone-else' WHERE seq = 4");
    expect(await verifyOnDisk(t.dir)).toMatchObject({ valid: false, firstBadSeq: 4, checked: 3 });
  });

  it('an edited outcome or details names the record', async () => {
    await tamper(t.dir, 'UPDATE audit_log SET details = \'{"forged":true}\' WHERE seq = 6');
    expect(await verifyOnDisk(t.dir)).toMatchObject({ valid: false, firstBadSeq: 6 });
  });

  it('a removed record is named by its missing number', async () => {
    await tamper(t.dir, 'DELETE FROM audit_log WHERE seq = 5');
    const result = await verifyOnDisk(t.dir);
    expect(result).toMatchObject({ valid: false, firstBadSeq: 5 });
    expect(result.problem).toContain('missing');
  });

  it('a removed record with the rest renumbered breaks the link', async () => {
    await tamper(
      t.dir,
      'DELETE FROM audit_log WHERE seq = 5',
      'UPDATE audit_log SET seq = seq - 1 WHERE seq > 5',
    );
    expect(await verifyOnDisk(t.dir)).toMatchObject({ valid: false, firstBadSeq: 5 });
  });

  it('an inserted record is caught', async () => {
    await tamper(
      t.dir,
      'UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3',
      'UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1003',
      `INSERT INTO audit_log (seq, at, operator_id, operator_name, op, input_digest, outcome, error_code, summary, details, prev_hash, hash)
         SELECT 3, at, operator_id, operator_name, op, input_digest, outcome, error_code, 'forged', details, hash, hash FROM audit_log WHERE seq = 2`,
    );
    expect(await verifyOnDisk(t.dir)).toMatchObject({ valid: false, firstBadSeq: 3 });
  });

  it('two swapped records are caught at the first of them', async () => {
    await tamper(
      t.dir,
      'UPDATE audit_log SET seq = -1 WHERE seq = 7',
      'UPDATE audit_log SET seq = 7 WHERE seq = 8',
      'UPDATE audit_log SET seq = 8 WHERE seq = -1',
    );
    expect(await verifyOnDisk(t.dir)).toMatchObject({ valid: false, firstBadSeq: 7 });
  });

  it('the API reports the break after a restart', async () => {
    await tamper(t.dir, "UPDATE audit_log SET summary = 'nothing happened' WHERE seq = 2");
    await t.reopen();
    const admin = t.client();
    admin.setSession(
      (await admin.call('auth.login', { username: 'admin', password: STRONG_PASSWORD })).token,
    );
    const result = await admin.call('audit.verify', {});
    expect(result.valid).toBe(false);
    expect(result.firstBadSeq).toBe(2);
    expect(result.problem).toContain('#2');
  });
});
