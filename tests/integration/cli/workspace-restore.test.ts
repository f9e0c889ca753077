import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { openWorkspace } from '../../../electron/core/db/open-workspace';
import { manualClock } from '../../../electron/core/platform/clock';
import { memoryLogger } from '../../../electron/core/platform/logger';
import { createTestCore, withAdmin, withOperator, type TestCore } from '../../helpers/test-core';

import { buildCli, type BuiltCli } from './cli-kit';

let cli: BuiltCli;
const cores: TestCore[] = [];

beforeAll(async () => {
  cli = await buildCli('workspace');
}, 180_000);

afterAll(() => cli.remove());

afterEach(async () => {
  for (const t of cores.splice(0)) await t.dispose();
});

type Damage = (bytes: Buffer) => Buffer;

const halve: Damage = (b) => b.subarray(0, Math.floor(b.length / 2));
const empty: Damage = () => Buffer.alloc(0);
const randomPage: Damage = (b) => {
  const pageSize = b.readUInt16BE(16);
  const copy = Buffer.from(b);
  randomBytes(pageSize).copy(copy, pageSize * 2);
  return copy;
};

function damage(dir: string, file: string, how: Damage): Buffer {
  const path = join(dir, file);
  const damaged = how(readFileSync(path));
  writeFileSync(path, damaged);
  return damaged;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file in the folder with its hash: "nothing changed" means this is equal. */
function hashes(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((name) => [name, sha256(readFileSync(join(dir, name)))]),
  );
}

interface State {
  audit: { seq: number; op: string; hash: string }[];
  operators: string[];
  idleLockMinutes: string | undefined;
}

/** Reads what the workspace holds, read-only (snapshot plus journal, as PatchDeck would). */
async function readState(dir: string, snapshotFile?: string): Promise<State> {
  const ws = await openWorkspace({
    dir,
    readOnly: true,
    clock: manualClock(),
    log: memoryLogger(),
    ...(snapshotFile ? { snapshotFile, skipJournal: true } : {}),
  });
  try {
    return {
      audit: ws
        .all<{ seq: number; op: string; hash: string }>(
          'SELECT seq, op, hash FROM audit_log ORDER BY seq',
        )
        .map((r) => ({ seq: Number(r.seq), op: String(r.op), hash: String(r.hash) })),
      operators: ws
        .all<{ username: string }>('SELECT username FROM operators ORDER BY username')
        .map((r) => String(r.username)),
      idleLockMinutes: ws.get<{ value: string }>(
        "SELECT value FROM settings WHERE key = 'idleLockMinutes'",
      )?.value,
    };
  } finally {
    await ws.close();
  }
}

async function lastAuditRecord(dir: string) {
  const ws = await openWorkspace({
    dir,
    readOnly: true,
    clock: manualClock(),
    log: memoryLogger(),
  });
  try {
    const row = ws.get(
      'SELECT seq, op, operator_id, operator_name, outcome, summary, details FROM audit_log ' +
        'ORDER BY seq DESC LIMIT 1',
    );
    if (!row) throw new Error('empty audit log');
    return { ...row, details: JSON.parse(String(row['details'])) as Record<string, unknown> };
  } finally {
    await ws.close();
  }
}

/**
 * A real workspace, closed: `.bak1` holds the first changes; the later ones
 * (operator tech2, the idle-lock setting) are only in the journal and in `workspace.db`.
 */
async function realWorkspace(): Promise<{ dir: string; state: State }> {
  const t = await createTestCore();
  cores.push(t);
  const admin = await withAdmin(t);
  await withOperator(t, admin, 'tech1', ['technician']);
  await t.core.workspace.snapshot(); // the snapshot that becomes .bak1 on close
  await withOperator(t, admin, 'tech2', ['approver']);
  await admin.call('settings.update', { idleLockMinutes: 9 });
  await t.close();
  return { dir: t.dir, state: await readState(t.dir) };
}

describe('patchdeck workspace check and restore', () => {
  it.each([
    ['truncated to half', halve, /bytes long but should be|not a whole number of pages/],
    ['zero-length', empty, /the file is empty \(0 bytes\)/],
    ['a page of random bytes', randomPage, /integrity check|malformed|not a database/],
  ] as const)(
    '%s: check names the damage, a dry run changes nothing, --yes restores everything',
    async (_label, how, named) => {
      const { dir, state } = await realWorkspace();
      // The second session is not in .bak1: it can only come back through the journal.
      const bak1 = await readState(dir, 'workspace.db.bak1');
      expect(bak1.operators).not.toContain('tech2');
      expect(state.operators).toContain('tech2');
      const damaged = damage(dir, 'workspace.db', how);

      const check = cli.run('workspace', 'check', '--workspace', dir);
      expect(check.code, check.stderr).toBe(1);
      expect(check.stdout).toMatch(named);
      expect(check.stdout).toMatch(/workspace\.db\.bak1 \(\d+ bytes\): good/);
      expect(check.stdout).toContain('patchdeck workspace restore');
      const json = JSON.parse(
        cli.run('workspace', 'check', '--workspace', dir, '--json').stdout,
      ) as unknown;
      expect(json).toMatchObject({
        healthy: false,
        damagedFile: 'workspace.db',
        recommended: 'workspace.db.bak1',
      });

      const before = hashes(dir);
      const dry = cli.run('workspace', 'restore', '--workspace', dir);
      expect(dry.code, dry.stderr).toBe(3);
      expect(dry.stdout).toContain('workspace.db.bak1');
      expect(dry.stdout).toContain('Nothing was changed');
      expect(hashes(dir)).toEqual(before);

      const restore = cli.run('workspace', 'restore', '--workspace', dir, '--yes');
      expect(restore.code, restore.stderr).toBe(0);
      expect(restore.stdout).toContain('Restored the workspace');

      // The damaged file is kept, byte for byte.
      const kept = readdirSync(dir).filter((n) => n.startsWith('workspace.db.damaged-'));
      expect(kept).toHaveLength(1);
      expect(sha256(readFileSync(join(dir, kept[0]!)))).toBe(sha256(damaged));

      // Every acknowledged change is back, then exactly one record for the incident.
      const after = await readState(dir);
      expect(after.operators).toEqual(state.operators);
      expect(after.idleLockMinutes).toEqual(state.idleLockMinutes);
      expect(after.audit.slice(0, -1)).toEqual(state.audit);
      expect(after.audit).toHaveLength(state.audit.length + 1);
      const incident = await lastAuditRecord(dir);
      expect(incident).toMatchObject({
        op: 'workspace.restore',
        operator_id: null,
        operator_name: expect.stringMatching(/^cli:.+/) as unknown,
        outcome: 'ok',
        summary: expect.stringMatching(
          /^Restored the workspace from workspace\.db\.bak1 after damage \(.+\)$/,
        ) as unknown,
        details: {
          backup: 'workspace.db.bak1',
          damagedFile: kept[0],
          damagedSize: damaged.length,
          damagedSha256: sha256(damaged),
        },
      });

      const verify = cli.run('audit', 'verify', '--workspace', dir);
      expect(verify.code, verify.stderr).toBe(0);
      const recheck = cli.run('workspace', 'check', '--workspace', dir);
      expect(recheck.code, recheck.stdout).toBe(0);
      expect(existsSync(join(dir, 'workspace.lock'))).toBe(false);
    },
  );

  it('from an older backup the journal does not fit: sets the journal and newer backups aside', async () => {
    const { dir } = await realWorkspace();
    damage(dir, 'workspace.db', halve);
    damage(dir, 'workspace.db.bak1', empty);
    const before = hashes(dir);
    const segments = Object.keys(before).filter((n) => n.startsWith('workspace.journal.'));

    // Losing acknowledged changes is never the default: the backup must be named.
    const unnamed = cli.run('workspace', 'restore', '--workspace', dir, '--yes');
    expect(unnamed.code).toBe(1);
    expect(unnamed.stdout + unnamed.stderr).toContain('--from workspace.db.bak2');
    expect(hashes(dir)).toEqual(before);

    const dry = cli.run('workspace', 'restore', '--workspace', dir, '--from', 'workspace.db.bak2');
    expect(dry.code, dry.stderr).toBe(3);
    expect(dry.stdout).toContain('copy workspace.db.bak2');
    expect(dry.stdout).toMatch(/changes #\d+ to #\d+ will NOT be applied/);
    expect(hashes(dir)).toEqual(before);

    const restore = cli.run(
      'workspace',
      'restore',
      '--workspace',
      dir,
      '--from',
      'workspace.db.bak2',
      '--yes',
    );
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('NOT applied');
    const after = hashes(dir);
    // Nothing is deleted: every old journal segment and the damaged .bak1 are kept, renamed.
    for (const name of [...segments, 'workspace.db.bak1']) {
      const aside = Object.keys(after).find((n) => n.startsWith(`${name}.set-aside-`));
      expect(aside, name).toBeDefined();
      expect(after[aside!]).toBe(before[name]);
    }
    const incident = await lastAuditRecord(dir);
    expect(incident).toMatchObject({
      op: 'workspace.restore',
      details: { backup: 'workspace.db.bak2', lostChanges: expect.any(String) as unknown },
    });
    expect(cli.run('audit', 'verify', '--workspace', dir).code).toBe(0);
    // The backups left over belong to the restored history only.
    const recheck = cli.run('workspace', 'check', '--workspace', dir, '--json');
    expect(recheck.code, recheck.stdout).toBe(0);
    const report = JSON.parse(recheck.stdout) as { backups: { restore: string }[] };
    expect(report.backups.map((b) => b.restore)).toEqual(report.backups.map(() => 'complete'));
  });

  it('leaves a healthy workspace alone', async () => {
    const { dir } = await realWorkspace();
    const check = cli.run('workspace', 'check', '--workspace', dir);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('is healthy');
    const before = hashes(dir);
    const restore = cli.run('workspace', 'restore', '--workspace', dir, '--yes');
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('nothing to restore');
    expect(hashes(dir)).toEqual(before);
  });

  it('refuses while another PatchDeck holds the workspace', async () => {
    const { dir } = await realWorkspace();
    damage(dir, 'workspace.db', halve);
    // This test process is alive, so its lock is live.
    writeFileSync(
      join(dir, 'workspace.lock'),
      JSON.stringify({ pid: process.pid, host: hostname() }),
    );
    const before = hashes(dir);
    const restore = cli.run('workspace', 'restore', '--workspace', dir, '--yes');
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('WORKSPACE_IN_USE');
    expect(restore.stderr).toContain('already open in another PatchDeck');
    expect(hashes(dir)).toEqual(before);
  });

  it('refuses a named backup that fails its checks, saying why', async () => {
    const { dir } = await realWorkspace();
    damage(dir, 'workspace.db', halve);
    damage(dir, 'workspace.db.bak2', empty);
    const before = hashes(dir);
    const restore = cli.run(
      'workspace',
      'restore',
      '--workspace',
      dir,
      '--from',
      'workspace.db.bak2',
      '--yes',
    );
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('workspace.db.bak2 cannot be used');
    expect(restore.stderr).toContain('the file is empty');
    expect(hashes(dir)).toEqual(before);
  });

  it('with no usable backup, says to restore the folder from the site backup', async () => {
    const { dir } = await realWorkspace();
    damage(dir, 'workspace.db', empty);
    damage(dir, 'workspace.db.bak1', randomPage);
    damage(dir, 'workspace.db.bak2', halve);
    const before = hashes(dir);
    const check = cli.run('workspace', 'check', '--workspace', dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('restore the folder from your site backup');
    const restore = cli.run('workspace', 'restore', '--workspace', dir, '--yes');
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('restore the folder from your site backup');
    expect(hashes(dir)).toEqual(before);
  });

  it('says what is wrong when the folder holds no workspace', () => {
    const check = cli.run('workspace', 'check', '--workspace', join(import.meta.dirname, 'none'));
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('No workspace at');
  });

  it('is listed in --help', () => {
    const help = cli.run('workspace', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/check/);
    expect(help.stdout).toMatch(/restore/);
  });
});
