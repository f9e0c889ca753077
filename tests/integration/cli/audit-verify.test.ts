import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadSqlJs } from '../../../electron/core/db/sqljs';
import { createTestCore, withAdmin, withOperator } from '../../helpers/test-core';

import { buildCli, type BuiltCli } from './cli-kit';

const root = join(import.meta.dirname, '..', '..', '..');
let cli: BuiltCli;

/** Runs the built `patchdeck` command as an operator would. */
function patchdeck(...args: string[]) {
  return cli.run(...args);
}

beforeAll(async () => {
  // The real bundle, built the way `npm run build` builds it (renderer not needed here).
  cli = await buildCli('audit');
}, 180_000);

afterAll(() => cli.remove());

describe('patchdeck audit verify', () => {
  it('passes an intact workspace and names the first bad record of a tampered one', async () => {
    const t = await createTestCore();
    try {
      const admin = await withAdmin(t);
      await withOperator(t, admin, 'tech1', ['technician']);
      await admin.call('settings.update', { idleLockMinutes: 9 });
      await t.close();

      const intact = patchdeck('audit', 'verify', '--workspace', t.dir);
      expect(intact.code, intact.stderr).toBe(0);
      expect(intact.stdout).toContain('Audit chain intact: 4 records');

      const SQL = await loadSqlJs();
      const file = join(t.dir, 'workspace.db');
      const db = new SQL.Database(readFileSync(file));
      db.run("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3");
      writeFileSync(file, db.export());
      db.close();

      const broken = patchdeck('audit', 'verify', '--workspace', t.dir, '--json');
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout)).toMatchObject({ valid: false, firstBadSeq: 3, checked: 2 });
    } finally {
      await t.dispose();
    }
  });

  it('says what is wrong when the folder holds no workspace', () => {
    const result = patchdeck('audit', 'verify', '--workspace', join(root, 'no-such-workspace'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No workspace at');
  });

  it('lists its commands in --help', () => {
    const help = patchdeck('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/serve/);
    expect(help.stdout).toMatch(/audit/);
  });
});
