import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createCore, type Core } from '../../electron/core/core';
import { manualClock } from '../../electron/core/platform/clock';
import { countingIds } from '../../electron/core/platform/ids';
import { memoryLogger } from '../../electron/core/platform/logger';
import { createApiClient, type ApiClient } from '../../shared/api/client';

import { inProcessTransport } from './in-process-transport';

/** Cheap scrypt parameters so tests can log in often; production uses the default cost. */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1, keylen: 64 } as const;

/** A password that passes the strength policy. */
export const STRONG_PASSWORD = 'Quarry-Lantern-Violet-42';

/** A second strong password. */
export const OTHER_STRONG_PASSWORD = 'Harbor-Tundra-Copper-77';

/** A real core over a real workspace in a fresh temp folder, with a manual clock. */
export type TestCore = {
  core: Core;
  dir: string;
  clock: ReturnType<typeof manualClock>;
  log: ReturnType<typeof memoryLogger>;
  /** A new client with no session. */
  client(): ApiClient;
  /** Closes the core (final snapshot), as quitting the app would. */
  close(): Promise<void>;
  /** Opens the same workspace again (after close), as a restart would. */
  reopen(): Promise<Core>;
  /** Closes the core and deletes the folder. */
  dispose(): Promise<void>;
};

/** Starts a test core; `dir` reuses an existing workspace folder. */
export async function createTestCore(options: { dir?: string } = {}): Promise<TestCore> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'patchdeck-core-'));
  const clock = manualClock('2026-03-01T08:00:00.000Z');
  const log = memoryLogger();
  const start = () =>
    createCore({
      workspaceDir: dir,
      transport: 'in-process',
      clock,
      ids: countingIds(),
      log,
      scryptParams: TEST_SCRYPT,
    });
  const state = { core: await start(), closed: false };
  return {
    get core() {
      return state.core;
    },
    dir,
    clock,
    log,
    client: () => createApiClient(inProcessTransport(state.core)),
    async close() {
      await state.core.close();
      state.closed = true;
    },
    async reopen() {
      state.core = await start();
      state.closed = false;
      return state.core;
    },
    async dispose() {
      if (!state.closed) await state.core.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sets up the administrator and returns a logged-in admin client. */
export async function withAdmin(t: TestCore, username = 'admin'): Promise<ApiClient> {
  const client = t.client();
  const session = await client.call('auth.setupAdmin', {
    username,
    displayName: 'Site Administrator',
    password: STRONG_PASSWORD,
  });
  client.setSession(session.token);
  return client;
}

/** Creates an operator through the admin client and returns a client logged in as them. */
export async function withOperator(
  t: TestCore,
  admin: ApiClient,
  username: string,
  roles: ('administrator' | 'technician' | 'approver' | 'auditor')[],
): Promise<ApiClient> {
  await admin.call('operators.create', {
    username,
    displayName: `${username} (test)`,
    password: OTHER_STRONG_PASSWORD,
    roles,
  });
  const client = t.client();
  const session = await client.call('auth.login', { username, password: OTHER_STRONG_PASSWORD });
  client.setSession(session.token);
  return client;
}
