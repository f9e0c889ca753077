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
  | { task: 'verify-staged'; stagingDir: string; file: PayloadFile };

/** From a worker: bytes since the last progress message, or a file fully staged (tar). */
export type HashCopyMessage =
  { kind: 'progress'; bytes: number; file: string | null } | { kind: 'staged'; index: number };

/** What a worker did. */
export type HashCopyResult = { bytesRead: number; bytesWritten: number };

/** The worker that reads the media once, hashing while it copies into staging. */
export const HASH_COPY_WORKER = workerModule(
  'hash-copy',
  new URL('./hash-copy.worker.ts', import.meta.url),
);

/** Where the payload comes from. */
export type PayloadSource = { kind: 'directory' | 'tar'; path: string; metadataNames: string[] };

/** Phases an import reports progress for. */
export type CopyPhase = 'copying' | 'verifying-copy';

/** How many worker threads an import uses: one per core, at most four. */
export function defaultParallelism(): number {
  return Math.min(4, Math.max(1, availableParallelism()));
}

type HashCopySession = WorkerSession<HashCopyInput, HashCopyResult, HashCopyMessage>;

/** Hash-copy worker threads kept for one import (or one `bundle verify`). */
export type HashCopyPool = { sessions: HashCopySession[]; close(): Promise<void> };

/**
 * Starts the worker threads of one import. Start them before the metadata checks, so the threads
 * are up by the time the payload is read; close the pool when done (a failed copy closes it too).
 */
export function startHashCopyPool(parallelism = defaultParallelism()): HashCopyPool {
  const sessions = Array.from({ length: Math.max(1, parallelism) }, () =>
    startWorkerSession<HashCopyInput, HashCopyResult, HashCopyMessage>(HASH_COPY_WORKER),
  );
  let closing: Promise<void> | undefined;
  return {
    sessions,
    close() {
      closing ??= Promise.all(sessions.map((s) => s.close())).then(() => undefined);
      return closing;
    },
  };
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
 * Reads every payload file from the media exactly once, off the main thread, hashing while
 * copying into `stagingDir` (or only hashing when it is null); every staged copy is then read
 * back and hashed again, so what is verified is what the store holds, and fsynced.
 *
 * One pool of worker threads does all of it as a pipeline: while one worker copies file N+1,
 * another reads file N back, and the thread pool flushes file N to disk. A read-back waiting to
 * run goes before the next copy, so copies never pile up far ahead of their checks.
 */
export async function copyAndVerifyPayload(options: {
  source: PayloadSource;
  files: readonly PayloadFile[];
  stagingDir: string | null;
  /** Worker threads to use; started here (one per lane) when not given. */
  pool?: HashCopyPool;
  parallelism?: number;
  onProgress: (phase: CopyPhase, bytes: number, file: string | null) => void;
}): Promise<HashCopyResult & { bytesVerified: number }> {
  const { source, files, stagingDir } = options;
  if (files.length === 0) return { bytesRead: 0, bytesWritten: 0, bytesVerified: 0 };
  const byIndex = new Map(files.map((f) => [f.index, f]));
  const copies: HashCopyInput[] =
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
  const checks: HashCopyInput[] = [];
  const flushes: Promise<void>[] = [];
  const totals = { bytesRead: 0, bytesWritten: 0, bytesVerified: 0 };
  const owned = options.pool ? undefined : startHashCopyPool(options.parallelism);
  const pool = options.pool ?? owned;
  if (!pool) throw new Error('No hash-copy pool.');
  const lanes = Math.max(1, Math.min(pool.sessions.length, copies.length + (stagingDir ? 1 : 0)));
  let copying = copies.length;

  const staged = (file: PayloadFile) => {
    if (stagingDir === null || !file.store) return;
    checks.push({ task: 'verify-staged', stagingDir, file });
    flushes.push(fsyncStaged(stagingDir, file));
    // Mark it handled at once, so an early failure elsewhere never leaves it unobserved.
    flushes.at(-1)?.catch(() => undefined);
  };
  const onMessage = (phase: CopyPhase) => (m: HashCopyMessage) => {
    if (m.kind === 'progress') {
      options.onProgress(phase, m.bytes, m.file);
      return;
    }
    const file = byIndex.get(m.index);
    if (file) staged(file);
    wakeAll();
  };

  const sessions = pool.sessions.slice(0, lanes);
  const waiting: (() => void)[] = [];
  const wakeAll = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  let failed = false;
  const lane = async (session: HashCopySession) => {
    for (;;) {
      if (failed) return;
      const job = checks.shift() ?? copies.shift();
      if (!job) {
        // Nothing to do now; a copy still running on another lane may stage more (tar).
        if (copying === 0) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      if (job.task === 'verify-staged') {
        const r = await session.run(job, onMessage('verifying-copy'));
        totals.bytesVerified += r.bytesRead;
      } else {
        const r = await session.run(job, onMessage('copying'));
        totals.bytesRead += r.bytesRead;
        totals.bytesWritten += r.bytesWritten;
        if (job.task === 'copy-file') staged(job.file);
        copying -= 1;
      }
      wakeAll();
    }
  };

  let running: Promise<void>[] = [];
  try {
    running = sessions.map((session) => lane(session));
    await Promise.all(running);
    await Promise.all(flushes);
    return totals;
  } catch (error) {
    // Stop every lane: stopping the threads rejects the jobs still running on them.
    failed = true;
    wakeAll();
    await pool.close();
    await Promise.allSettled(running);
    await Promise.allSettled(flushes);
    throw error;
  } finally {
    await owned?.close();
  }
}
