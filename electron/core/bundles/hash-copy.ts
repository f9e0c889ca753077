import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { AppError } from '../../../shared/api/errors';
import { errorCode } from '../platform/atomic-file';
import { startWorkerSession, workerModule, type WorkerSession } from '../platform/worker';

/** One payload file to read: where it is listed, what it must be, and whether to keep a copy. */
export type PayloadFile = {
  /** Position in the manifest; the staged copy is named after it. */
  index: number;
  path: string;
  length: number;
  sha256: string;
  /** False when the store already holds this content: hash only, write nothing. */
  store: boolean;
};

/** A stored file to read again: where it is and what it must be. */
export type StoredFile = { path: string; storePath: string; length: number; sha256: string };

/** One job for a hash-copy worker. */
export type HashCopyInput =
  | { task: 'copy-file'; root: string; file: PayloadFile; stagingDir: string | null }
  | {
      task: 'copy-tar';
      tarPath: string;
      files: PayloadFile[];
      metadataNames: string[];
      stagingDir: string | null;
    }
  | { task: 'read-stored'; file: StoredFile };

/** From a worker: bytes since the last progress message, or a file fully staged (tar). */
export type HashCopyMessage =
  { kind: 'progress'; bytes: number; file: string | null } | { kind: 'staged'; index: number };

/** What a worker did. */
export type HashCopyResult = {
  bytesRead: number;
  bytesWritten: number;
  /** `read-stored` only: what the stored copy turned out to be. */
  stored?: StoredReading;
};

/**
 * A stored copy as read back from the disk: its SHA-256 (null when it could not be read to the
 * end), the bytes read (at most length + 1), whether the read bypassed the OS file cache
 * (O_DIRECT), and the error code when reading failed (ENOENT for a missing file, EIO, …).
 */
export type StoredReading = {
  digest: string | null;
  bytes: number;
  direct: boolean;
  error: string | null;
};

/** The worker that reads the media once, hashing while it copies into staging. */
export const HASH_COPY_WORKER = workerModule(
  'hash-copy',
  new URL('./hash-copy.worker.ts', import.meta.url),
);

/** Where the payload comes from. */
export type PayloadSource = { kind: 'directory' | 'tar'; path: string; metadataNames: string[] };

/** How many worker threads an import uses: one per core, at most four. */
export function defaultParallelism(): number {
  return Math.min(4, Math.max(1, availableParallelism()));
}

type HashCopySession = WorkerSession<HashCopyInput, HashCopyResult, HashCopyMessage>;

/**
 * Hash-copy worker threads for one import, store check or `bundle verify`. `release` gives them
 * back to be kept warm for the next job; `close` stops them (a failed copy closes them, to stop
 * every lane at once).
 */
export type HashCopyPool = {
  sessions: HashCopySession[];
  close(): Promise<void>;
  release(): Promise<void>;
};

/** How long released threads are kept warm for the next job before they are stopped. */
const WARM_FOR_MS = 60_000;

/** The released pool kept warm, if any. */
let warm: { pool: HashCopyPool; timer: NodeJS.Timeout } | undefined;

function newPool(parallelism: number): HashCopyPool {
  const sessions = Array.from({ length: Math.max(1, parallelism) }, () =>
    startWorkerSession<HashCopyInput, HashCopyResult, HashCopyMessage>(HASH_COPY_WORKER),
  );
  let closing: Promise<void> | undefined;
  const pool: HashCopyPool = {
    sessions,
    close() {
      closing ??= Promise.all(sessions.map((s) => s.close())).then(() => undefined);
      return closing;
    },
    release() {
      if (closing) return closing;
      if (warm) {
        // One warm pool is enough; stop the one kept before.
        const previous = warm;
        clearTimeout(previous.timer);
        void previous.pool.close();
      }
      const timer = setTimeout(() => {
        if (warm?.pool === pool) warm = undefined;
        void pool.close();
      }, WARM_FOR_MS);
      // Idle threads never keep the process alive (worker sessions unref themselves when idle).
      timer.unref();
      warm = { pool, timer };
      return Promise.resolve();
    },
  };
  return pool;
}

/**
 * Worker threads for one job: the warm pool when one of that size is free, else new threads.
 * Starting two threads costs 0.1 s on an idle machine and 0.35-0.55 s on a busy one (measured
 * here), so call it before the metadata checks, or {@link warmHashCopyPool} when an import is
 * likely (the operator inspected a bundle). Release the pool when done.
 */
export function startHashCopyPool(parallelism = defaultParallelism()): HashCopyPool {
  const size = Math.max(1, parallelism);
  if (warm) {
    const { pool, timer } = warm;
    clearTimeout(timer);
    warm = undefined;
    if (pool.sessions.length === size && pool.sessions.every((s) => s.isAlive())) return pool;
    void pool.close();
  }
  return newPool(size);
}

/**
 * Starts the worker threads of the next import now, and keeps them warm for a while. Best effort:
 * where threads cannot start, the import starts its own (and reports why).
 */
export function warmHashCopyPool(): void {
  if (warm) return;
  try {
    void newPool(defaultParallelism()).release();
  } catch {
    // The import will try again and fail with the reason, if there is one.
  }
}

/** Flushes a staged copy to disk, on the thread pool so the core keeps answering. */
async function fsyncStaged(stagingDir: string, file: PayloadFile): Promise<void> {
  try {
    const handle = await open(join(stagingDir, String(file.index)), 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new AppError(
      'STORAGE_WRITE_FAILED',
      `Could not write the copy of ${file.path} into the workspace store (${errorCode(error) ?? 'error'}).`,
      { file: file.path, cause: errorCode(error) ?? null },
    );
  }
}

/**
 * Reads every payload file from the media exactly once, off the main thread, hashing exactly the
 * bytes it hands to write() (the same buffer) while copying them into `stagingDir` (or only
 * hashing when it is null). Each staged copy is fsynced on the thread pool as soon as it is
 * written, so the disk flushes file N while the workers hash file N+1; the call returns when
 * every file matched its signed length and hash and every copy is on the disk.
 *
 * Folder bundles: one job per file, biggest first, spread over the pool's threads. A `.tar` is one
 * sequential stream in one thread.
 */
export async function copyPayload(options: {
  source: PayloadSource;
  files: readonly PayloadFile[];
  stagingDir: string | null;
  /** Worker threads to use; started here (one per lane) when not given. */
  pool?: HashCopyPool;
  parallelism?: number;
  onProgress: (bytes: number, file: string | null) => void;
}): Promise<HashCopyResult> {
  const { source, files, stagingDir } = options;
  if (files.length === 0) return { bytesRead: 0, bytesWritten: 0 };
  const byIndex = new Map(files.map((f) => [f.index, f]));
  const jobs: HashCopyInput[] =
    source.kind === 'tar'
      ? [
          {
            task: 'copy-tar',
            tarPath: source.path,
            files: [...files],
            metadataNames: source.metadataNames,
            stagingDir,
          },
        ]
      : [...files]
          .sort((a, b) => b.length - a.length)
          .map((file) => ({ task: 'copy-file', root: source.path, file, stagingDir }));
  const flushes: Promise<void>[] = [];
  const totals = { bytesRead: 0, bytesWritten: 0 };
  const owned = options.pool ? undefined : startHashCopyPool(options.parallelism);
  const pool = options.pool ?? owned;
  if (!pool) throw new Error('No hash-copy pool.');

  const staged = (file: PayloadFile | undefined) => {
    if (stagingDir === null || !file?.store) return;
    const flush = fsyncStaged(stagingDir, file);
    // Mark it handled at once, so an early failure elsewhere never leaves it unobserved.
    flush.catch(() => undefined);
    flushes.push(flush);
  };
  const onMessage = (m: HashCopyMessage) => {
    if (m.kind === 'progress') options.onProgress(m.bytes, m.file);
    else staged(byIndex.get(m.index));
  };

  let failed = false;
  const lane = async (session: HashCopySession) => {
    for (let job = jobs.shift(); job && !failed; job = jobs.shift()) {
      const r = await session.run(job, onMessage);
      totals.bytesRead += r.bytesRead;
      totals.bytesWritten += r.bytesWritten;
      if (job.task === 'copy-file') staged(job.file);
    }
  };

  const lanes = pool.sessions.slice(0, Math.max(1, Math.min(pool.sessions.length, jobs.length)));
  let running: Promise<void>[] = [];
  try {
    running = lanes.map((session) => lane(session));
    await Promise.all(running);
    await Promise.all(flushes);
    return totals;
  } catch (error) {
    // Stop every lane: stopping the threads rejects the jobs still running on them.
    failed = true;
    await pool.close();
    await Promise.allSettled(running);
    await Promise.allSettled(flushes);
    throw error;
  } finally {
    await owned?.release();
  }
}

/**
 * Reads stored copies again in the pool's threads and reports what each turned out to be
 * (bypassing the OS file cache where the OS allows: see the worker's `readStored`). Files go
 * biggest first, spread over the threads; `onProgress` gets the bytes read as they come.
 * A file that cannot be read is a reading with its error code, not a failure of the call.
 */
export async function readStoredFiles(options: {
  files: readonly StoredFile[];
  pool: HashCopyPool;
  onProgress: (bytes: number, file: string | null) => void;
  /** Checked between files: when it returns true, the remaining files are not read. */
  stopped?: () => boolean;
}): Promise<Map<StoredFile, StoredReading>> {
  const queue = [...options.files].sort((a, b) => b.length - a.length);
  const readings = new Map<StoredFile, StoredReading>();
  const onMessage = (m: HashCopyMessage) => {
    if (m.kind === 'progress') options.onProgress(m.bytes, m.file);
  };
  const lane = async (session: HashCopySession) => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      if (options.stopped?.()) return;
      const r = await session.run({ task: 'read-stored', file }, onMessage);
      if (!r.stored) throw new Error('A read-stored job answered without a reading.');
      readings.set(file, r.stored);
    }
  };
  const lanes = options.pool.sessions.slice(0, Math.max(1, queue.length));
  await Promise.all(lanes.map((session) => lane(session)));
  return readings;
}
