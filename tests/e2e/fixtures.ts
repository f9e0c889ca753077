import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { test as base, type Page } from '@playwright/test';

import { startBrowserMode } from '../../electron/server/browser-mode';

/** A browser-mode PatchDeck with its own empty workspace, for one worker. */
export type AppInstance = {
  /** The address to open, token included. */
  url: string;
  /** The API root, e.g. `http://127.0.0.1:41234/api`. */
  apiBase: string;
  /** The per-launch bearer token of the loopback server. */
  token: string;
  workspaceDir: string;
};

type WorkerFixtures = {
  /** A spec that needs an empty workspace of its own names one; each name gets a worker. */
  workspaceName: string;
  app: AppInstance;
};
type TestFixtures = { screens: Screens };

/** Saves screenshots where people look for them: `test-results/screens/<name>.png`. */
export type Screens = { take(page: Page, name: string): Promise<void> };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  workspaceName: ['default', { scope: 'worker', option: true }],
  app: [
    async ({ workspaceName }, use) => {
      const workspaceDir = await mkdtemp(join(tmpdir(), `patchdeck-e2e-${workspaceName}-`));
      const running = await startBrowserMode({
        workspaceDir,
        port: 0,
        rendererDir: 'dist/renderer',
      });
      try {
        await use({
          url: running.url,
          apiBase: running.apiBase,
          token: running.token,
          workspaceDir,
        });
      } finally {
        await running.close();
        await rm(workspaceDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker' },
  ],
  // Playwright reads a fixture's dependencies from its destructuring pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  screens: async ({}, use) => {
    await use({
      async take(page, name) {
        await page.screenshot({ path: join('test-results', 'screens', `${name}.png`) });
      },
    });
  },
});

export { expect } from '@playwright/test';
