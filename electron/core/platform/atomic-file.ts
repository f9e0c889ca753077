import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The file-system calls the durable-storage code uses, so tests can inject failures (ENOSPC, EIO)
 * at the Nth call. The default is `node:fs`.
 */
export interface FsPort {
  /** `fs.openSync`. */
  openSync(path: string, flags: string, mode?: number): number;
  /** `fs.writeSync` with an explicit position (`null` = current file position). */
  writeSync(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null,
  ): number;
  /** `fs.readSync` with an explicit position. */
  readSync(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): number;
  /** `fs.fsyncSync`. */
  fsyncSync(fd: number): void;
  /** `fs.fdatasyncSync`. */
  fdatasyncSync(fd: number): void;
  /** `fs.ftruncateSync`. */
  ftruncateSync(fd: number, length: number): void;
  /** `fs.fstatSync`, size only. */
  fstatSync(fd: number): { size: number };
  /** `fs.closeSync`. */
  closeSync(fd: number): void;
  /** `fs.renameSync`. */
  renameSync(from: string, to: string): void;
  /** `fs.linkSync`. */
  linkSync(existing: string, created: string): void;
  /** `fs.unlinkSync`. */
  unlinkSync(path: string): void;
  /** `fs.readdirSync`, names only. */
  readdirSync(dir: string): string[];
  /** `fs.readFileSync`, as bytes. */
  readFileSync(path: string): Buffer;
  /** `fs.existsSync`. */
  existsSync(path: string): boolean;
  /** `fs.mkdirSync(path, { recursive: true })`. */
  mkdirSync(path: string): void;
  /** Asynchronous `fs.open`. */
  open(path: string, flags: string, mode?: number): Promise<number>;
  /** Asynchronous `fs.write` of a byte range at a position; resolves to the bytes written. */
  write(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<number>;
  /** Asynchronous `fs.fsync`. */
  fsync(fd: number): Promise<void>;
  /** Asynchronous `fs.close`. */
  close(fd: number): Promise<void>;
  /** Asynchronous `fs.rename`. */
  rename(from: string, to: string): Promise<void>;
  /** Asynchronous `fs.unlink`. */
  unlink(path: string): Promise<void>;
}

function callback<T>(run: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    run((error, value) => (error ? reject(error) : resolve(value)));
  });
}

/** The real file system (`node:fs`). */
export const nodeFsPort: FsPort = {
  openSync: (path, flags, mode) => nodeFs.openSync(path, flags, mode),
  writeSync: (fd, buffer, offset, length, position) =>
    nodeFs.writeSync(fd, buffer, offset, length, position),
  readSync: (fd, buffer, offset, length, position) =>
    nodeFs.readSync(fd, buffer, offset, length, position),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  fdatasyncSync: (fd) => nodeFs.fdatasyncSync(fd),
  ftruncateSync: (fd, length) => nodeFs.ftruncateSync(fd, length),
  fstatSync: (fd) => ({ size: nodeFs.fstatSync(fd).size }),
  closeSync: (fd) => nodeFs.closeSync(fd),
  renameSync: (from, to) => nodeFs.renameSync(from, to),
  linkSync: (existing, created) => nodeFs.linkSync(existing, created),
  unlinkSync: (path) => nodeFs.unlinkSync(path),
  readdirSync: (dir) => nodeFs.readdirSync(dir),
  readFileSync: (path) => nodeFs.readFileSync(path),
  existsSync: (path) => nodeFs.existsSync(path),
  mkdirSync: (path) => {
    nodeFs.mkdirSync(path, { recursive: true });
  },
  open: (path, flags, mode) => callback<number>((done) => nodeFs.open(path, flags, mode, done)),
  write: (fd, buffer, offset, length, position) =>
    callback<number>((done) => nodeFs.write(fd, buffer, offset, length, position, done)),
  fsync: (fd) => callback<void>((done) => nodeFs.fsync(fd, (error) => done(error, undefined))),
  close: (fd) => callback<void>((done) => nodeFs.close(fd, (error) => done(error, undefined))),
  rename: (from, to) =>
    callback<void>((done) => nodeFs.rename(from, to, (error) => done(error, undefined))),
  unlink: (path) =>
    callback<void>((done) => nodeFs.unlink(path, (error) => done(error, undefined))),
};

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file; 0600 unless told. */
  mode?: number;
  /** The file system to use; `node:fs` unless told. */
  fs?: FsPort;
}

const TEMP_MARKER = '.tmp-';
const WRITE_CHUNK = 4 * 1024 * 1024;
const RENAME_RETRIES = 5;

/** The error code of a Node system error, if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code: unknown = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** The name a temp file for `base` gets: `<base>.tmp-<pid>-<rand>`. */
export function tempFileName(base: string): string {
  return `${base}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Makes a directory entry change (create, rename, unlink) durable by fsyncing the directory.
 *
 * POSIX only: Windows cannot open a directory this way, and NTFS journals its metadata itself.
 */
export async function fsyncDirectory(dir: string, fs: FsPort = nodeFsPort): Promise<void> {
  if (process.platform === 'win32') return;
  const fd = await fs.open(dir, 'r');
  try {
    await fs.fsync(fd);
  } finally {
    await fs.close(fd);
  }
}

/** The synchronous twin of {@link fsyncDirectory}. */
export function fsyncDirectorySync(dir: string, fs: FsPort = nodeFsPort): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function renameWithRetry(fs: FsPort, from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      // On Windows a virus scanner or indexer holding the target open makes rename fail for a
      // moment (write-file-atomic #28); elsewhere these codes mean something real.
      const code = errorCode(error);
      const transient = process.platform === 'win32' && (code === 'EPERM' || code === 'EBUSY');
      if (!transient || attempt >= RENAME_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }
}

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new file, never a mix.
 *
 * Writes a temp file in the same directory (opened `wx`), checks the byte count, fsyncs and
 * closes it, renames it over `path` and fsyncs the directory. On any failure the temp file is
 * removed and the error is rethrown; `path` is then unchanged unless the rename itself happened.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const fs = options.fs ?? nodeFsPort;
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  const temp = join(dir, tempFileName(basename(path)));
  let fd: number | undefined;
  let renamed = false;
  try {
    fd = await fs.open(temp, 'wx', mode);
    let written = 0;
    while (written < data.length) {
      const length = Math.min(WRITE_CHUNK, data.length - written);
      const n = await fs.write(fd, data, written, length, written);
      if (n <= 0) throw new Error(`Short write to ${temp}: ${written} of ${data.length} bytes.`);
      written += n;
    }
    if (written !== data.length) {
      throw new Error(`Wrote ${written} bytes to ${temp}, expected ${data.length}.`);
    }
    await fs.fsync(fd);
    const toClose = fd;
    fd = undefined;
    await fs.close(toClose);
    await renameWithRetry(fs, temp, path);
    renamed = true;
    await fsyncDirectory(dir, fs);
  } catch (error) {
    if (fd !== undefined) {
      try {
        await fs.close(fd);
      } catch {
        // The write already failed; that failure is the one to report.
      }
    }
    if (!renamed) {
      try {
        await fs.unlink(temp);
      } catch {
        // Not created, or the disk refuses even this: the next start removes stale temp files.
      }
    }
    throw error;
  }
}

/**
 * Deletes temp files left by an interrupted {@link writeFileAtomic} of `dir/base`.
 *
 * Call it only while holding the lock that keeps other writers away. Returns the names removed.
 */
export function removeStaleTempFiles(dir: string, base: string, fs: FsPort = nodeFsPort): string[] {
  const prefix = `${base}${TEMP_MARKER}`;
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    try {
      fs.unlinkSync(join(dir, name));
      removed.push(name);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
  return removed;
}
