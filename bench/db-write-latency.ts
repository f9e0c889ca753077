// Workspace database write latency: journal append + fdatasync per transaction (what PatchDeck
// does) against exporting the whole database and writing it atomically per change (the naive
// sql.js persistence), with 1k and 1M rows already in the table; plus snapshot duration.
//
// Run: node --import ./build/register-sql.mjs --import tsx bench/db-write-latency.ts
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { openWorkspace } from '../electron/core/db/open-workspace';
import { writeFileAtomic } from '../electron/core/platform/atomic-file';
import { systemClock } from '../electron/core/platform/clock';
import { memoryLogger } from '../electron/core/platform/logger';

const SIZES = [1_000, 1_000_000];
const JOURNAL_WRITES = 2_000;
const NAIVE_WRITES = { 1_000: 200, 1_000_000: 20 } as Record<number, number>;
const SNAPSHOTS = 5;

const MIGRATIONS = [
  {
    version: 1,
    name: 'host_patch_state',
    sql: `CREATE TABLE state (
      id INTEGER PRIMARY KEY, host_id TEXT NOT NULL, patch_id TEXT NOT NULL,
      status TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE INDEX state_host ON state (host_id, patch_id);`,
  },
];

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (n: number) => (n < 10 ? n.toFixed(3) : n.toFixed(1));
  return `p50 ${f(percentile(sorted, 50))} ms, p95 ${f(percentile(sorted, 95))} ms, p99 ${f(percentile(sorted, 99))} ms (n=${samples.length})`;
}

async function benchSize(rows: number): Promise<void> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'patchdeck-bench-'));
  try {
    const ws = await openWorkspace({
      dir,
      clock: systemClock,
      log: memoryLogger(),
      migrations: MIGRATIONS,
      snapshotEveryWrites: Number.MAX_SAFE_INTEGER,
      snapshotEveryBytes: Number.MAX_SAFE_INTEGER,
    });
    const at = '2026-01-01T00:00:00.000Z';
    const batch = 10_000;
    for (let start = 0; start < rows; start += batch) {
      ws.transaction((tx) => {
        for (let i = start; i < Math.min(rows, start + batch); i += 1) {
          tx.run(
            'INSERT INTO state (id, host_id, patch_id, status, updated_at) VALUES (?, ?, ?, ?, ?)',
            [i, `host-${i % 5000}`, `patch-${Math.floor(i / 5000)}`, 'missing', at],
          );
        }
      });
    }
    await ws.snapshot();
    const dbBytes = fs.statSync(join(dir, 'workspace.db')).size;
    console.log(
      `\n## ${rows.toLocaleString('en')} rows (database file ${(dbBytes / 2 ** 20).toFixed(1)} MiB)`,
    );

    // Let the kernel finish writing back the set-up data first, so that its flush is not billed
    // to the first measured fdatasync calls.
    execFileSync('sync');
    const journal: number[] = [];
    for (let i = 0; i < JOURNAL_WRITES; i += 1) {
      const t0 = performance.now();
      ws.transaction((tx) =>
        tx.run('UPDATE state SET status = ?, updated_at = ? WHERE id = ?', [
          'installed',
          at,
          (i * 7919) % rows,
        ]),
      );
      journal.push(performance.now() - t0);
    }
    console.log(`journal (single-row update transaction, append + fdatasync): ${summary(journal)}`);

    const naive: number[] = [];
    const naivePath = join(dir, 'naive.db');
    const naiveWrites = NAIVE_WRITES[rows] ?? 20;
    for (let i = 0; i < naiveWrites; i += 1) {
      const t0 = performance.now();
      ws.transaction((tx) =>
        tx.run('UPDATE state SET status = ?, updated_at = ? WHERE id = ?', [
          'failed',
          at,
          (i * 104729) % rows,
        ]),
      );
      // The naive alternative: after each change, export the whole database and write it atomically.
      await writeFileAtomic(naivePath, ws.exportBytes());
      naive.push(performance.now() - t0);
    }
    console.log(`naive (export + atomic write per change):                   ${summary(naive)}`);

    const snapshots: number[] = [];
    for (let i = 0; i < SNAPSHOTS; i += 1) {
      ws.transaction((tx) => tx.run('UPDATE state SET status = ? WHERE id = ?', ['missing', i]));
      const t0 = performance.now();
      await ws.snapshot();
      snapshots.push(performance.now() - t0);
    }
    console.log(
      `snapshot (export + atomic write + backup rotation):         ${summary(snapshots)}`,
    );
    await ws.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`# Workspace database write latency`);
  console.log(
    `node ${process.version}, ${cpus().length} vCPU (${cpus()[0]?.model ?? 'unknown'}), ${new Date().toISOString()}`,
  );
  for (const rows of SIZES) await benchSize(rows);
}

await main();
