import { createApiClient, type Transport } from '../../shared/api/client';

import { selectTransport } from './select-transport';

type EventListener = (event: string, payload: unknown) => void;

let active: Transport | undefined;
let stopActive: (() => void) | undefined;
const listeners = new Set<EventListener>();

function activeTransport(): Transport {
  active ??= selectTransport();
  return active;
}

function fanOut(event: string, payload: unknown): void {
  for (const listener of [...listeners]) listener(event, payload);
}

/**
 * Holds one subscription to the core and shares it with every listener in the window, so a
 * dozen mounted screens cost one event stream, not a dozen.
 */
const sharedTransport: Transport = {
  call: (op, input, session) => activeTransport().call(op, input, session),
  subscribe(listener) {
    listeners.add(listener);
    stopActive ??= activeTransport().subscribe(fanOut);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && stopActive) {
        stopActive();
        stopActive = undefined;
      }
    };
  },
};

/** The one API client of the renderer. */
export const api = createApiClient(sharedTransport);

/**
 * Replaces the transport (before the first call, or in component tests with a fake).
 *
 * Listeners already registered move over to the new transport.
 */
export function installTransport(transport: Transport): void {
  stopActive?.();
  stopActive = undefined;
  active = transport;
  if (listeners.size > 0) stopActive = transport.subscribe(fanOut);
}
