import type { ErrorCode, WireResult } from '../../shared/api/errors';
import type { Dispatch } from '../core/api/dispatcher';
import type { CoreEvents } from '../core/core';

/*
 * The message protocol between the main process and the core's utility process, over an
 * Electron MessagePort. Neither side imports electron here: both take a structural port, so the
 * protocol is testable on plain Node and the utility-process bundle never pulls electron in.
 */

/** The slice of Electron's MessagePortMain both sides use. */
export interface MessagePortLike {
  on(event: 'message', listener: (message: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
}

/** Main process → core. */
export type RelayRequest =
  | { type: 'call'; id: number; op: string; input: unknown; session?: string | undefined }
  | { type: 'close' };

/** Core → main process. */
export type RelayReply =
  | { type: 'result'; id: number; result: WireResult<unknown> }
  | { type: 'event'; event: string; payload: unknown }
  | { type: 'closed' };

/** Utility process → main process, on the parent port (before the MessagePort is in use). */
export type CoreProcessStatus =
  { type: 'ready' } | { type: 'fatal'; code: ErrorCode | null; message: string };

/** Main process → utility process, on the parent port, with the MessagePort attached. */
export type CoreProcessInit = { type: 'init'; workspaceDir: string; logPath?: string | undefined };

/** The main process's view of a core that runs elsewhere. */
export type CoreRelay = {
  dispatch: Dispatch;
  events: CoreEvents;
  /** Asks the core to close (final snapshot) and waits for it, at most `timeoutMs`. */
  close(timeoutMs?: number): Promise<boolean>;
  /** Answers every waiting and future call with TRANSPORT_FAILED (the core process died). */
  fail(reason: string): void;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function failure(code: ErrorCode, message: string): WireResult<never> {
  return { ok: false, error: { code, message } };
}

/** The main-process side: a dispatch function and an event source backed by the port. */
export function createCoreRelay(port: MessagePortLike): CoreRelay {
  let nextId = 1;
  const pending = new Map<number, (result: WireResult<unknown>) => void>();
  const listeners = new Set<(event: string, payload: unknown) => void>();
  let failedReason: string | undefined;
  let closedSignal: (() => void) | undefined;
  let closed = false;

  port.on('message', ({ data }) => {
    if (!isRecord(data)) return;
    if (data['type'] === 'result' && typeof data['id'] === 'number') {
      const resolve = pending.get(data['id']);
      pending.delete(data['id']);
      resolve?.(data['result'] as WireResult<unknown>);
    } else if (data['type'] === 'event' && typeof data['event'] === 'string') {
      for (const listener of [...listeners]) listener(data['event'], data['payload']);
    } else if (data['type'] === 'closed') {
      closed = true;
      closedSignal?.();
    }
  });
  port.start();

  return {
    dispatch(op, input, context = {}) {
      if (failedReason !== undefined) {
        return Promise.resolve(failure('TRANSPORT_FAILED', failedReason));
      }
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        const request: RelayRequest = { type: 'call', id, op, input, session: context.session };
        try {
          port.postMessage(request);
        } catch {
          pending.delete(id);
          resolve(failure('VALIDATION_FAILED', 'The request could not be sent to the core.'));
        }
      });
    },
    events: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    close(timeoutMs = 15_000) {
      // A core that never started or already died has nothing left to close.
      if (closed || failedReason !== undefined) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        closedSignal = () => {
          clearTimeout(timer);
          resolve(true);
        };
        try {
          port.postMessage({ type: 'close' } satisfies RelayRequest);
        } catch {
          clearTimeout(timer);
          resolve(false);
        }
      });
    },
    fail(reason) {
      failedReason = reason;
      for (const resolve of pending.values()) resolve(failure('TRANSPORT_FAILED', reason));
      pending.clear();
      closedSignal?.();
    },
  };
}

/** The running core as the utility process holds it. */
export type RelayedCore = { dispatch: Dispatch; events: CoreEvents; close(): Promise<void> };

/**
 * The utility-process side: answers calls arriving on the port with `{ type, id, result }`,
 * forwards every core event, and on `close` closes the core and reports `closed`.
 */
export function serveCoreOnPort(
  port: MessagePortLike,
  core: RelayedCore,
  onClosed: (error?: unknown) => void,
): void {
  const unsubscribe = core.events.subscribe((event, payload) => {
    port.postMessage({ type: 'event', event, payload } satisfies RelayReply);
  });
  let closing = false;

  const answer = async (id: number, op: string, input: unknown, session: string | undefined) => {
    let result: WireResult<unknown>;
    try {
      result = await core.dispatch(op, input, session === undefined ? {} : { session });
    } catch {
      result = failure('INTERNAL_ERROR', 'The core failed to answer.');
    }
    try {
      port.postMessage({ type: 'result', id, result } satisfies RelayReply);
    } catch {
      // The answer held something a MessagePort cannot carry: a core bug, reported as one.
      port.postMessage({
        type: 'result',
        id,
        result: failure('INTERNAL_ERROR', 'The core answered with data that cannot be sent.'),
      } satisfies RelayReply);
    }
  };

  port.on('message', ({ data }) => {
    if (!isRecord(data)) return;
    if (data['type'] === 'call' && typeof data['id'] === 'number') {
      const id = data['id'];
      const op = typeof data['op'] === 'string' ? data['op'] : '';
      const session = typeof data['session'] === 'string' ? data['session'] : undefined;
      void answer(id, op, data['input'], session);
    } else if (data['type'] === 'close' && !closing) {
      closing = true;
      unsubscribe();
      core.close().then(
        () => {
          port.postMessage({ type: 'closed' } satisfies RelayReply);
          onClosed();
        },
        (error: unknown) => {
          port.postMessage({ type: 'closed' } satisfies RelayReply);
          onClosed(error);
        },
      );
    }
  });
  port.start();
}
