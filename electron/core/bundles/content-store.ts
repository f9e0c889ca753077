import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { fsyncDirectory } from '../platform/atomic-file';

import type { PayloadFile } from './hash-copy';

/** The content-addressed store of a workspace: `<workspace>/store`. */
export function storeRoot(workspaceDir: string): string {
  return join(workspaceDir, 'store');
}

/** Where import stages its copies before they are verified: `<workspace>/store/staging`. */
export function stagingRoot(workspaceDir: string): string {
  return join(storeRoot(workspaceDir), 'staging');
}

/** The stored file of a SHA-256: `<workspace>/store/sha256/ab/cdef…`. */
export function contentStorePath(workspaceDir: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Not a SHA-256: ${sha256}`);
  return join(storeRoot(workspaceDir), 'sha256', sha256.slice(0, 2), sha256.slice(2));
}

/** True when the store holds the content with the expected length. */
export function hasContent(workspaceDir: string, sha256: string, length: number): boolean {
  const path = contentStorePath(workspaceDir, sha256);
  try {
    return statSync(path).size === length;
  } catch {
    return false;
  }
}

/**
 * Deletes staging folders left by an import that was interrupted (crash, power loss). Call it at
 * start-up, while holding the workspace lock. Returns the names removed.
 */
export async function removeStaleStaging(workspaceDir: string): Promise<string[]> {
  const root = stagingRoot(workspaceDir);
  if (!existsSync(root)) return [];
  const names = await readdir(root);
  for (const name of names) await rm(join(root, name), { recursive: true, force: true });
  return names;
}

/** The synchronous twin of {@link removeStaleStaging}, for start-up. */
export function removeStaleStagingSync(workspaceDir: string): string[] {
  const root = stagingRoot(workspaceDir);
  if (!existsSync(root)) return [];
  const names = readdirSync(root);
  for (const name of names) rmSync(join(root, name), { recursive: true, force: true });
  return names;
}

/** A fresh private staging folder (mode 0700) for one import. */
export async function createStaging(workspaceDir: string): Promise<string> {
  const root = stagingRoot(workspaceDir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dir = join(root, `import-${randomBytes(8).toString('hex')}`);
  await mkdir(dir, { mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}

/** Removes a staging folder and everything in it. */
export async function removeStaging(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Moves verified staged copies to their content addresses and makes the moves durable. Content
 * the store already holds is not replaced. Returns the paths this call created, so a failure
 * after it (the database refusing the record) can take them back out.
 */
export async function commitStaged(
  workspaceDir: string,
  stagingDir: string,
  files: readonly PayloadFile[],
): Promise<string[]> {
  const created: string[] = [];
  const touched = new Set<string>();
  try {
    for (const file of files) {
      if (!file.store) continue;
      const target = contentStorePath(workspaceDir, file.sha256);
      const staged = join(stagingDir, String(file.index));
      if (hasContent(workspaceDir, file.sha256, file.length)) {
        await unlink(staged);
        continue;
      }
      const dir = join(target, '..');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(staged, 0o444);
      await rename(staged, target);
      created.push(target);
      touched.add(dir);
    }
    for (const dir of touched) await fsyncDirectory(dir);
    return created;
  } catch (error) {
    await removeContent(created);
    throw error;
  }
}

/** Deletes stored files this import created (used when recording it failed). */
export async function removeContent(paths: readonly string[]): Promise<void> {
  for (const path of paths) await rm(path, { force: true });
}
