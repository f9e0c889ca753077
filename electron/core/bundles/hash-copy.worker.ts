import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

import { Parser, type ReadEntry } from 'tar';

import { AppError } from '../../../shared/api/errors';
import { errorCode } from '../platform/atomic-file';
import { serveWorker } from '../platform/worker';

import type { HashCopyInput, HashCopyMessage, HashCopyResult, PayloadFile } from './hash-copy';
import { unsafePathReason } from './safe-path';

/** Read size: large reads suit USB media and keep per-call overhead small. */
const CHUNK = 4 * 1024 * 1024;
const PROGRESS_EVERY = 8 * 1024 * 1024;

/** A read buffer for a file of `length` bytes: at most CHUNK, room for length + 1. */
function bufferFor(length: number): Buffer {
  return Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, length + 1)));
}

/** One payload file being copied: bounded read, hash, and the staged copy. */
class FileSink {
  private readonly hash: Hash = createHash('sha256');
  private fd: number | undefined;
  bytes = 0;
  written = 0;

  constructor(
    private readonly file: PayloadFile,
    stagingDir: string | null,
    private readonly progress: (bytes: number) => void,
  ) {
    if (stagingDir !== null && file.store) {
      try {
        this.fd = openSync(join(stagingDir, String(file.index)), 'wx', 0o600);
      } catch (error) {
        throw storeError(error, file.path);
      }
    }
  }

  /** Takes the next bytes; refuses as soon as the file runs past its signed length (UPD-05). */
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.progress(chunk.length);
    if (this.bytes > this.file.length) {
      throw new AppError(
        'BUNDLE_FILE_TOO_LARGE',
        `${this.file.path} is longer than its signed length of ${this.file.length} bytes; reading stopped there.`,
        { file: this.file.path, length: this.file.length },
      );
    }
    this.hash.update(chunk);
    if (this.fd !== undefined) {
      try {
        let offset = 0;
        while (offset < chunk.length) offset += writeSync(this.fd, chunk, offset);
        this.written += chunk.length;
      } catch (error) {
        throw storeError(error, this.file.path);
      }
    }
  }

  /**
   * Checks length and hash. The copy is not fsynced here: the core flushes it on the thread pool
   * while a worker reads it back (verify-staged), so the disk works while the next file copies.
   */
  finish(): void {
    if (this.bytes !== this.file.length) {
      throw new AppError(
        'BUNDLE_HASH_MISMATCH',
        `${this.file.path} is ${this.bytes} bytes, but the manifest says ${this.file.length}.`,
        { file: this.file.path, expected: this.file.length, actual: this.bytes },
      );
    }
    const digest = this.hash.digest('hex');
    if (digest !== this.file.sha256) {
      throw new AppError(
        'BUNDLE_HASH_MISMATCH',
        `Hash mismatch for ${this.file.path}: the file is not the one the publisher signed.`,
        { file: this.file.path, expected: this.file.sha256, actual: digest },
      );
    }
    this.close();
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

function storeError(error: unknown, path: string): AppError {
  return new AppError(
    'STORAGE_WRITE_FAILED',
    `Could not write the copy of ${path} into the workspace store (${errorCode(error) ?? 'error'}).`,
    { file: path, cause: errorCode(error) ?? null },
  );
}

function readError(error: unknown, path: string): AppError {
  if (error instanceof AppError) return error;
  const code = errorCode(error);
  if (code === 'ENOENT') {
    return new AppError(
      'BUNDLE_FILE_MISSING',
      `${path} disappeared from the media while reading.`,
      {
        files: [path],
      },
    );
  }
  return new AppError(
    'BUNDLE_READ_FAILED',
    `Reading ${path} from the media failed (${code ?? 'error'}): the media may have been removed.`,
    { file: path, cause: code ?? null },
  );
}

function throttle(post: (message: HashCopyMessage) => void) {
  let pending = 0;
  let file: string | null = null;
  return {
    add(bytes: number, path: string) {
      pending += bytes;
      file = path;
      if (pending >= PROGRESS_EVERY) this.flush();
    },
    flush() {
      if (pending > 0) post({ kind: 'progress', bytes: pending, file });
      pending = 0;
    },
  };
}

/** Copies one file from a folder bundle: no links followed, at most length + 1 bytes read. */
function copyFromDirectory(
  root: string,
  file: PayloadFile,
  stagingDir: string | null,
  progress: ReturnType<typeof throttle>,
): { read: number; written: number } {
  let fd: number;
  try {
    fd = openSync(join(root, ...file.path.split('/')), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (errorCode(error) === 'ELOOP') {
      throw new AppError('BUNDLE_UNSAFE_ENTRY', `${file.path} is a link, not a file.`, {
        entries: [{ path: file.path, type: 'link' }],
      });
    }
    throw readError(error, file.path);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new AppError('BUNDLE_UNSAFE_ENTRY', `${file.path} is not a regular file.`, {
      entries: [{ path: file.path, type: 'special' }],
    });
  }
  const sink = new FileSink(file, stagingDir, (n) => progress.add(n, file.path));
  try {
    // One buffer, read into and then hashed and written from: no copies, no stream machinery.
    const buffer = bufferFor(file.length);
    for (;;) {
      // Never ask for more than length + 1 bytes in all (UPD-05).
      const want = Math.min(buffer.length, file.length + 1 - sink.bytes);
      let n: number;
      try {
        n = readSync(fd, buffer, 0, want, null);
      } catch (error) {
        throw readError(error, file.path);
      }
      if (n === 0) break;
      sink.push(buffer.subarray(0, n));
    }
    sink.finish();
    return { read: sink.bytes, written: sink.written };
  } finally {
    sink.close();
    closeSync(fd);
  }
}

const ALLOWED_TAR_TYPES = new Set(['File', 'Directory']);

/** Streams a `.tar` bundle once: every entry checked, every payload copied while hashing. */
function copyFromTar(
  tarPath: string,
  files: readonly PayloadFile[],
  metadataNames: ReadonlySet<string>,
  stagingDir: string | null,
  progress: ReturnType<typeof throttle>,
  staged: (index: number) => void,
): Promise<{ read: number; written: number }> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const done = new Set<string>();
  const seen = new Set<string>();
  const extra: string[] = [];
  const listedFolders = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i += 1) listedFolders.add(parts.slice(0, i).join('/'));
  }
  let read = 0;
  let written = 0;

  return new Promise((resolve, reject) => {
    let failed = false;
    const stream = createReadStream(tarPath, { highWaterMark: CHUNK });
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      stream.destroy();
      reject(error instanceof AppError ? error : readError(error, tarPath));
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (failed) {
          entry.resume();
          return;
        }
        try {
          const path = entry.path.replace(/\/$/, '');
          if (!ALLOWED_TAR_TYPES.has(entry.type)) {
            throw new AppError(
              'BUNDLE_UNSAFE_ENTRY',
              `The archive holds a ${entry.type} entry "${entry.path}"; only plain files and folders are allowed.`,
              { entries: [{ path: entry.path, type: entry.type }] },
            );
          }
          const reason = unsafePathReason(path);
          if (reason && !(entry.type === 'File' && metadataNames.has(path))) {
            throw new AppError(
              'BUNDLE_UNSAFE_PATH',
              `The archive names an unsafe path "${entry.path}" (${reason}).`,
              { path: entry.path, reason },
            );
          }
          if (seen.has(path)) {
            throw new AppError('BUNDLE_UNSAFE_PATH', `The archive holds "${path}" twice.`, {
              path,
              reason: 'duplicate',
            });
          }
          seen.add(path);
          if (entry.type === 'Directory') {
            if (!listedFolders.has(path)) extra.push(`${path}/`);
            entry.resume();
            return;
          }
          if (metadataNames.has(path)) {
            entry.resume();
            return;
          }
          const file = byPath.get(path);
          if (!file) {
            extra.push(path);
            entry.resume();
            return;
          }
          if (entry.size > file.length) {
            throw new AppError(
              'BUNDLE_FILE_TOO_LARGE',
              `${path} is longer than its signed length of ${file.length} bytes.`,
              { file: path, length: file.length },
            );
          }
          const sink = new FileSink(file, stagingDir, (n) => progress.add(n, path));
          entry.on('data', (chunk: Buffer) => {
            if (failed) return;
            try {
              sink.push(chunk);
            } catch (error) {
              sink.close();
              fail(error);
            }
          });
          entry.on('end', () => {
            if (failed) return sink.close();
            try {
              sink.finish();
              read += sink.bytes;
              written += sink.written;
              done.add(path);
              if (stagingDir !== null && file.store) {
                progress.flush();
                staged(file.index);
              }
            } catch (error) {
              sink.close();
              fail(error);
            }
          });
        } catch (error) {
          entry.resume();
          fail(error);
        }
      },
    });
    parser.on('error', (error: Error & { tarCode?: string }) => {
      fail(
        new AppError('BUNDLE_ARCHIVE_CORRUPT', `The bundle archive is damaged: ${error.message}.`, {
          tarCode: error.tarCode ?? null,
        }),
      );
    });
    parser.on('end', () => {
      if (failed) return;
      if (extra.length > 0) {
        return fail(
          new AppError(
            'BUNDLE_FILE_EXTRA',
            `The archive holds ${extra.length} file(s) the manifest does not list: ${extra.slice(0, 10).join(', ')}.`,
            { files: extra },
          ),
        );
      }
      const missing = files.filter((f) => !done.has(f.path)).map((f) => f.path);
      if (missing.length > 0) {
        return fail(
          new AppError(
            'BUNDLE_FILE_MISSING',
            `${missing.length} file(s) listed in the manifest are not in the archive: ${missing.slice(0, 10).join(', ')}.`,
            { files: missing },
          ),
        );
      }
      resolve({ read, written });
    });
    stream.on('error', fail);
    stream.pipe(parser);
  });
}

/**
 * Reads a staged copy back and hashes it again: the store is checked, never the media (ARC-13,
 * REL-07). The core fsyncs the copy meanwhile.
 */
function hashStaged(
  stagingDir: string,
  file: PayloadFile,
  progress: ReturnType<typeof throttle>,
): number {
  const hash = createHash('sha256');
  let bytes = 0;
  const fd = openSync(
    join(stagingDir, String(file.index)),
    constants.O_RDONLY | constants.O_NOFOLLOW,
  );
  try {
    const buffer = bufferFor(file.length);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      bytes += n;
      hash.update(buffer.subarray(0, n));
      progress.add(n, file.path);
      if (bytes > file.length) break;
    }
  } finally {
    closeSync(fd);
  }
  const digest = hash.digest('hex');
  if (bytes !== file.length || digest !== file.sha256) {
    throw new AppError(
      'BUNDLE_STORE_CORRUPT',
      `The stored copy of ${file.path} does not read back as written (${bytes} bytes, hash ${digest.slice(0, 12)}…).`,
      { file: file.path },
    );
  }
  return bytes;
}

serveWorker<HashCopyInput, HashCopyResult, HashCopyMessage>(async (input, post) => {
  const progress = throttle(post);
  let read = 0;
  let written = 0;
  try {
    switch (input.task) {
      case 'copy-file': {
        const r = copyFromDirectory(input.root, input.file, input.stagingDir, progress);
        read = r.read;
        written = r.written;
        break;
      }
      case 'copy-tar': {
        const r = await copyFromTar(
          input.tarPath,
          input.files,
          new Set(input.metadataNames),
          input.stagingDir,
          progress,
          (index) => post({ kind: 'staged', index }),
        );
        read = r.read;
        written = r.written;
        break;
      }
      case 'verify-staged':
        read = hashStaged(input.stagingDir, input.file, progress);
        break;
    }
  } finally {
    progress.flush();
  }
  return { bytesRead: read, bytesWritten: written };
});
