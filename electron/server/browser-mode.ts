import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createCore, type Core } from '../core/core';
import { randomHex } from '../core/platform/ids';
import type { Logger } from '../core/platform/logger';

import { startLoopbackServer } from './loopback-server';

/** What browser mode needs. */
export type BrowserModeOptions = {
  /** The workspace folder (created if missing). */
  workspaceDir: string;
  /** 0 (the default) lets the OS choose. */
  port?: number;
  /** The built renderer; without it only the API is served. */
  rendererDir?: string;
  log?: Logger;
};

/** A running browser-mode instance: a core behind a loopback server. */
export type BrowserMode = {
  /** The address to open, token included: `http://127.0.0.1:<port>/#token=<hex>`. */
  url: string;
  /** The API root for `httpTransport`: `http://127.0.0.1:<port>/api`. */
  apiBase: string;
  /** The per-launch bearer token. */
  token: string;
  core: Core;
  /** Stops serving, then closes the core (which writes its final snapshot). */
  close(): Promise<void>;
};

/**
 * Where the built renderer is, seen from this module: `dist/renderer` beside the bundled
 * `dist/electron/server.mjs`, or the repository's `dist/renderer` when run from sources.
 */
export function defaultRendererDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../renderer'), resolve(here, '../../dist/renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * Starts the core for HTTP and serves it, with the renderer, on 127.0.0.1.
 *
 * A fresh random 32-byte token is made for every launch; it travels to the page in the URL's
 * fragment, which browsers never send to a server.
 */
export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  const core = await createCore({
    workspaceDir: options.workspaceDir,
    transport: 'http',
    ...(options.log ? { log: options.log } : {}),
  });
  const token = randomHex(32);
  let server;
  try {
    server = await startLoopbackServer({
      dispatch: core.dispatch,
      events: core.events,
      token,
      port: options.port ?? 0,
      ...(options.rendererDir ? { staticDir: options.rendererDir } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (error) {
    await core.close();
    throw error;
  }
  const origin = server.url.replace(/\/$/, '');
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/#token=${token}`,
    apiBase: `${origin}/api`,
    token,
    core,
    close() {
      closing ??= (async () => {
        try {
          await server.close();
        } finally {
          await core.close();
        }
      })();
      return closing;
    },
  };
}
