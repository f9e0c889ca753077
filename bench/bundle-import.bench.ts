// Bundle import throughput: PatchDeck importing a 1 GiB bundle (8 files of 128 MiB random data:
// each read once, the bytes written to staging hashed, fsynced, moved into the content store and
// the bundle committed: the media may be removed then), and after it the background check of the
// store copy (every stored file read again from the disk with O_DIRECT and hashed), against
// `openssl dgst -sha256` of the same files and `cp` of them (plain, and followed by `sync`), all
// on the same disk, page cache left as it is. The workers run from the build
// (dist/electron/workers), as the app ships them, started when the bundle is inspected (as the
// app does) so the import finds them warm; their cold start is measured on its own. Also reports how far the core's event loop was
// delayed during the import (the hashing runs in worker threads).
//
// Run: npm run build && npm run bench:bundle
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { buildBundle, makeRoot, signAll } from '../electron/core/bundles/bundle-builder';
import {
  defaultParallelism,
  HASH_COPY_WORKER,
  warmHashCopyPool,
  type HashCopyInput,
  type HashCopyMessage,
  type HashCopyResult,
} from '../electron/core/bundles/hash-copy';
import { importBundle } from '../electron/core/bundles/import-bundle';
import { verifyBundleStore } from '../electron/core/bundles/store-verification';
import { addPublisher, readRootFromMedia } from '../electron/core/bundles/trust-store';
import { openWorkspace } from '../electron/core/db/open-workspace';
import { systemClock } from '../electron/core/platform/clock';
import { createEventBus } from '../electron/core/platform/events';
import { randomIds } from '../electron/core/platform/ids';
import { memoryLogger } from '../electron/core/platform/logger';
import { startWorkerSession, useBuiltWorkers } from '../electron/core/platform/worker';
import { keyFingerprint } from '../shared/domain/bundle-manifest';
import { writeRandomFile } from '../tests/helpers/bundle-kit';

const FILES = 8;
const FILE_BYTES = 128 * 1024 * 1024;
const RUNS = 3;
const TOTAL = FILES * FILE_BYTES;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mbps = (seconds: number) => TOTAL / 1e6 / seconds;

/** Uses the built workers, refusing a build older than the sources it came from. */
function useFreshBuiltWorkers(): void {
  const folder = new URL('../dist/electron/workers/', import.meta.url);
  const built = fileURLToPath(new URL('hash-copy.mjs', folder));
  const sources = [
    '../electron/core/bundles/hash-copy.worker.ts',
    '../electron/core/bundles/hash-copy.ts',
    '../electron/core/platform/worker.ts',
  ].map((s) => fileURLToPath(new URL(s, import.meta.url)));
  const newest = Math.max(...sources.map((s) => statSync(s).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest) {
    throw new Error(`${built} is missing or older than its sources: run npm run build first.`);
  }
  useBuiltWorkers(folder);
}

/** Starting the hash-copy threads from cold: new threads until each has answered one job. */
async function coldStartMs(dir: string): Promise<number> {
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  const file = { path: 'empty', storePath: empty, length: 0, sha256: '' };
  const start = performance.now();
  const sessions = Array.from({ length: defaultParallelism() }, () =>
    startWorkerSession<HashCopyInput, HashCopyResult, HashCopyMessage>(HASH_COPY_WORKER),
  );
  await Promise.all(sessions.map((s) => s.run({ task: 'read-stored', file })));
  const ms = performance.now() - start;
  await Promise.all(sessions.map((s) => s.close()));
  return ms;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return (performance.now() - start) / 1000;
}

async function main(): Promise<void> {
  useFreshBuiltWorkers();
  const base = mkdtempSync(join(tmpdir(), 'patchdeck-bench-bundle-'));
  try {
    const payloadDir = join(base, 'payload');
    mkdirSync(payloadDir);
    const files = Array.from({ length: FILES }, (_, i) => {
      const source = join(payloadDir, `blob-${i}.bin`);
      writeRandomFile(source, FILE_BYTES);
      return { path: `data/blob-${i}.bin`, source };
    });
    const rootKey = generateKeyPairSync('ed25519').privateKey;
    const targetsKey = generateKeyPairSync('ed25519').privateKey;
    const root = signAll(
      makeRoot({
        publisher: 'bench',
        version: 1,
        created: new Date().toISOString(),
        rootKeys: [rootKey],
        rootThreshold: 1,
        targetsKeys: [targetsKey],
        targetsThreshold: 1,
      }),
      [rootKey],
    );
    const bundleDir = join(base, 'stick', 'bundle');
    await buildBundle(
      {
        bundleId: 'bench-1',
        channel: 'stable',
        sequence: 1,
        created: new Date().toISOString(),
        expires: '2099-01-01T00:00:00.000Z',
        roots: [root],
        files,
        patches: [],
        keys: [targetsKey],
      },
      bundleDir,
    );
    const rootFile = join(base, '1.root.json');
    execFileSync('cp', [join(bundleDir, '1.root.json'), rootFile]);
    const sources = files.map((f) => join(bundleDir, ...f.path.split('/')));
    execFileSync('sync');

    const results: Record<string, number[]> = {
      patchdeck: [],
      storeCheck: [],
      openssl: [],
      cp: [],
      cpSync: [],
    };
    const loopDelay: { p99: number; max: number }[] = [];
    const reads: number[] = [];
    const direct: boolean[] = [];
    const firstByte: number[] = [];
    const phaseTimes: string[] = [];
    const loads: number[] = [loadavg()[0] ?? NaN];
    const coldStarts: number[] = [];

    // Run -1 is a warm-up, not reported: on the VM this was measured on, the first 1 GiB a new
    // process writes was 1.5-3x slower than every later run, for PatchDeck and plain writes alike.
    for (let run = -1; run < RUNS; run += 1) {
      const keep = <T>(list: T[] | undefined, value: T) => {
        if (run >= 0) list?.push(value);
      };
      const ws = join(base, `ws-${run}`);
      const workspace = await openWorkspace({ dir: ws, clock: systemClock, log: memoryLogger() });
      const rootOnMedia = await readRootFromMedia(rootFile);
      const at = new Date().toISOString();
      workspace.transaction((tx) =>
        addPublisher(
          tx,
          rootOnMedia,
          keyFingerprint(root.signed.roles.root.keyids[0] ?? ''),
          at,
          'bench',
        ),
      );
      keep(coldStarts, await coldStartMs(base));
      // As the app does when the operator inspects the bundle before importing it.
      warmHashCopyPool();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      const events = createEventBus(memoryLogger());
      let first = NaN;
      const phases: string[] = [];
      let lastPhase = '';
      const stop = events.subscribe((name, payload) => {
        if (name !== 'bundles.importProgress') return;
        const p = payload as { phase: string; bytesDone: number };
        if (p.phase === 'copying' && p.bytesDone > 0 && Number.isNaN(first)) {
          first = performance.now() - start;
        }
        if (p.phase !== lastPhase) {
          lastPhase = p.phase;
          phases.push(`${p.phase} ${(performance.now() - start).toFixed(0)}`);
        }
      });
      const start = performance.now();
      const report = await importBundle(
        { workspace, clock: systemClock, ids: randomIds, events },
        { source: bundleDir, allowExpired: false },
        {
          operatorId: null,
          operatorName: 'bench',
          mayOverrideExpiry: false,
          commit: (fn) => workspace.transaction(fn),
          describe: () => undefined,
        },
      );
      const seconds = (performance.now() - start) / 1000;
      stop();
      const checkStart = performance.now();
      const check = await verifyBundleStore(
        { workspace, clock: systemClock, events, log: memoryLogger() },
        report.bundle.bundleId,
      );
      keep(results['storeCheck'], (performance.now() - checkStart) / 1000);
      if (check?.storeStatus !== 'verified') throw new Error('The store check did not verify.');
      keep(direct, check.readFromDisk);
      keep(firstByte, first);
      keep(phaseTimes, phases.join(', '));
      histogram.disable();
      keep(results['patchdeck'], seconds);
      keep(reads, report.bytesRead);
      keep(loopDelay, { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 });
      await workspace.close();
      rmSync(ws, { recursive: true, force: true });

      keep(
        results['openssl'],
        time(() => execFileSync('openssl', ['dgst', '-sha256', ...sources])),
      );

      const dest = join(base, `cp-${run}`);
      mkdirSync(dest);
      keep(
        results['cp'],
        time(() => execFileSync('cp', [...sources, dest])),
      );
      rmSync(dest, { recursive: true, force: true });
      mkdirSync(dest);
      keep(
        results['cpSync'],
        time(() => {
          execFileSync('cp', [...sources, dest]);
          execFileSync('sync');
        }),
      );
      rmSync(dest, { recursive: true, force: true });
      keep(loads, loadavg()[0] ?? NaN);
    }

    const line = (name: string, key: string) => {
      const runs = results[key] ?? [];
      console.log(
        `${name.padEnd(58)} median ${mbps(median(runs)).toFixed(0).padStart(5)} MB/s   runs: ${runs.map((s) => `${s.toFixed(2)} s`).join(', ')}`,
      );
    };
    console.log(
      `Bundle of ${FILES} x ${FILE_BYTES / 1024 / 1024} MiB = ${TOTAL / 1e6} MB; ${cpus()[0]?.model ?? 'cpu'} x ${availableParallelism()}; Node ${process.version}`,
    );
    line('PatchDeck import until commit (read once, hash+write, fsync)', 'patchdeck');
    line('PatchDeck store check after commit (O_DIRECT re-read)', 'storeCheck');
    line('openssl dgst -sha256', 'openssl');
    line('cp', 'cp');
    line('cp + sync', 'cpSync');
    const ratio = mbps(median(results['patchdeck'] ?? [])) / mbps(median(results['openssl'] ?? []));
    console.log(`PatchDeck / openssl dgst: ${ratio.toFixed(2)}x`);
    console.log(`Media bytes read per import: ${reads.join(', ')} (payload ${TOTAL})`);
    console.log(`Store check read from the disk (O_DIRECT): ${direct.join(', ')}`);
    console.log(
      `First payload byte hashed after (metadata checks; threads warm, as after inspect): ${firstByte.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
    );
    console.log(
      `Cold start of the hash-copy threads (not in the import times above): ${coldStarts.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
    );
    console.log(`Phase starts (ms into the import): ${phaseTimes.join(' | ')}`);
    console.log(
      `Load average (1 min) before and after each run: ${loads.map((l) => l.toFixed(2)).join(', ')}`,
    );
    console.log(
      `Event-loop delay during import: ${loopDelay.map((d) => `p99 ${d.p99.toFixed(1)} ms / max ${d.max.toFixed(1)} ms`).join('; ')}`,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
