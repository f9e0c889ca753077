import type { EventName, EventPayload } from '../../../shared/api/events';

import type { Logger } from './logger';

/** A listener of every event: name and payload. */
export type EventListener = (event: string, payload: unknown) => void;

/** How the core pushes events to whoever listens (transports, tests). */
export interface EventBus {
  /** Sends an event of the contract to every listener. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: EventListener): () => void;
}

/** An in-process event bus; a failing listener is logged and never stops the others. */
export function createEventBus(log: Logger): EventBus {
  const listeners = new Set<EventListener>();
  return {
    emit(event, payload) {
      for (const listener of [...listeners]) {
        try {
          listener(event, payload);
        } catch (error) {
          log.error('event listener failed', { event, error });
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
