import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  forwardEvents,
  registerIpcApi,
  trustedSenderCheck,
  type IpcInvokeEventLike,
  type IpcMainLike,
} from '../../electron/app/ipc-server';
import { randomHex } from '../../electron/core/platform/ids';
import { startLoopbackServer } from '../../electron/server/loopback-server';
import { API_CHANNEL } from '../../shared/api/channels';
import { createApiClient, type ApiClient, type Transport } from '../../shared/api/client';
import { OP_NAMES, operations, type OpName } from '../../shared/api/contract';
import type { WireResult } from '../../shared/api/errors';
import { httpTransport } from '../../shared/api/http-transport';
import { inProcessTransport } from '../helpers/in-process-transport';
import { createTestCore, STRONG_PASSWORD, type TestCore } from '../helpers/test-core';

import { assetCases } from './cases/assets';
import { bundleCases } from './cases/bundles';
import type { Case, State } from './cases/case';
import { catalogCases } from './cases/catalog';
import { foundationClosing, foundationOpening } from './cases/foundation';

/*
 * The contract suite: every operation of the contract, over every transport, with an invalid
 * input and a valid one, in the order a real site would use them. It is what lets CI run over
 * HTTP while operators use IPC.
 */

type Leg = { transport: Transport; close(): Promise<void> };

/** The three ways to reach the core: direct, loopback HTTP, and the Electron IPC adapter. */
const TRANSPORTS: { name: string; connect: (t: TestCore) => Promise<Leg> }[] = [
  {
    name: 'in-process',
    connect: (t) =>
      Promise.resolve({ transport: inProcessTransport(t.core), close: () => Promise.resolve() }),
  },
  {
    name: 'loopback HTTP',
    async connect(t) {
      const token = randomHex(32);
      const server = await startLoopbackServer({
        dispatch: t.core.dispatch,
        events: t.core.events,
        token,
      });
      const transport = httpTransport({ apiBase: `${server.url}api`, token, reconnectDelayMs: 50 });
      return { transport, close: () => server.close() };
    },
  },
  {
    name: 'Electron IPC adapter',
    connect(t) {
      // A stand-in ipcMain; arguments and answers are structured-cloned as Electron IPC does.
      let handler: ((event: IpcInvokeEventLike, ...args: unknown[]) => unknown) | undefined;
      const ipcMain: IpcMainLike = {
        handle: (channel, listener) => {
          if (channel === API_CHANNEL) handler = listener;
        },
        removeHandler: () => {
          handler = undefined;
        },
      };
      const stop = registerIpcApi(ipcMain, t.core.dispatch, trustedSenderCheck(new Set([1])));
      const frame: IpcInvokeEventLike = {
        sender: { id: 1 },
        senderFrame: { url: 'app://patchdeck/' },
      };
      const listeners = new Set<(event: string, payload: unknown) => void>();
      const stopEvents = forwardEvents(t.core.events, (event, payload) => {
        for (const listener of [...listeners]) listener(event, structuredClone(payload));
      });
      const transport: Transport = {
        async call(op, input, session) {
          if (!handler) throw new Error('IPC handler not registered');
          const args = structuredClone([op, input, session]);
          return structuredClone(await handler(frame, ...args)) as WireResult<unknown>;
        },
        subscribe(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      };
      return Promise.resolve({
        transport,
        close: () => {
          stopEvents();
          stop();
          return Promise.resolve();
        },
      });
    },
  },
];

/**
 * One case per operation, in the realistic order: first run, login, operators, settings, audit,
 * then each area's operations, then password change, unlock and logout. A missing operation is a
 * compile error here and a failure below.
 */
const CASES: { [N in OpName]: Case<N> } = {
  ...foundationOpening,
  ...assetCases,
  ...bundleCases,
  ...catalogCases,
  ...foundationClosing,
};

const VALID_ORDER = Object.keys(CASES) as OpName[];

/** Calls `op` with its valid input, checks the output against the schema, lets the case react. */
async function callWithValidInput<N extends OpName>(
  client: ApiClient,
  op: N,
  state: State,
): Promise<void> {
  const spec: Case<N> = CASES[op];
  const output = await client.call(op, spec.valid(state));
  const parsed = operations[op].output.safeParse(output);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  await spec.then?.(output, state, client);
}

describe('the contract suite itself', () => {
  it('has a valid-input case, in the realistic order, for every operation of the contract', () => {
    expect([...VALID_ORDER].sort()).toEqual([...OP_NAMES].sort());
    expect(new Set(VALID_ORDER).size).toBe(VALID_ORDER.length);
    expect(Object.keys(CASES).sort()).toEqual([...OP_NAMES].sort());
  });
});

describe.each(TRANSPORTS)('contract over $name', ({ connect }) => {
  let t: TestCore;
  let leg: Leg;
  let client: ApiClient;
  const state: State = { technicianId: '', password: STRONG_PASSWORD, vars: {} };

  const run = <N extends OpName>(op: N, input: unknown): Promise<WireResult<unknown>> =>
    leg.transport.call(op, input, client.getSession());

  beforeAll(async () => {
    t = await createTestCore();
    leg = await connect(t);
    client = createApiClient(leg.transport);
  });

  afterAll(async () => {
    await leg.close();
    await t.dispose();
  });

  it.each(OP_NAMES)('%s refuses an invalid input with VALIDATION_FAILED', async (op) => {
    const result = await run(op, CASES[op].invalid);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('answers an unknown operation with UNKNOWN_OPERATION', async () => {
    const result = await leg.transport.call('bundles.teleport', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
  });

  for (const op of VALID_ORDER) {
    it(`${op} answers a valid input with output matching its schema`, () =>
      callWithValidInput(client, op, state));
  }

  it('delivers core events to subscribers', async () => {
    const seen: string[] = [];
    const stop = leg.transport.subscribe((event) => seen.push(event));
    try {
      // Give the event stream a moment to connect before the command that emits.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const result = await run('auth.login', CASES['auth.login'].valid(state));
      expect(result.ok).toBe(true);
      await expect.poll(() => seen, { timeout: 5_000 }).toContain('audit.appended');
    } finally {
      stop();
    }
  });

  it('refuses every non-public operation without a session with NOT_AUTHENTICATED', async () => {
    const guarded = OP_NAMES.filter((op) => operations[op].access !== 'public');
    expect(guarded.length).toBeGreaterThan(0);
    for (const op of guarded) {
      const result = await leg.transport.call(op, CASES[op].valid(state));
      expect(result, op).toMatchObject({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    }
  });
});
