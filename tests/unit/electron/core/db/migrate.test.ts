import * as fs from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../../../../electron/core/db/migrations/index';
import {
  ITEMS_V1,
  ITEMS_V2,
  insertItem,
  itemIds,
  makeTempDir,
  openTest,
  rejectionCode,
  removeTempDirs,
} from '../../../../helpers/db-test-kit';

afterEach(removeTempDirs);

describe('migrations', () => {
  it('applies every shipped migration to an empty workspace', async () => {
    const ws = await openTest(makeTempDir(), { migrations: MIGRATIONS });
    const newest = Math.max(...MIGRATIONS.map((m) => m.version));
    expect(ws.schemaVersion).toBe(newest);
    const tables = ws
      .all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['operators', 'settings', 'audit_log']));
    const applied = ws.all('SELECT version, name, checksum, applied_at FROM schema_migrations');
    expect(applied).toEqual(
      MIGRATIONS.map(
        (m) =>
          expect.objectContaining({
            version: m.version,
            name: m.name,
            checksum: expect.any(String) as unknown,
          }) as unknown,
      ),
    );
    await ws.close();
  });

  it('is a no-op when run again, and takes no backup', async () => {
    const dir = makeTempDir();
    const first = await openTest(dir, { migrations: MIGRATIONS });
    const before = first.all('SELECT * FROM schema_migrations');
    await first.close();
    const again = await openTest(dir, { migrations: MIGRATIONS });
    expect(again.all('SELECT * FROM schema_migrations')).toEqual(before);
    expect(again.stats().journalSeq).toBe(first.stats().journalSeq);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.pre-'))).toEqual([]);
    await again.close();
  });

  it('refuses a workspace written by a newer app, leaving it unchanged', async () => {
    const dir = makeTempDir();
    const newer = await openTest(dir, { migrations: [ITEMS_V1, ITEMS_V2] });
    await newer.close();
    const bytes = fs.readFileSync(join(dir, 'workspace.db'));
    expect(await rejectionCode(openTest(dir, { migrations: [ITEMS_V1] }))).toBe(
      'DB_NEWER_THAN_APP',
    );
    expect(fs.readFileSync(join(dir, 'workspace.db')).equals(bytes)).toBe(true);
    expect(fs.existsSync(join(dir, 'workspace.lock'))).toBe(false);
  });

  it('refuses an applied migration whose text was edited', async () => {
    const dir = makeTempDir();
    await (await openTest(dir, { migrations: [ITEMS_V1, ITEMS_V2] })).close();
    const edited = { ...ITEMS_V2, sql: `${ITEMS_V2.sql}\n-- tweaked` };
    await expect(openTest(dir, { migrations: [ITEMS_V1, edited] })).rejects.toMatchObject({
      code: 'MIGRATION_CHECKSUM_MISMATCH',
      message: expect.stringMatching(/schema change 2 "items_tags"/) as unknown,
    });
  });

  it('refuses the newer workspace in read-only mode too', async () => {
    const dir = makeTempDir();
    await (await openTest(dir, { migrations: [ITEMS_V1, ITEMS_V2] })).close();
    expect(await rejectionCode(openTest(dir, { migrations: [ITEMS_V1], readOnly: true }))).toBe(
      'DB_NEWER_THAN_APP',
    );
  });

  it('backs up the workspace before migrating, and the backup opens as it was', async () => {
    const dir = makeTempDir();
    const v1 = await openTest(dir, { migrations: [ITEMS_V1] });
    insertItem(v1, 'kept');
    await v1.close();

    const v2 = await openTest(dir, { migrations: [ITEMS_V1, ITEMS_V2] });
    expect(v2.schemaVersion).toBe(2);
    v2.transaction((tx) => tx.run('UPDATE items SET tag = ?', ['new']));
    await v2.close();
    expect(fs.existsSync(join(dir, 'workspace.pre-0002.bak'))).toBe(true);

    const restored = makeTempDir();
    fs.copyFileSync(join(dir, 'workspace.pre-0002.bak'), join(restored, 'workspace.db'));
    const old = await openTest(restored, { migrations: [ITEMS_V1, ITEMS_V2], readOnly: true });
    expect(old.schemaVersion).toBe(1);
    expect(itemIds(old)).toEqual(['kept']);
    expect(old.all("SELECT name FROM pragma_table_info('items') WHERE name = 'tag'")).toEqual([]);
    await old.close();
  });

  it('makes migrations durable through the journal before the first snapshot', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir, { migrations: [ITEMS_V1, ITEMS_V2] });
    expect(ws.stats().journalSeq).toBe(2);
    expect(ws.stats().snapshotSeq).toBe(2);
    await ws.close();
  });
});
