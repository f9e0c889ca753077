import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { encodeRecord } from '../../../../../electron/core/db/journal';
import {
  crashImage,
  insertItem,
  itemIds,
  makeTempDir,
  openTest,
  rejectionCode,
  removeTempDirs,
  workspaceWithBackup,
} from '../../../../helpers/db-test-kit';

afterEach(removeTempDirs);

function segments(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('workspace.journal.'))
    .sort();
}

function lastSegment(dir: string): string {
  const name = segments(dir).at(-1);
  if (!name) throw new Error('no journal segment');
  return join(dir, name);
}

function snapshotOf(dir: string): Record<string, Buffer> {
  return Object.fromEntries(fs.readdirSync(dir).map((n) => [n, fs.readFileSync(join(dir, n))]));
}

describe('the journal', () => {
  it('keeps acknowledged writes when the app dies without closing', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    for (let i = 0; i < 20; i += 1) insertItem(ws, `item-${String(i).padStart(2, '0')}`);
    const image = crashImage(dir);
    const reopened = await openTest(image);
    expect(itemIds(reopened)).toHaveLength(20);
    expect(reopened.get('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
    await reopened.close();
    await ws.close();
  });

  it('rolls back a transaction that throws: nothing in memory, nothing on disk', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    insertItem(ws, 'before');
    const size = fs.statSync(lastSegment(dir)).size;
    expect(() =>
      ws.transaction((tx) => {
        tx.run('INSERT INTO items (id, body) VALUES (?, ?)', ['doomed', 'x']);
        expect(tx.get('SELECT count(*) AS n FROM items')).toEqual({ n: 2 });
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(itemIds(ws)).toEqual(['before']);
    expect(fs.statSync(lastSegment(dir)).size).toBe(size);
    const reopened = await openTest(crashImage(dir));
    expect(itemIds(reopened)).toEqual(['before']);
    await reopened.close();
    await ws.close();
  });

  it('rolls back when a statement fails even if the callback swallows the error', async () => {
    const ws = await openTest(makeTempDir());
    insertItem(ws, 'a');
    expect(() =>
      ws.transaction((tx) => {
        tx.run('INSERT INTO items (id, body) VALUES (?, ?)', ['b', 'x']);
        try {
          tx.run('INSERT INTO items (id, body) VALUES (?, ?)', ['a', 'duplicate']);
        } catch {
          // swallowed on purpose
        }
      }),
    ).toThrow(/rolled back/);
    expect(itemIds(ws)).toEqual(['a']);
    await ws.close();
  });

  it('returns the callback result and journals nothing for read-only transactions', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    insertItem(ws, 'a');
    const seq = ws.stats().journalSeq;
    expect(ws.transaction((tx) => tx.all('SELECT id FROM items'))).toEqual([{ id: 'a' }]);
    expect(ws.stats().journalSeq).toBe(seq);
    await ws.close();
  });

  it('rejects nondeterministic SQL, async callbacks and nested transactions as bugs', async () => {
    const ws = await openTest(makeTempDir());
    expect(() =>
      ws.transaction((tx) =>
        tx.run("INSERT INTO items (id, body) VALUES (hex(randomblob(4)), datetime('now'))"),
      ),
    ).toThrow(/Nondeterministic/);
    expect(() =>
      ws.transaction((tx) => tx.run('INSERT INTO items (id, body) VALUES (random(), ?)', ['x'])),
    ).toThrow(/Nondeterministic/);
    expect(() => ws.transaction(async () => Promise.resolve())).toThrow(/synchronous/);
    expect(() => ws.transaction(() => ws.transaction(() => 1))).toThrow(/nested/);
    expect(itemIds(ws)).toEqual([]);
    await ws.close();
  });

  it('replays blobs and named parameters exactly', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    const blob = new Uint8Array([0, 1, 2, 250]);
    ws.transaction((tx) => {
      tx.run('CREATE TABLE blobs (id TEXT PRIMARY KEY, data BLOB, x REAL)');
      tx.run('INSERT INTO blobs VALUES ($id, $data, $x)', { $id: 'b', $data: blob, $x: 0.1 });
    });
    const reopened = await openTest(crashImage(dir));
    expect(reopened.get('SELECT * FROM blobs')).toEqual({ id: 'b', data: blob, x: 0.1 });
    await reopened.close();
    await ws.close();
  });

  it('truncates a torn final record and warns, keeping everything before it', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    insertItem(ws, 'a');
    insertItem(ws, 'b');
    const image = crashImage(dir);
    await ws.close();
    const segment = lastSegment(image);
    const goodSize = fs.statSync(segment).size;
    const next = encodeRecord(99, [{ sql: "INSERT INTO items VALUES ('c', 'c', 0)" }]);
    fs.appendFileSync(segment, next.subarray(0, next.length - 3));

    const reopened = await openTest(image);
    expect(itemIds(reopened)).toEqual(['a', 'b']);
    expect(fs.statSync(segment).size).toBe(goodSize);
    expect(reopened.logs.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/incomplete/) as unknown,
      }),
    );
    insertItem(reopened, 'c');
    await reopened.close();
    const again = await openTest(image);
    expect(itemIds(again)).toEqual(['a', 'b', 'c']);
    await again.close();
  });

  it('refuses a journal damaged in the middle and leaves every file untouched', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    insertItem(ws, 'a');
    insertItem(ws, 'b');
    insertItem(ws, 'c');
    const image = crashImage(dir);
    await ws.close();
    const segment = lastSegment(image);
    const bytes = fs.readFileSync(segment);
    bytes[24] = (bytes[24] ?? 0) ^ 0xff; // inside the first record's payload
    fs.writeFileSync(segment, bytes);
    const before = snapshotOf(image);

    await expect(openTest(image)).rejects.toMatchObject({
      code: 'WORKSPACE_CORRUPT',
      message: expect.stringContaining('damaged in the middle') as unknown,
    });
    expect(snapshotOf(image)).toEqual(before);
  });
});

describe('snapshots', () => {
  it('snapshots in the background past the threshold and prunes old journal segments', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir, { snapshotEveryWrites: 5 });
    for (let round = 0; round < 6; round += 1) {
      for (let i = 0; i < 5; i += 1) insertItem(ws, `r${round}-${i}`);
      await ws.idle();
    }
    const stats = ws.stats();
    expect(stats.snapshotSeq).toBe(stats.journalSeq);
    // One generation of journal is kept behind the snapshot (for .bak1), never more.
    expect(segments(dir).length).toBeLessThanOrEqual(2);
    expect(fs.existsSync(join(dir, 'workspace.db.bak1'))).toBe(true);
    expect(fs.existsSync(join(dir, 'workspace.db.bak2'))).toBe(true);
    const reopened = await openTest(crashImage(dir));
    expect(itemIds(reopened)).toHaveLength(30);
    await reopened.close();
    await ws.close();
  });

  it('keeps writes made while a snapshot is being written', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    insertItem(ws, 'a');
    const pending = ws.snapshot();
    insertItem(ws, 'b'); // lands in the new segment while the file is written
    await pending;
    insertItem(ws, 'c');
    const reopened = await openTest(crashImage(dir));
    expect(itemIds(reopened)).toEqual(['a', 'b', 'c']);
    await reopened.close();
    await ws.close();
  });

  it('defers a snapshot requested inside a transaction until it has committed', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    let pending: Promise<void> | undefined;
    ws.transaction((tx) => {
      tx.run("INSERT INTO items (id, body) VALUES ('a', 'a')");
      pending = ws.snapshot();
    });
    await pending;
    expect(ws.stats().snapshotSeq).toBe(ws.stats().journalSeq);
    await ws.close();
  });

  it('restores from .bak1 plus the journal without losing anything', async () => {
    const dir = await workspaceWithBackup();
    fs.copyFileSync(join(dir, 'workspace.db.bak1'), join(dir, 'workspace.db'));
    const restored = await openTest(dir);
    expect(itemIds(restored)).toEqual(['a', 'b', 'c']);
    await restored.close();
  });
});

describe('a damaged snapshot at startup', () => {
  async function damagedWorkspace(damage: (bytes: Buffer) => Buffer): Promise<string> {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    for (let i = 0; i < 200; i += 1) insertItem(ws, `item-${i}`, 'x'.repeat(200));
    await ws.snapshot();
    insertItem(ws, 'last');
    await ws.close();
    const path = join(dir, 'workspace.db');
    fs.writeFileSync(path, damage(fs.readFileSync(path)));
    return dir;
  }

  it.each([
    ['truncated to half', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['zero-length', () => Buffer.alloc(0)],
    [
      'a page of random bytes',
      (b: Buffer) => {
        const pageSize = b.readUInt16BE(16);
        const copy = Buffer.from(b);
        randomBytes(pageSize).copy(copy, pageSize * 2);
        return copy;
      },
    ],
  ])(
    '%s: refuses with WORKSPACE_CORRUPT, lists backups, changes nothing',
    async (_label, damage) => {
      const dir = await damagedWorkspace(damage);
      const before = snapshotOf(dir);
      const error = await openTest(dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: 'WORKSPACE_CORRUPT',
        message: expect.stringContaining(join(dir, 'workspace.db')) as unknown,
        details: {
          backups: expect.arrayContaining([{ file: 'workspace.db.bak1', usable: true }]) as unknown,
        },
      });
      expect((error as Error).message).toMatch(/workspace\.db\.bak1/);
      expect(snapshotOf(dir)).toEqual(before);
      expect(fs.existsSync(join(dir, 'workspace.lock'))).toBe(false);
    },
  );

  it('never creates an empty workspace over a missing snapshot that had a journal', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    insertItem(ws, 'a');
    await ws.close();
    fs.unlinkSync(join(dir, 'workspace.db'));
    expect(await rejectionCode(openTest(dir))).toBe('WORKSPACE_CORRUPT');
    expect(fs.existsSync(join(dir, 'workspace.db'))).toBe(false);
  });
});

describe('the workspace lock', () => {
  it('refuses a second open of the same folder', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    await expect(openTest(dir)).rejects.toMatchObject({
      code: 'WORKSPACE_IN_USE',
      message: expect.stringContaining(`process ${process.pid}`) as unknown,
    });
    await ws.close();
    const again = await openTest(dir);
    await again.close();
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const dir = makeTempDir();
    await (await openTest(dir)).close();
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    if (dead === undefined) throw new Error('could not start a child process');
    const { hostname } = await import('node:os');
    fs.writeFileSync(join(dir, 'workspace.lock'), JSON.stringify({ pid: dead, host: hostname() }));
    const ws = await openTest(dir);
    expect(JSON.parse(fs.readFileSync(join(dir, 'workspace.lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    expect(ws.logs.entries).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/stale/) as unknown }),
    );
    await ws.close();
    expect(fs.existsSync(join(dir, 'workspace.lock'))).toBe(false);
  });
});

describe('read-only mode', () => {
  it('reads snapshot plus journal and writes nothing, not even a torn-tail repair', async () => {
    const dir = makeTempDir();
    const writer = await openTest(dir);
    insertItem(writer, 'a');
    const segment = lastSegment(dir);
    fs.appendFileSync(segment, Buffer.from('PDJ1 torn'));
    const before = snapshotOf(dir);
    const reader = await openTest(dir, { readOnly: true });
    expect(itemIds(reader)).toEqual(['a']);
    expect(reader.schemaVersion).toBe(1);
    expect(() => insertItem(reader, 'b')).toThrow(/read-only/);
    await reader.close();
    expect(snapshotOf(dir)).toEqual(before);
    await writer.close().catch(() => undefined);
  });

  it('refuses a folder without a workspace', async () => {
    expect(await rejectionCode(openTest(makeTempDir(), { readOnly: true }))).toBe(
      'VALIDATION_FAILED',
    );
  });
});
