import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

import type { EventPayload } from '../../../shared/api/events';
import { appendAuditRecord } from '../audit/audit-chain';
import type { Workspace } from '../db/workspace';
import { canonicalJson } from '../platform/canonical-json';
import type { Clock } from '../platform/clock';
import type { EventBus } from '../platform/events';
import type { Logger } from '../platform/logger';

import {
  bundleContents,
  bundlesAwaitingStoreCheck,
  bundlesSharingContent,
  setStoreStatus,
  storeStatusOf,
} from './bundles.repository';
import { contentStorePath } from './content-store';
import {
  defaultParallelism,
  readStoredFiles,
  startHashCopyPool,
  type StoredFile,
} from './hash-copy';

/** The audit operation of a store check (recorded by PatchDeck itself, not by an operator). */
export const STORE_CHECK_AUDIT_OP = 'bundles.verifyStore';

/** Who the audit record of a store check names. */
const SYSTEM_ACTOR = 'PatchDeck';

/** What a store check needs from the core. */
export type StoreCheckDeps = {
  workspace: Workspace;
  clock: Clock;
  events: EventBus;
  log: Logger;
  /** Worker threads; one per core (at most four) unless told. */
  parallelism?: number;
};

/** How the check of one bundle's store copy ended. */
export type StoreCheckResult = EventPayload<'bundles.storeVerificationFinished'>;

type CorruptFile = StoreCheckResult['corruptFiles'][number];

/** True while the workspace answers; a closed workspace (the core stopping) takes no writes. */
function isOpen(workspace: Workspace): boolean {
  try {
    workspace.get('SELECT 1 AS open');
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads every stored file of a committed bundle again from the disk, in worker threads, and
 * compares it with the signed length and SHA-256 (REL-07: a destination that accepted a write and
 * returns other bytes later). On Linux the files are read with O_DIRECT, so the bytes come from
 * the disk, not from the page cache that still holds what was written; elsewhere the read goes
 * through the OS file cache, and `readFromDisk` is false.
 *
 * Every file matches: the bundle becomes `verified`. Any file differs, is short or long, or cannot
 * be read: the bundle becomes `corrupt` (quarantined), and so does every other bundle that lists
 * the same content; the bad files are removed from the store after the status and the audit
 * record (with each file's expected and actual hash) are on disk. Either way an audit record and
 * a `bundles.storeVerificationFinished` event follow.
 *
 * Returns null, writing nothing, when the bundle is not imported or the workspace closed meanwhile
 * (the core stopping): the bundle stays `verifying` and is checked again at the next start.
 */
export async function verifyBundleStore(
  deps: StoreCheckDeps,
  bundleId: string,
  options: { stopped?: () => boolean } = {},
): Promise<StoreCheckResult | null> {
  const { workspace, events } = deps;
  if (storeStatusOf(workspace, bundleId) === undefined) return null;
  const contents = bundleContents(workspace, bundleId);
  const files: StoredFile[] = contents.map((c) => ({
    path: c.path,
    storePath: contentStorePath(workspace.dir, c.sha256),
    length: c.length,
    sha256: c.sha256,
  }));
  const bytesTotal = files.reduce((sum, f) => sum + f.length, 0);
  const started = performance.now();
  let bytesDone = 0;
  let lastEmit = 0;
  const emit = (file: string | null, force: boolean) => {
    const now = performance.now();
    if (!force && now - lastEmit < 100) return;
    lastEmit = now;
    events.emit('bundles.storeVerificationProgress', {
      bundleId,
      bytesDone,
      bytesTotal,
      bytesPerSecond: Math.round(bytesDone / Math.max((now - started) / 1000, 1e-3)),
      file,
    });
  };
  const stopped = () => options.stopped?.() === true || !isOpen(workspace);
  emit(null, true);
  const pool = startHashCopyPool(
    Math.min(deps.parallelism ?? defaultParallelism(), Math.max(1, files.length)),
  );
  let readings;
  try {
    readings = await readStoredFiles({
      files,
      pool,
      stopped,
      onProgress: (bytes, file) => {
        bytesDone += bytes;
        emit(file, false);
      },
    });
  } catch (error) {
    await pool.close();
    throw error;
  }
  await pool.release();
  if (stopped() || readings.size !== files.length) return null;

  const corruptFiles: CorruptFile[] = [];
  let readFromDisk = true;
  for (const file of files) {
    const reading = readings.get(file);
    if (!reading) throw new Error(`No reading of ${file.path}.`);
    // An empty file has nothing to read from a disk.
    if (!reading.direct && file.length > 0) readFromDisk = false;
    if (reading.error === null && reading.bytes === file.length && reading.digest === file.sha256) {
      continue;
    }
    corruptFiles.push({
      path: file.path,
      sha256: file.sha256,
      length: file.length,
      actualSha256: reading.error === null ? reading.digest : null,
      actualLength: reading.bytes,
      error: reading.error,
    });
  }
  const storeStatus = corruptFiles.length === 0 ? 'verified' : 'corrupt';
  const at = deps.clock.now().toISOString();
  const durationMs = Math.round(performance.now() - started);
  const corruptHashes = corruptFiles.map((f) => f.sha256);
  const result = workspace.transaction((tx) => {
    const others = bundlesSharingContent(tx, bundleId, corruptHashes)
      .filter((b) => b.storeStatus !== 'corrupt')
      .map((b) => b.bundleId);
    setStoreStatus(tx, bundleId, storeStatus, at, readFromDisk);
    for (const other of others) setStoreStatus(tx, other, 'corrupt', at, null);
    const details = {
      bundleId,
      files: files.length,
      bytes: bytesTotal,
      readFromDisk,
      durationMs,
      ...(storeStatus === 'corrupt'
        ? { corruptFiles, removedFromStore: corruptHashes, alsoQuarantined: others }
        : {}),
    };
    const first = corruptFiles[0];
    appendAuditRecord(tx, {
      at,
      operatorId: null,
      operatorName: SYSTEM_ACTOR,
      op: STORE_CHECK_AUDIT_OP,
      inputDigest: createHash('sha256').update(canonicalJson({ bundleId })).digest('hex'),
      outcome: storeStatus === 'verified' ? 'ok' : 'error',
      errorCode: storeStatus === 'verified' ? null : 'BUNDLE_STORE_CORRUPT',
      summary: first
        ? `Quarantined bundle ${bundleId}: the stored copy of ${first.path}${corruptFiles.length > 1 ? ` and ${corruptFiles.length - 1} more file(s)` : ''} does not match its signed hash`
        : `Verified the stored copy of bundle ${bundleId} (${files.length} files read ${readFromDisk ? 'from the disk' : 'through the OS file cache'})`,
      details,
    });
    return {
      bundleId,
      storeStatus,
      readFromDisk,
      bytes: bytesTotal,
      durationMs,
      corruptFiles,
      alsoQuarantined: others,
    } satisfies StoreCheckResult;
  });
  // Only once the quarantine is on disk: the bad copies go, so nothing can use them.
  for (const sha256 of corruptHashes) {
    await rm(contentStorePath(workspace.dir, sha256), { force: true });
  }
  emit(null, true);
  events.emit('bundles.storeVerificationFinished', result);
  if (storeStatus === 'corrupt') {
    deps.log.error('bundle store copy corrupt; bundle quarantined', {
      bundleId,
      corruptFiles,
      alsoQuarantined: result.alsoQuarantined,
    });
  }
  return result;
}

/** Runs store checks in the background, one bundle at a time. */
export type StoreVerifier = {
  /** Queues the check of a bundle just committed (or repaired). */
  schedule(bundleId: string): void;
  /** Queues every bundle still `verifying` (a check a crash or a stop cut short). */
  resumeUnfinished(): void;
  /** Resolves when every queued check has ended. */
  idle(): Promise<void>;
  /** Stops after the file being read; what is left stays `verifying` for the next start. */
  close(): Promise<void>;
};

/** The background store checker of one core. */
export function createStoreVerifier(deps: StoreCheckDeps): StoreVerifier {
  let chain: Promise<void> = Promise.resolve();
  const queued = new Set<string>();
  let closed = false;
  const run = async (bundleId: string) => {
    queued.delete(bundleId);
    if (closed) return;
    try {
      await verifyBundleStore(deps, bundleId, { stopped: () => closed });
    } catch (error) {
      // The bundle stays `verifying`: it is checked again at the next start.
      deps.log.error('bundle store check failed', { bundleId, error });
    }
  };
  const schedule = (bundleId: string) => {
    if (closed || queued.has(bundleId)) return;
    queued.add(bundleId);
    chain = chain.then(() => run(bundleId));
  };
  return {
    schedule,
    resumeUnfinished() {
      for (const bundleId of bundlesAwaitingStoreCheck(deps.workspace)) schedule(bundleId);
    },
    idle: () => chain,
    async close() {
      closed = true;
      await chain;
    },
  };
}
