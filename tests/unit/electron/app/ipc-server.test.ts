import { describe, expect, it } from 'vitest';

import {
  forwardEvents,
  registerIpcApi,
  trustedSenderCheck,
  type IpcInvokeEventLike,
  type IpcMainLike,
} from '../../../../electron/app/ipc-server';
import type { Dispatch } from '../../../../electron/core/api/dispatcher';
import { API_CHANNEL } from '../../../../shared/api/channels';
import type { WireResult } from '../../../../shared/api/errors';

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;

/** A stand-in for Electron's ipcMain: remembers handlers and lets the test invoke them. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  const invoke = async (event: IpcInvokeEventLike, ...args: unknown[]) => {
    const handler = handlers.get(API_CHANNEL);
    if (!handler) throw new Error('no handler');
    return (await handler(event, ...args)) as WireResult<unknown>;
  };
  return { ipcMain, handlers, invoke };
}

function recordingDispatch() {
  const calls: { op: string; input: unknown; session: string | undefined }[] = [];
  const dispatch: Dispatch = (op, input, context) => {
    calls.push({ op, input, session: context?.session });
    return Promise.resolve({ ok: true, value: { op } });
  };
  return { calls, dispatch };
}

const appFrame = (id: number, url = 'app://patchdeck/index.html'): IpcInvokeEventLike => ({
  sender: { id },
  senderFrame: { url },
});

describe('registerIpcApi', () => {
  const trusted = trustedSenderCheck(new Set([1]));

  it('dispatches a trusted call with its input and session', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const { calls, dispatch } = recordingDispatch();
    registerIpcApi(ipcMain, dispatch, trusted);

    const result = await invoke(appFrame(1), 'auth.me', {}, 'session-token');
    expect(result).toEqual({ ok: true, value: { op: 'auth.me' } });
    expect(calls).toEqual([{ op: 'auth.me', input: {}, session: 'session-token' }]);

    await invoke(appFrame(1, 'app://patchdeck/settings'), 'auth.status', {});
    expect(calls[1]).toEqual({ op: 'auth.status', input: {}, session: undefined });
  });

  it('rejects untrusted senders without dispatching', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const { calls, dispatch } = recordingDispatch();
    const rejected: string[] = [];
    registerIpcApi(ipcMain, dispatch, trusted, (reason) => rejected.push(reason));

    const untrusted: IpcInvokeEventLike[] = [
      appFrame(2),
      appFrame(1, 'https://example.org/'),
      appFrame(1, 'app://patchdeck.evil/index.html'),
      appFrame(1, 'app://evil@patchdeck.evil/'),
      appFrame(1, 'file:///etc/passwd'),
      { sender: { id: 1 }, senderFrame: null },
    ];
    for (const event of untrusted) {
      const result = await invoke(event, 'operators.list', {}, 'session-token');
      expect(result).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    }
    expect(calls).toEqual([]);
    expect(rejected).toHaveLength(untrusted.length);
  });

  it('rejects a non-string operation name and a malformed session', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const { calls, dispatch } = recordingDispatch();
    registerIpcApi(ipcMain, dispatch, trusted);

    for (const op of [undefined, 42, { op: 'auth.me' }, ['auth.me'], null]) {
      const result = await invoke(appFrame(1), op, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    }
    const badSession = await invoke(appFrame(1), 'auth.me', {}, { token: 'x' });
    expect(badSession).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(calls).toEqual([]);
  });

  it('removes its handler when asked', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const stop = registerIpcApi(ipcMain, recordingDispatch().dispatch, trusted);
    expect(handlers.has(API_CHANNEL)).toBe(true);
    stop();
    expect(handlers.has(API_CHANNEL)).toBe(false);
  });
});

describe('forwardEvents', () => {
  it('sends every core event until stopped', () => {
    const listeners = new Set<(event: string, payload: unknown) => void>();
    const events = {
      subscribe(listener: (event: string, payload: unknown) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const sent: [string, unknown][] = [];
    const stop = forwardEvents(events, (event, payload) => sent.push([event, payload]));
    for (const listener of listeners) listener('settings.changed', { idleLockMinutes: 5 });
    stop();
    for (const listener of listeners) listener('settings.changed', { idleLockMinutes: 9 });
    expect(sent).toEqual([['settings.changed', { idleLockMinutes: 5 }]]);
    expect(listeners.size).toBe(0);
  });
});
