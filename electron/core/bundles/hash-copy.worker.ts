import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

import { Parser, type ReadEntry } from 'tar';

import { AppError } from '../../../shared/api/errors';
import { errorCode } from '../platform/atomic-file';
import { serveWorker } from '../platform/worker';

import type {
  HashCopyInput,
  HashCopyMessage,
  HashCopyResult,
  PayloadFile,
  StoredFile,
  StoredReading,
} from './hash-copy';
import { unsafePathReason } from './safe-path';

/** Read size: large reads suit USB media and keep per-call overhead small. */
const CHUNK = 4 * 1024 * 1024;
const PROGRESS_EVERY = 8 * 1024 * 1024;

/** A read buffer for a file of `length` bytes: at most CHUNK, room for length + 1. */
function bufferFor(length: number): Buffer {
  return Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, length + 1)));
}

/** Alignment that satisfies O_DIRECT on every Linux block device (a memory page). */
const DIRECT_ALIGN = 4096;

/** Linux's O_DIRECT flag; undefined where Node does not offer it (Windows, macOS). */
const O_DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT;

/** This thread's CHUNK buffer aligned for O_DIRECT; null once no alignment worked. */
let alignedChunk: Buffer | null | undefined;

/**
 * A CHUNK-sized window of one buffer whose memory address suits O_DIRECT, shared by every job of
 * this thread. JavaScript cannot see addresses, so the window is found by trying offsets (16-byte
 * steps, as allocators align) with one aligned direct transfer (`probe`): the kernel refuses a
 * misaligned one with EINVAL.
 */
function directBuffer(probe: (raw: Buffer, offset: number) => void): Buffer | undefined {
  if (alignedChunk !== undefined) return alignedChunk ?? undefined;
  const raw = Buffer.allocUnsafeSlow(CHUNK + DIRECT_ALIGN);
  for (let offset = 0; offset < DIRECT_ALIGN; offset += 16) {
    try {
      probe(raw, offset);
      alignedChunk = raw.subarray(offset, offset + CHUNK);
      return alignedChunk;
    } catch (error) {
      if (errorCode(error) !== 'EINVAL') throw error;
    }
  }
  alignedChunk = null;
  return undefined;
}

/** Writes `length` bytes of `buffer` at `position`, however many calls it takes. */
function writeAll(fd: number, buffer: Buffer, length: number, position: number): void {
  let done = 0;
  while (done < length) done += writeSync(fd, buffer, done, length - done, position + done);
}

/**
 * One payload file being copied: bounded read, hash, and the staged copy.
 *
 * A folder bundle's copy is written with O_DIRECT where the OS and file system allow it (Linux):
 * straight from the buffer that was read and hashed to the disk, without a second copy in the
 * page cache (measured here: a third of the CPU and a steadier rate than buffered writes). Direct
 * writes go in whole 4 KiB blocks, so the last block is padded and the file cut back to its
 * length at the end. Anywhere else, and for `.tar` entries (stream chunks of any size), ordinary
 * writes.
 */
class FileSink {
  private readonly hash: Hash = createHash('sha256');
  private fd: number | undefined;
  private readonly stagedPath: string | undefined;
  /** The aligned buffer when this copy is written with O_DIRECT. */
  private direct: Buffer | undefined;
  private padded = false;
  bytes = 0;
  written = 0;

  constructor(
    private readonly file: PayloadFile,
    stagingDir: string | null,
    private readonly progress: (bytes: number) => void,
    options: { direct: boolean } = { direct: false },
  ) {
    if (stagingDir === null || !file.store) return;
    this.stagedPath = join(stagingDir, String(file.index));
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
    try {
      if (options.direct && O_DIRECT !== undefined) this.openDirect(flags | O_DIRECT);
      this.fd ??= openSync(this.stagedPath, flags, 0o600);
    } catch (error) {
      throw storeError(error, file.path);
    }
  }

  private openDirect(flags: number): void {
    let fd: number;
    try {
      fd = openSync(this.stagedPath ?? '', flags, 0o600);
    } catch (error) {
      // A file system without O_DIRECT refuses the flag: write through the cache instead.
      if (errorCode(error) === 'EINVAL') return;
      throw error;
    }
    this.fd = fd;
    // The probe writes one block at 0; the data overwrites it, and finish() sets the length.
    this.direct = directBuffer((raw, offset) => writeSync(fd, raw, offset, DIRECT_ALIGN, 0));
    if (!this.direct) this.writeThroughCache();
  }

  /** Leaves O_DIRECT for the rest of this copy (same file, same position). */
  private writeThroughCache(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.direct = undefined;
    this.fd = openSync(this.stagedPath ?? '', constants.O_WRONLY);
  }

  /** The buffer to read this file into: the aligned one for O_DIRECT copies. */
  readBuffer(): Buffer {
    return this.direct ?? bufferFor(this.file.length);
  }

  /**
   * Takes the next `n` bytes at the start of `buffer` (all of it by default); refuses as soon as
   * the file runs past its signed length (UPD-05). Exactly these bytes are hashed and handed to
   * write().
   */
  push(buffer: Buffer, n = buffer.length): void {
    this.bytes += n;
    this.progress(n);
    if (this.bytes > this.file.length) {
      throw new AppError(
        'BUNDLE_FILE_TOO_LARGE',
        `${this.file.path} is longer than its signed length of ${this.file.length} bytes; reading stopped there.`,
        { file: this.file.path, length: this.file.length },
      );
    }
    this.hash.update(buffer.subarray(0, n));
    if (this.fd === undefined) return;
    try {
      this.write(buffer, n);
    } catch (error) {
      throw storeError(error, this.file.path);
    }
  }

  private write(buffer: Buffer, n: number): void {
    if (this.direct === buffer && this.written % DIRECT_ALIGN === 0 && this.fd !== undefined) {
      const span = Math.ceil(n / DIRECT_ALIGN) * DIRECT_ALIGN;
      try {
        writeAll(this.fd, buffer, span, this.written);
        this.written += n;
        this.padded = span !== n;
        return;
      } catch (error) {
        if (errorCode(error) !== 'EINVAL') throw error;
      }
    }
    if (this.direct !== undefined) this.writeThroughCache();
    if (this.fd === undefined) return;
    writeAll(this.fd, buffer, n, this.written);
    this.written += n;
  }

  /**
   * Checks length and hash: the hash is of exactly the bytes handed to write(). The copy is not
   * fsynced here: the core flushes it on the thread pool, so the disk works while this thread
   * hashes the next file.
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
    if (this.fd !== undefined && (this.padded || this.written < DIRECT_ALIGN)) {
      // Cut off the padding of the last direct block (or what the alignment probe wrote).
      try {
        ftruncateSync(this.fd, this.written);
      } catch (error) {
        throw storeError(error, this.file.path);
      }
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
  let sink: FileSink;
  try {
    sink = new FileSink(file, stagingDir, (n) => progress.add(n, file.path), { direct: true });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  try {
    // One buffer, read into and then hashed and written from: no copies, no stream machinery.
    const buffer = sink.readBuffer();
    for (;;) {
      // Never ask for more than length + 1 bytes in all (UPD-05).
      const want = Math.min(buffer.length, file.length + 1 - sink.bytes);
      // Fill the buffer (a short read is not the end), so only the last chunk is partial.
      let n = 0;
      for (;;) {
        let got: number;
        try {
          got = readSync(fd, buffer, n, want - n, null);
        } catch (error) {
          throw readError(error, file.path);
        }
        n += got;
        if (got === 0 || n === want) break;
      }
      if (n === 0) break;
      sink.push(buffer, n);
      if (n < want) break;
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
 * Opens a stored copy for reading from the device itself where the OS allows it: Linux with
 * O_DIRECT (the page cache is bypassed, so what was written is read back from the disk, not from
 * memory). Where O_DIRECT is missing (Windows, macOS) or refused (a file system without it, such
 * as tmpfs), the file is opened for an ordinary read through the OS cache.
 */
function openStored(
  file: StoredFile,
  allowDirect: boolean,
): { fd: number; buffer: Buffer; direct: boolean } {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW;
  if (allowDirect && O_DIRECT !== undefined && file.length > 0) {
    let fd: number | undefined;
    try {
      fd = openSync(file.storePath, flags | O_DIRECT);
    } catch (error) {
      if (errorCode(error) !== 'EINVAL') throw error;
    }
    if (fd !== undefined) {
      const opened = fd;
      try {
        const buffer = directBuffer((raw, offset) =>
          readSync(opened, raw, offset, DIRECT_ALIGN, 0),
        );
        if (buffer) return { fd, buffer, direct: true };
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      closeSync(fd);
    }
  }
  return { fd: openSync(file.storePath, flags), buffer: bufferFor(file.length), direct: false };
}

/** Thrown when the device refuses the alignment of a direct read: read through the cache then. */
class DirectReadRefused extends Error {}

function readStoredOnce(
  file: StoredFile,
  allowDirect: boolean,
  progress: ReturnType<typeof throttle>,
): StoredReading {
  const hash = createHash('sha256');
  let bytes = 0;
  let opened: ReturnType<typeof openStored>;
  try {
    opened = openStored(file, allowDirect);
  } catch (error) {
    return { digest: null, bytes, direct: false, error: errorCode(error) ?? 'error' };
  }
  const { fd, buffer, direct } = opened;
  try {
    while (bytes <= file.length) {
      // Whole aligned chunks for O_DIRECT: the length + 1 bound is checked after the read.
      const want = direct ? buffer.length : Math.min(buffer.length, file.length + 1 - bytes);
      let n: number;
      try {
        n = readSync(fd, buffer, 0, want, null);
      } catch (error) {
        if (direct && errorCode(error) === 'EINVAL') throw new DirectReadRefused();
        throw error;
      }
      if (n === 0) break;
      bytes += n;
      hash.update(buffer.subarray(0, n));
      progress.add(n, file.path);
    }
    return { digest: hash.digest('hex'), bytes, direct, error: null };
  } catch (error) {
    if (error instanceof DirectReadRefused) throw error;
    return { digest: null, bytes, direct, error: errorCode(error) ?? 'error' };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a stored copy again, at most length + 1 bytes (plus the rest of one aligned chunk when
 * reading directly), and hashes it. Read errors are part of the answer (a flaky disk fails with
 * EIO, a removed file with ENOENT), never thrown.
 */
function readStored(file: StoredFile, progress: ReturnType<typeof throttle>): StoredReading {
  try {
    return readStoredOnce(file, true, progress);
  } catch (error) {
    if (!(error instanceof DirectReadRefused)) throw error;
    // A device with larger sectors than this thread's buffer is aligned for.
    return readStoredOnce(file, false, progress);
  }
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
      case 'read-stored': {
        const stored = readStored(input.file, progress);
        progress.flush();
        return { bytesRead: stored.bytes, bytesWritten: 0, stored };
      }
    }
  } finally {
    progress.flush();
  }
  return { bytesRead: read, bytesWritten: written };
});
