import { API_CHANNEL } from '../../shared/api/channels';
import type { WireResult } from '../../shared/api/errors';
import type { Dispatch } from '../core/api/dispatcher';
import type { CoreEvents } from '../core/core';

import { isAppUrl } from './web-security';

/** The parts of Electron's `IpcMainInvokeEvent` the adapter reads. */
export interface IpcInvokeEventLike {
  sender: { id: number };
  /** Null when the frame has navigated away or been destroyed. */
  senderFrame: { url: string } | null;
}

/** The slice of Electron's `ipcMain` we use; tests pass a plain object. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown,
  ): void;
  removeHandler(channel: string): void;
}

/** Decides whether an IPC message comes from a window this app made, showing the app. */
export type TrustedSenderCheck = (event: IpcInvokeEventLike) => boolean;

/**
 * The usual sender check: the webContents is one of ours and the frame that sent the message
 * shows a page of `app://patchdeck` (not an injected iframe or a page navigated elsewhere).
 */
export function trustedSenderCheck(trustedWebContentsIds: ReadonlySet<number>): TrustedSenderCheck {
  return (event) =>
    trustedWebContentsIds.has(event.sender.id) &&
    event.senderFrame !== null &&
    isAppUrl(event.senderFrame.url);
}

function refusal(
  code: 'PERMISSION_DENIED' | 'UNKNOWN_OPERATION' | 'VALIDATION_FAILED',
  message: string,
): WireResult<never> {
  return { ok: false, error: { code, message } };
}

/**
 * Serves the API on the one IPC channel, for trusted senders only.
 *
 * Arguments are `(op, input, session?)`; `op` must be a string and `session`, when present, a
 * string. Everything else is the dispatcher's job. Returns a function that removes the handler.
 */
export function registerIpcApi(
  ipcMain: IpcMainLike,
  dispatch: Dispatch,
  isTrustedSender: TrustedSenderCheck,
  onRejected?: (reason: string, event: IpcInvokeEventLike) => void,
): () => void {
  ipcMain.handle(API_CHANNEL, (event, op, input, session) => {
    if (!isTrustedSender(event)) {
      onRejected?.('untrusted sender', event);
      return refusal('PERMISSION_DENIED', 'Rejected IPC request from an untrusted sender.');
    }
    if (typeof op !== 'string') {
      onRejected?.('operation name is not a string', event);
      return refusal('UNKNOWN_OPERATION', 'Rejected IPC request without an operation name.');
    }
    if (session !== undefined && session !== null && typeof session !== 'string') {
      onRejected?.('session is not a string', event);
      return refusal('VALIDATION_FAILED', 'Rejected IPC request with a malformed session.');
    }
    return dispatch(op, input, typeof session === 'string' ? { session } : {});
  });
  return () => ipcMain.removeHandler(API_CHANNEL);
}

/**
 * Forwards every core event to `send` (for example to each trusted window's
 * `webContents.send(EVENT_CHANNEL, event, payload)`). Returns the function that stops it.
 */
export function forwardEvents(
  events: CoreEvents,
  send: (event: string, payload: unknown) => void,
): () => void {
  return events.subscribe((event, payload) => send(event, payload));
}
