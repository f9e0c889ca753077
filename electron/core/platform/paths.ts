import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** The folder name under the platform's per-user application data folder. */
export const APP_DATA_FOLDER = 'PatchDeck';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The per-user application data folder for PatchDeck, as Electron's `userData` would be.
 *
 * Linux and other Unix: `$XDG_CONFIG_HOME/PatchDeck` (only when absolute, as the XDG spec says)
 * or `~/.config/PatchDeck`; macOS: `~/Library/Application Support/PatchDeck`; Windows:
 * `%APPDATA%\PatchDeck`.
 */
export function userDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') {
    const appData =
      nonEmpty(env['APPDATA']) ??
      win32.join(nonEmpty(env['USERPROFILE']) ?? homedir(), 'AppData', 'Roaming');
    return win32.join(appData, APP_DATA_FOLDER);
  }
  const home = nonEmpty(env['HOME']) ?? homedir();
  if (platform === 'darwin') {
    return posix.join(home, 'Library', 'Application Support', APP_DATA_FOLDER);
  }
  const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
  const configHome = xdg !== undefined && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config');
  return posix.join(configHome, APP_DATA_FOLDER);
}

/**
 * Where the workspace lives when nobody says otherwise.
 *
 * `PATCHDECK_HOME`, when set, is the workspace folder itself; otherwise it is `workspace` inside
 * the platform's user data folder (see `userDataDir`).
 */
export function defaultWorkspaceDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const override = nonEmpty(env['PATCHDECK_HOME']);
  if (override !== undefined) {
    return platform === 'win32' ? win32.resolve(override) : posix.resolve(override);
  }
  const base = userDataDir(env, platform);
  return platform === 'win32' ? win32.join(base, 'workspace') : posix.join(base, 'workspace');
}
