import type { PatchDeckBridge } from '../../shared/api/bridge';
import type { Transport } from '../../shared/api/client';
import type { WireResult } from '../../shared/api/errors';

/** Carries calls over the Electron preload bridge (`window.patchdeck`). */
export function ipcTransport(bridge: PatchDeckBridge): Transport {
  return {
    async call(op, input, session): Promise<WireResult<unknown>> {
      try {
        return await bridge.call(op, input, session);
      } catch {
        return {
          ok: false,
          error: { code: 'TRANSPORT_FAILED', message: 'The desktop bridge did not answer.' },
        };
      }
    },
    subscribe: (listener) => bridge.subscribe(listener),
  };
}
