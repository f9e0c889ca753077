import type { WebPreferences } from 'electron';

/** The custom scheme the renderer is served from. */
export const APP_SCHEME = 'app';

/** The host of every app page: `app://patchdeck/`. */
export const APP_HOST = 'patchdeck';

/** The one origin whose pages may talk to the core. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The page a window opens first. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * True when `url` is a page of the app (`app://patchdeck/...`), judged with a URL parser.
 *
 * A prefix test would accept `app://patchdeck.evil/` or `app://patchdeck@evil/`.
 */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== undefined &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * True for the only requests a PatchDeck window may make: its own pages and assets, and the
 * developer tools in development. Everything else (http, https, ws, file, ftp) is blocked, so
 * the app stays offline even if a page tried to reach out.
 */
export function isAllowedRequestUrl(url: string): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (parsed.protocol === 'devtools:') return true;
  // data: and blob: are produced by the page itself (CSP still decides where they may be used).
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return true;
  return isAppUrl(url);
}

/**
 * The webPreferences of every PatchDeck window, per the Electron security checklist: isolated,
 * sandboxed, no Node, web security on, and developer tools only in unpackaged builds.
 *
 * Risky options (webviews, Node in workers or subframes, insecure content, experimental or Blink
 * features) are left unset so Electron's safe defaults apply and a scanner sees nothing to flag.
 */
export function secureWebPreferences(preloadPath: string, isPackaged: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: !isPackaged,
    safeDialogs: true,
  };
}
