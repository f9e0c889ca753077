import { describe, expect, it } from 'vitest';

import {
  createCoreRelay,
  serveCoreOnPort,
  type MessagePortLike,
} from '../../../../electron/app/core-relay';
import type { Dispatch } from '../../../../electron/core/api/dispatcher';

/** Two connected ports that deliver asynchronously and structured-clone, as MessagePortMain does. */
function portPair(): [MessagePortLike, MessagePortLike] {
  const make = () => {
    const listeners: ((message: { data: unknown }) => void)[] = [];
    let peer: { deliver(data: unknown): void } | undefined;
    const port = {
      on(_event: 'message', listener: (message: { data: unknown }) => void) {
        listeners.push(listener);
      },
      postMessage(message: unknown) {
        const data = structuredClone(message);
        setTimeout(() => peer?.deliver(data), 0);
      },
      start: () => undefined,
      deliver(data: unknown) {
        for (const listener of listeners) listener({ data });
      },
      connect(other: { deliver(data: unknown): void }) {
        peer = other;
      },
    };
    return port;
  };
  const a = make();
  const b = make();
  a.connect(b);
  b.connect(a);
  return [a, b];
}

function fakeCore() {
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const calls: { op: string; session: string | undefined }[] = [];
  let closed = 0;
  const dispatch: Dispatch = (op, input, context) => {
    calls.push({ op, session: context?.session });
    return Promise.resolve({ ok: true, value: { op, input } });
  };
  return {
    calls,
    closedCount: () => closed,
    emit: (event: string, payload: unknown) => listeners.forEach((l) => l(event, payload)),
    core: {
      dispatch,
      events: {
        subscribe(listener: (event: string, payload: unknown) => void) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      close: () => {
        closed += 1;
        return Promise.resolve();
      },
    },
  };
}

describe('core relay over a MessagePort', () => {
  it('relays calls with their session, answers in order of ids, and forwards events', async () => {
    const [mainPort, corePort] = portPair();
    const fake = fakeCore();
    serveCoreOnPort(corePort, fake.core, () => undefined);
    const relay = createCoreRelay(mainPort);

    const [first, second] = await Promise.all([
      relay.dispatch('auth.me', {}, { session: 's1' }),
      relay.dispatch('auth.status', { x: 1 }),
    ]);
    expect(first).toEqual({ ok: true, value: { op: 'auth.me', input: {} } });
    expect(second).toEqual({ ok: true, value: { op: 'auth.status', input: { x: 1 } } });
    expect(fake.calls).toEqual([
      { op: 'auth.me', session: 's1' },
      { op: 'auth.status', session: undefined },
    ]);

    const seen: [string, unknown][] = [];
    relay.events.subscribe((event, payload) => seen.push([event, payload]));
    fake.emit('settings.changed', { idleLockMinutes: 5 });
    await expect.poll(() => seen).toEqual([['settings.changed', { idleLockMinutes: 5 }]]);
  });

  it('closes the core on request and reports back', async () => {
    const [mainPort, corePort] = portPair();
    const fake = fakeCore();
    let onClosedCalls = 0;
    serveCoreOnPort(corePort, fake.core, () => (onClosedCalls += 1));
    const relay = createCoreRelay(mainPort);
    await expect(relay.close(1_000)).resolves.toBe(true);
    expect(fake.closedCount()).toBe(1);
    expect(onClosedCalls).toBe(1);
  });

  it('answers waiting and later calls with TRANSPORT_FAILED once the core process is gone', async () => {
    const [mainPort] = portPair();
    const relay = createCoreRelay(mainPort);
    const waiting = relay.dispatch('auth.me', {});
    relay.fail('The PatchDeck core has stopped.');
    await expect(waiting).resolves.toMatchObject({
      ok: false,
      error: { code: 'TRANSPORT_FAILED' },
    });
    await expect(relay.dispatch('auth.me', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'TRANSPORT_FAILED' },
    });
  });
});
