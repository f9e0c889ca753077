import * as fs from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { acquireWorkspaceLock } from '../../../electron/core/db/workspace-lock';
import { nodeFsPort } from '../../../electron/core/platform/atomic-file';
import { memoryLogger } from '../../../electron/core/platform/logger';
import {
  crashImage,
  insertItem,
  itemIds,
  makeTempDir,
  openTest,
  removeTempDirs,
  workspaceWithBackup,
} from '../../helpers/db-test-kit';

afterEach(removeTempDirs);

describe('opening a backup read-only (snapshotFile, skipJournal)', () => {
  it('shows a backup as it was, or with the journal replayed on top, and writes nothing', async () => {
    const dir = await workspaceWithBackup();
    const before = fs.readdirSync(dir).sort();

    const alone = await openTest(dir, {
      readOnly: true,
      snapshotFile: 'workspace.db.bak1',
      skipJournal: true,
    });
    expect(itemIds(alone)).toEqual(['a', 'b']);
    await alone.close();

    const replayed = await openTest(dir, { readOnly: true, snapshotFile: 'workspace.db.bak1' });
    expect(itemIds(replayed)).toEqual(['a', 'b', 'c']);
    await replayed.close();

    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });

  it('names the backup when it is damaged, and refuses these options on a writable open', async () => {
    const dir = await workspaceWithBackup();
    fs.writeFileSync(join(dir, 'workspace.db.bak1'), Buffer.alloc(0));
    await expect(
      openTest(dir, { readOnly: true, snapshotFile: 'workspace.db.bak1', skipJournal: true }),
    ).rejects.toMatchObject({
      code: 'WORKSPACE_CORRUPT',
      details: { file: 'workspace.db.bak1', reason: 'the file is empty (0 bytes)' },
    });
    await expect(openTest(dir, { snapshotFile: 'workspace.db.bak2' })).rejects.toThrow(
      /only allowed with readOnly/,
    );
  });
});

describe('a lock handed to openWorkspace', () => {
  it('is used instead of taking a new one, and released on close', async () => {
    const dir = await workspaceWithBackup();
    const lock = acquireWorkspaceLock(dir, nodeFsPort, memoryLogger());
    const ws = await openTest(dir, { lock });
    insertItem(ws, 'd');
    await ws.close();
    expect(fs.existsSync(join(dir, 'workspace.lock'))).toBe(false);
    const again = await openTest(dir);
    expect(itemIds(again)).toEqual(['a', 'b', 'c', 'd']);
    await again.close();
  });
});

describe('the WORKSPACE_CORRUPT advice', () => {
  it('names `patchdeck workspace check` and `restore --yes` for a damaged snapshot', async () => {
    const dir = await workspaceWithBackup();
    fs.writeFileSync(join(dir, 'workspace.db'), Buffer.alloc(0));
    const error = await openTest(dir).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(`patchdeck workspace check --workspace "${dir}"`);
    expect(error?.message).toContain(`patchdeck workspace restore --workspace "${dir}" --yes`);
    expect(error?.message).toMatch(/workspace\.db\.bak1/);
  });

  it('does not suggest a backup restore for a journal damaged in the middle', async () => {
    const dir = makeTempDir();
    const ws = await openTest(dir);
    insertItem(ws, 'a');
    insertItem(ws, 'b');
    const image = crashImage(dir); // the journal still holds both records
    await ws.close();
    const segment = fs
      .readdirSync(image)
      .filter((n) => n.startsWith('workspace.journal.'))
      .sort()
      .at(-1);
    if (!segment) throw new Error('no journal segment');
    const bytes = fs.readFileSync(join(image, segment));
    bytes[24] = (bytes[24] ?? 0) ^ 0xff; // inside the first record's payload
    fs.writeFileSync(join(image, segment), bytes);
    const error = await openTest(image).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe('WORKSPACE_CORRUPT');
    expect(error?.message).toContain('patchdeck workspace check');
    expect(error?.message).not.toContain('workspace restore');
    expect(error?.message).toContain('site backup');
  });
});
