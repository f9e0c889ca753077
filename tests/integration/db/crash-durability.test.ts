import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openWorkspace } from '../../../electron/core/db/open-workspace';
import { loadSqlJs } from '../../../electron/core/db/sqljs';
import { manualClock } from '../../../electron/core/platform/clock';
import { memoryLogger } from '../../../electron/core/platform/logger';

import { CRASH_MIGRATIONS } from './crash-schema';

const ITERATIONS = 100;
const MAX_KILL_DELAY_MS = 300;
/** Every Nth run is killed at a random moment from spawn, so kills also land in open/recovery. */
const KILL_FROM_SPAWN_EVERY = 4;
const SNAPSHOT_EVERY_WRITES = 15;
const REPO = resolve(import.meta.dirname, '../../..');

let work: string;
let childScript: string;

beforeAll(async () => {
  work = fs.mkdtempSync(join(tmpdir(), 'patchdeck-crash-'));
  childScript = join(work, 'crash-child.cjs');
  // Bundled as CommonJS (fast start-up, and it exercises the CJS path of sqljs.ts, where
  // import.meta.url is empty); sql.js itself stays external and is found through NODE_PATH.
  await build({
    entryPoints: [join(import.meta.dirname, 'crash-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: childScript,
    external: ['sql.js'],
    loader: { '.sql': 'text' },
    logLevel: 'silent',
  });
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

interface Run {
  acknowledged: string[];
  opened: boolean;
  exitCode: number | null;
  stderr: string;
}

/**
 * Runs the child and SIGKILLs it `delayMs` after it printed `open` (or after spawn when
 * `fromSpawn`), so most kills land while it is writing and snapshotting.
 */
function runAndKill(
  dir: string,
  iteration: number,
  delayMs: number,
  fromSpawn: boolean,
): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [childScript, dir, String(iteration), String(SNAPSHOT_EVERY_WRITES)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') },
      },
    );
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.startsWith('open\n')) arm();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (fromSpawn) arm();
    child.on('error', fail);
    // 'exit' means the process has been reaped, so its pid is gone when the lock is checked.
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').slice(0, -1); // only complete lines count
      done({
        acknowledged: lines.filter((l) => l !== 'open'),
        opened: lines.includes('open'),
        exitCode,
        stderr,
      });
    });
  });
}

describe('crash durability (REL-01)', () => {
  it(`loses no acknowledged write across ${ITERATIONS} SIGKILLs at random moments`, async () => {
    const dir = join(work, 'workspace');
    const SQL = await loadSqlJs();
    const required = new Set<string>();
    let opened = 0;
    let totalAcked = 0;

    for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
      const delay = Math.floor(Math.random() * MAX_KILL_DELAY_MS);
      const fromSpawn = iteration % KILL_FROM_SPAWN_EVERY === KILL_FROM_SPAWN_EVERY - 1;
      const run = await runAndKill(dir, iteration, delay, fromSpawn);
      expect(run.exitCode, `child ended by itself: ${run.stderr}`).toBeNull();
      if (run.opened) opened += 1;
      totalAcked += run.acknowledged.length;
      for (const id of run.acknowledged) required.add(id);
      const inFlight = `${iteration}:${run.acknowledged.length}`;

      // The snapshot file itself is never half-written, whenever the kill landed.
      const snapshotPath = join(dir, 'workspace.db');
      if (fs.existsSync(snapshotPath)) {
        const raw = new SQL.Database(fs.readFileSync(snapshotPath));
        expect(raw.exec('PRAGMA integrity_check')[0]?.values).toEqual([['ok']]);
        raw.close();
      }

      // Alternate a read-only reader (leaving recovery to the next child, which may itself be
      // killed while recovering) and a full open that repairs, snapshots and closes.
      const readOnly = iteration % 2 === 0;
      if (!fs.existsSync(snapshotPath)) continue; // killed before the workspace existed
      const ws = await openWorkspace({
        dir,
        clock: manualClock(),
        log: memoryLogger(),
        migrations: CRASH_MIGRATIONS,
        readOnly,
      });
      expect(ws.get('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
      const present = new Set(ws.all<{ id: string }>('SELECT id FROM items').map((r) => r.id));
      await ws.close();

      const missing = [...required].filter((id) => !present.has(id));
      expect(missing, `iteration ${iteration}: acknowledged rows lost`).toEqual([]);
      const extra = [...present].filter((id) => !required.has(id));
      expect(
        extra.filter((id) => id !== inFlight),
        `iteration ${iteration}`,
      ).toEqual([]);
      // A committed-but-unacknowledged write, once seen, must never disappear again.
      for (const id of extra) required.add(id);
    }

    // Most kills landed after the workspace was open, while rows were being written.
    expect(opened).toBeGreaterThanOrEqual(ITERATIONS - ITERATIONS / KILL_FROM_SPAWN_EVERY);
    expect(totalAcked).toBeGreaterThan(0);
    expect(required.size).toBeGreaterThanOrEqual(totalAcked);
  }, 150_000);
});
