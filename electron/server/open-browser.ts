import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Browsers tried in order; the Chromium family gets a private profile and offline flags. */
const CHROMIUM_FAMILY = ['chromium', 'chromium-browser', 'google-chrome'] as const;

/** Chromium flags that stop it from calling home: PatchDeck runs on networks with no way out. */
export const OFFLINE_CHROMIUM_FLAGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
] as const;

/** A browser we launched, and how to clean up after it. */
export type OpenedBrowser = {
  /** The program that was started. */
  command: string;
  /** Stops a browser we own (Chromium with its own profile) and removes its profile. */
  close(): Promise<void>;
};

/** Finds an executable on PATH; undefined when there is none. */
export async function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next folder.
    }
  }
  return undefined;
}

/** The command line to open `url` with a Chromium-family browser and a fresh profile. */
export function chromiumArgs(url: string, userDataDir: string, isRoot: boolean): string[] {
  return [
    ...(isRoot ? ['--no-sandbox'] : []),
    `--user-data-dir=${userDataDir}`,
    ...OFFLINE_CHROMIUM_FLAGS,
    `--app=${url}`,
  ];
}

/**
 * Opens `url` in a local browser when a display is available: Chromium (or Chrome) with a
 * throw-away profile and no background networking, else `xdg-open` (`open` on macOS).
 *
 * Returns undefined when there is no display or no browser; the caller has printed the URL.
 */
export async function openInLocalBrowser(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<OpenedBrowser | undefined> {
  if (platform === 'darwin') {
    // macOS has no DISPLAY; `open` hands the URL to the default browser.
    launch('/usr/bin/open', [url]);
    return { command: '/usr/bin/open', close: () => Promise.resolve() };
  }
  if (!env['DISPLAY'] && !env['WAYLAND_DISPLAY']) return undefined;

  for (const name of CHROMIUM_FAMILY) {
    const command = await findOnPath(name, env);
    if (!command) continue;
    const userDataDir = await mkdtemp(join(tmpdir(), 'patchdeck-browser-'));
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const child = launch(command, chromiumArgs(url, userDataDir, isRoot));
    return {
      command,
      async close() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  }

  const xdgOpen = await findOnPath('xdg-open', env);
  if (!xdgOpen) return undefined;
  launch(xdgOpen, [url]);
  return { command: xdgOpen, close: () => Promise.resolve() };
}

function launch(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore', detached: false });
  // A browser that fails to start must not take the server down.
  child.on('error', () => undefined);
  child.unref();
  return child;
}
