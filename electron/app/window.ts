import { readFile } from 'node:fs/promises';

import { BrowserWindow, protocol, type Session, type WebContents } from 'electron';

import type { Logger } from '../core/platform/logger';
import { CONTENT_SECURITY_POLICY, resolveStaticFile } from '../server/static-files';

import {
  APP_ENTRY_URL,
  APP_HOST,
  APP_SCHEME,
  isAllowedRequestUrl,
  isAppUrl,
  secureWebPreferences,
} from './web-security';

const RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * Declares `app://` as a standard, secure scheme. Must run before the app is ready.
 *
 * Standard gives pages a real origin (`app://patchdeck`) for the CSP and the sender check;
 * secure makes it a secure context, as `https` would be.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
    },
  ]);
}

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

/**
 * Serves the built renderer on `app://patchdeck/` for a session.
 *
 * Paths that could leave `rendererDir` (`..`, `%2e%2e`, encoded slashes, symlinks out) are
 * refused; every answer carries the CSP. Only GET of the app host is served.
 */
export function serveRenderer(session: Session, rendererDir: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.hostname !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return textResponse(404, 'Not found.');
    }
    // Use the path as sent, not the parser's normalised one, so `..` is seen and refused.
    const rawPath = request.url.slice(`${APP_SCHEME}://${APP_HOST}`.length) || '/';
    const lookup = await resolveStaticFile(rendererDir, rawPath);
    if (lookup.kind === 'bad-path') return textResponse(400, 'Bad path.');
    if (lookup.kind === 'not-found') return textResponse(404, 'Not found.');
    const body = await readFile(lookup.path);
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...RESPONSE_HEADERS, 'Content-Type': lookup.contentType },
    });
  });
}

/**
 * Locks a session down: every permission refused (request and check handlers both, as the
 * Electron docs require for full coverage), every request that is not `app:` (or `devtools:`)
 * cancelled, and downloads refused. PatchDeck never touches the network from a window.
 */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest({ urls: ['<all_urls>'] }, (details, callback) => {
    callback({ cancel: !isAllowedRequestUrl(details.url) });
  });
  session.on('will-download', (event) => event.preventDefault());
}

/**
 * Keeps a webContents on the app: navigation and redirects off `app://patchdeck` are prevented,
 * new windows are always denied, and webviews may not attach.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** What the main window needs. */
export type MainWindowOptions = {
  /** The bundled preload script (`dist/electron/preload.cjs`). */
  preloadPath: string;
  /** Packaged builds get no developer tools. */
  isPackaged: boolean;
  log: Logger;
};

/** Creates the main window, hardened, showing `app://patchdeck/index.html`. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'PatchDeck',
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(options.preloadPath, options.isPackaged),
  });
  hardenWebContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    options.log.error('the main window could not load the renderer', { error });
  });
  return window;
}
