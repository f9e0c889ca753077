import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Migration } from '../../electron/core/db/migrations/index';
import {
  openWorkspace,
  type DurableWorkspace,
  type OpenWorkspaceOptions,
} from '../../electron/core/db/open-workspace';
import { LOCK_FILE } from '../../electron/core/db/workspace-lock';
import { nodeFsPort, type FsPort } from '../../electron/core/platform/atomic-file';
import { manualClock } from '../../electron/core/platform/clock';
import { memoryLogger } from '../../electron/core/platform/logger';
import { AppError, type ErrorCode } from '../../shared/api/errors';

/** Temp folders made by {@link makeTempDir}, removed by {@link removeTempDirs}. */
const made: string[] = [];

/** A fresh, empty temp folder. */
export function makeTempDir(label = 'patchdeck-db-'): string {
  const dir = fs.mkdtempSync(join(tmpdir(), label));
  made.push(dir);
  return dir;
}

/** Removes every folder made by {@link makeTempDir}; call from afterEach. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * What a crash would leave: a copy of the workspace files as they are on disk now, without the
 * lock (whose owner, this process, is alive), in a new folder.
 */
export function crashImage(dir: string): string {
  const copy = makeTempDir('patchdeck-crash-');
  for (const name of fs.readdirSync(dir)) {
    if (name === LOCK_FILE) continue;
    fs.copyFileSync(join(dir, name), join(copy, name));
  }
  return copy;
}

/** A small test schema used instead of the real migrations where the schema does not matter. */
export const ITEMS_V1: Migration = {
  version: 1,
  name: 'items',
  sql: 'CREATE TABLE items (id TEXT PRIMARY KEY, body TEXT NOT NULL, n INTEGER);',
};

/** A second test migration. */
export const ITEMS_V2: Migration = {
  version: 2,
  name: 'items_tags',
  sql: 'ALTER TABLE items ADD COLUMN tag TEXT;\nCREATE INDEX items_tag ON items (tag);',
};

/** Opens a workspace with a manual clock and a memory logger. */
export async function openTest(
  dir: string,
  extra: Partial<OpenWorkspaceOptions> = {},
): Promise<DurableWorkspace & { logs: ReturnType<typeof memoryLogger> }> {
  const log = memoryLogger();
  const ws = await openWorkspace({
    dir,
    clock: manualClock(),
    log,
    migrations: [ITEMS_V1],
    ...extra,
  });
  return Object.assign(ws, { logs: log });
}

/** Inserts one item in its own transaction. */
export function insertItem(ws: DurableWorkspace, id: string, body = `body of ${id}`): void {
  ws.transaction((tx) => tx.run('INSERT INTO items (id, body) VALUES (?, ?)', [id, body]));
}

/** The ids in `items`, sorted. */
export function itemIds(ws: DurableWorkspace): string[] {
  return ws.all<{ id: string }>('SELECT id FROM items ORDER BY id').map((r) => r.id);
}

/**
 * A closed workspace whose `.bak1` holds items a and b, while c exists only in the journal (and
 * in workspace.db): the shape every restore test starts from.
 */
export async function workspaceWithBackup(): Promise<string> {
  const dir = makeTempDir();
  const ws = await openTest(dir);
  insertItem(ws, 'a');
  await ws.snapshot();
  insertItem(ws, 'b');
  await ws.snapshot();
  insertItem(ws, 'c');
  await ws.close();
  return dir;
}

/** Awaits `promise` and returns the AppError code it rejected with. */
export async function rejectionCode(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('Expected a rejection.');
}

/** Which calls a {@link FaultyFs} can fail. */
export type FaultKind = 'write' | 'fsync' | 'rename';

/** An FsPort that fails the Nth call of one kind with `code`, once or from then on. */
export interface FaultyFs extends FsPort {
  /** Calls of the watched kind so far. */
  readonly calls: number;
  /** Failures injected so far. */
  readonly failures: number;
  /** Stops injecting. */
  heal(): void;
}

/** Builds a {@link FaultyFs} over the real file system. */
export function faultyFs(options: {
  kind: FaultKind;
  nth: number;
  code: 'ENOSPC' | 'EIO';
  persistent: boolean;
}): FaultyFs {
  let calls = 0;
  let failures = 0;
  let healed = false;
  const maybeFail = (kind: FaultKind, what: string) => {
    if (kind !== options.kind) return;
    calls += 1;
    const due = options.persistent ? calls >= options.nth : calls === options.nth;
    if (due && !healed) {
      failures += 1;
      throw Object.assign(new Error(`${options.code}: injected failure, ${what}`), {
        code: options.code,
      });
    }
  };
  const real = nodeFsPort;
  const port: FsPort = {
    ...real,
    writeSync: (...args) => {
      maybeFail('write', 'writeSync');
      return real.writeSync(...args);
    },
    write: async (...args) => {
      maybeFail('write', 'write');
      return real.write(...args);
    },
    fsyncSync: (fd) => {
      maybeFail('fsync', 'fsyncSync');
      real.fsyncSync(fd);
    },
    fdatasyncSync: (fd) => {
      maybeFail('fsync', 'fdatasyncSync');
      real.fdatasyncSync(fd);
    },
    fsync: async (fd) => {
      maybeFail('fsync', 'fsync');
      await real.fsync(fd);
    },
    renameSync: (from, to) => {
      maybeFail('rename', 'renameSync');
      real.renameSync(from, to);
    },
    rename: async (from, to) => {
      maybeFail('rename', 'rename');
      await real.rename(from, to);
    },
  };
  // defineProperties, not Object.assign: assign would copy the getters' current values.
  return Object.defineProperties(port, {
    calls: { get: () => calls },
    failures: { get: () => failures },
    heal: {
      value: () => {
        healed = true;
      },
    },
  }) as FaultyFs;
}
