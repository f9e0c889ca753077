import { register } from 'node:module';

import { defineConfig } from '@playwright/test';

// The e2e fixture runs the core from sources; its migrations are `.sql` files imported as text.
// The config is evaluated in every worker, so the hook is in place before any spec is loaded.
register('./build/sql-loader.mjs', import.meta.url);

/** Debian's Chromium: Playwright cannot download its own browsers on these machines. */
const CHROMIUM = process.env['PATCHDECK_CHROMIUM'] ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results/playwright',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env['CI']),
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1366, height: 860 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
  projects: [
    {
      name: 'browser',
      testDir: 'tests/e2e',
      testMatch: '**/*.spec.ts',
    },
    {
      // The desktop smoke needs the Electron binary, which CI cannot download.
      name: 'electron',
      testDir: 'tests/e2e-electron',
      testMatch: '**/*.spec.ts',
      testIgnore: process.env['PATCHDECK_E2E_ELECTRON'] ? [] : ['**/*'],
    },
  ],
});
