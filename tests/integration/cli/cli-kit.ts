import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const outDir = join(root, 'dist', 'electron');
const lockDir = join(root, 'dist', '.cli-test-build.lock');
const STALE_LOCK_MS = 5 * 60_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withBuildLock<T>(fn: () => T): Promise<T> {
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > STALE_LOCK_MS)
          rmSync(lockDir, { force: true, recursive: true });
      } catch {
        // Released between our attempt and the stat.
      }
      await sleep(100);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { force: true, recursive: true });
  }
}

/** The built `patchdeck` command, as a private copy for one test file. */
export interface BuiltCli {
  /** Runs the command as an operator would, with no stdin. */
  run(...args: string[]): { code: number | null; stdout: string; stderr: string };
  /** Deletes the private copy. */
  remove(): void;
}

/**
 * Builds `dist/electron/cli.mjs` the way `npm run build` does (renderer skipped) and copies it
 * for this test file only.
 *
 * Test files run in parallel: the build is serialised by a lock folder, and each file runs its
 * own copy (beside the original, so `node_modules` resolves the same), so one file's build never
 * rewrites the bundle while another file is running it.
 */
export async function buildCli(label: string): Promise<BuiltCli> {
  const copy = join(outDir, `cli.test-${label}-${process.pid}.mjs`);
  await withBuildLock(() => {
    execFileSync(process.execPath, [join(root, 'build', 'build.mjs'), '--skip-renderer'], {
      cwd: root,
      stdio: 'pipe',
    });
    copyFileSync(join(outDir, 'cli.mjs'), copy);
  });
  return {
    run(...args) {
      const result = spawnSync(process.execPath, [copy, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    remove() {
      rmSync(copy, { force: true });
    },
  };
}
