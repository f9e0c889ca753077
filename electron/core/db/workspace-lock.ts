import { hostname } from 'node:os';
import { join } from 'node:path';

import { AppError } from '../../../shared/api/errors';
import { errorCode, type FsPort } from '../platform/atomic-file';
import type { Logger } from '../platform/logger';

/** The lock file's name inside the workspace folder. */
export const LOCK_FILE = 'workspace.lock';

/** A held workspace lock. */
export interface WorkspaceLock {
  /** Removes the lock file if it is still ours. */
  release(): void;
}

interface LockContent {
  pid: number;
  host: string;
}

function readLock(fs: FsPort, path: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path).toString('utf8')) as Partial<LockContent>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host };
    }
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw error;
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

function inUse(dir: string, path: string, holder: LockContent): AppError {
  return new AppError(
    'WORKSPACE_IN_USE',
    `The workspace in ${dir} is already open in another PatchDeck (process ${holder.pid} on ` +
      `${holder.host}). Close that PatchDeck window or command first. If you are sure no ` +
      `PatchDeck is running there, delete ${path} and try again.`,
    { dir, lockFile: path, pid: holder.pid, host: holder.host },
  );
}

function storageFailed(dir: string, path: string, error: unknown): AppError {
  const code = errorCode(error) ?? 'unknown error';
  return new AppError(
    'STORAGE_WRITE_FAILED',
    `PatchDeck could not create its lock file ${path} (${code}), so it did not open the ` +
      `workspace. Check that the folder ${dir} is writable and the disk is not full, then try again.`,
    { dir, file: path, code },
    { cause: error },
  );
}

/**
 * Takes `workspace.lock` (holding this process's pid), so two PatchDecks never write one workspace.
 *
 * A lock left by a process that no longer exists on this machine is taken over; a live one, or one
 * from another machine (a shared folder), gives `WORKSPACE_IN_USE`.
 */
export function acquireWorkspaceLock(dir: string, fs: FsPort, log: Logger): WorkspaceLock {
  const path = join(dir, LOCK_FILE);
  const mine: LockContent = { pid: process.pid, host: hostname() };
  const body = Buffer.from(JSON.stringify(mine), 'utf8');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = fs.openSync(path, 'wx', 0o600);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw storageFailed(dir, path, error);
      let holder: LockContent | undefined;
      try {
        holder = readLock(fs, path);
      } catch {
        continue; // Removed between our open and our read: try again.
      }
      if (holder && (holder.host !== mine.host || isAlive(holder.pid))) {
        throw inUse(dir, path, holder);
      }
      log.warn('Taking over a stale workspace lock.', { lockFile: path, holder });
      try {
        fs.unlinkSync(path);
      } catch (unlinkError) {
        if (errorCode(unlinkError) !== 'ENOENT') throw storageFailed(dir, path, unlinkError);
      }
      continue;
    }
    try {
      const written = fs.writeSync(fd, body, 0, body.length, 0);
      if (written !== body.length) throw new Error(`Short write to ${path}.`);
    } catch (error) {
      fs.closeSync(fd);
      try {
        fs.unlinkSync(path);
      } catch {
        // The lock could not be written; leaving an empty one only costs a takeover later.
      }
      throw storageFailed(dir, path, error);
    }
    fs.closeSync(fd);
    return {
      release() {
        try {
          const holder = readLock(fs, path);
          if (holder && holder.pid === mine.pid && holder.host === mine.host) fs.unlinkSync(path);
        } catch (error) {
          log.warn('Could not remove the workspace lock.', { lockFile: path, error });
        }
      },
    };
  }
  const holder = (() => {
    try {
      return readLock(fs, path);
    } catch {
      return undefined;
    }
  })();
  throw inUse(dir, path, holder ?? { pid: 0, host: 'unknown' });
}
