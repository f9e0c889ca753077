import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { fileLogger } from '../core/platform/logger';
import { defaultWorkspaceDir } from '../core/platform/paths';

import { defaultRendererDir, startBrowserMode } from './browser-mode';
import { openInLocalBrowser, type OpenedBrowser } from './open-browser';

/** What `patchdeck serve` and the browser-mode entry accept. */
export type ServeOptions = {
  /** The workspace folder; the platform default (or PATCHDECK_HOME) when absent. */
  workspace?: string | undefined;
  /** The port; 0 or absent lets the OS choose. */
  port?: number | undefined;
  /** Open the URL in a local browser. */
  open?: boolean | undefined;
};

/** Parses a `--port` value: an integer from 0 to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`"${value}" is not a port number (0-65535).`);
  }
  return port;
}

/**
 * Runs browser mode until SIGINT or SIGTERM: starts the core and the loopback server, prints one
 * line with the URL (token included), optionally opens a browser, and on a signal closes the
 * server and the core (final snapshot) before exiting.
 */
export async function serveUntilSignal(options: ServeOptions): Promise<void> {
  const workspaceDir = resolve(options.workspace ?? defaultWorkspaceDir());
  await mkdir(workspaceDir, { recursive: true, mode: 0o700 });
  // Warnings and bugs (with stacks) go to the workspace's own log as well as to stderr.
  const log = fileLogger(join(workspaceDir, 'core.log'));
  const rendererDir = defaultRendererDir();
  const mode = await startBrowserMode({
    workspaceDir,
    port: options.port ?? 0,
    log,
    ...(rendererDir ? { rendererDir } : {}),
  });

  const hint = rendererDir ? '' : ' (renderer not built: API only; run `npm run build`)';
  process.stdout.write(
    `PatchDeck browser mode: open ${mode.url} (workspace ${workspaceDir})${hint}; Ctrl+C stops.\n`,
  );

  let browser: OpenedBrowser | undefined;
  if (options.open) {
    browser = await openInLocalBrowser(mode.url);
    if (!browser) {
      process.stderr.write('PatchDeck: no display or local browser found; open the URL above.\n');
    }
  }

  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second Ctrl+C while the snapshot is written: give up waiting.
        process.exit(130);
      }
      stopping = true;
      log.info('stopping browser mode', { signal });
      void (async () => {
        try {
          await browser?.close();
          await mode.close();
          process.exitCode = 0;
        } catch (error) {
          log.error('closing the core failed', { error });
          process.stderr.write(
            'PatchDeck: the workspace could not be closed cleanly; see above.\n',
          );
          process.exitCode = 1;
        }
        resolveStop();
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
