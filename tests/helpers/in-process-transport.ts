import type { Core } from '../../electron/core/core';
import type { Transport } from '../../shared/api/client';

/** A transport that calls the core's dispatcher directly, as the contract suite's first leg. */
export function inProcessTransport(core: Pick<Core, 'dispatch' | 'events'>): Transport {
  return {
    call: (op, input, session) => core.dispatch(op, input, { session }),
    subscribe: (listener) => core.events.subscribe(listener),
  };
}
