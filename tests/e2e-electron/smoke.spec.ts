import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { _electron as electron, expect, test } from '@playwright/test';

/*
 * Desktop smoke test: needs the Electron runtime, so it runs only on a workstation that has it
 * (PATCHDECK_E2E_ELECTRON=1 npm run test:e2e:electron), never on CI.
 */

const root = join(import.meta.dirname, '..', '..');

test('the desktop app opens its window and answers over IPC', async () => {
  const home = mkdtempSync(join(tmpdir(), 'patchdeck-electron-'));
  const electronPath = createRequire(import.meta.url)('electron') as unknown as string;
  const app = await electron.launch({
    executablePath: electronPath,
    args: [join(root, 'dist', 'electron', 'main.cjs')],
    env: { ...process.env, PATCHDECK_HOME: home },
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'Set up this workspace' })).toBeVisible();
    const answer = await window.evaluate(async () => {
      const bridge = (
        window as unknown as { patchdeck: { call(op: string, input: unknown): Promise<unknown> } }
      ).patchdeck;
      return bridge.call('auth.status', {});
    });
    expect(answer).toMatchObject({ ok: true, value: { needsSetup: true } });
    const exposed = await window.evaluate(() =>
      Object.keys((window as unknown as { patchdeck: object }).patchdeck).sort(),
    );
    expect(exposed).toEqual(['call', 'subscribe']);
  } finally {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  }
});
