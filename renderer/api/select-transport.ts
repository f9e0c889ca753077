import type { PatchDeckBridge } from '../../shared/api/bridge';
import type { Transport } from '../../shared/api/client';
import { httpTransport } from '../../shared/api/http-transport';

import { readBrowserModeConfig } from './browser-mode-config';
import { ipcTransport } from './ipc-transport';

type WindowWithBridge = Window & { patchdeck?: PatchDeckBridge };

/** A transport that explains why there is none: browser mode opened without its token. */
function missingTokenTransport(): Transport {
  return {
    call: () =>
      Promise.resolve({
        ok: false,
        error: {
          code: 'TRANSPORT_FAILED',
          message: 'This page was opened without the access token of the PatchDeck server.',
        },
      }),
    subscribe: () => () => undefined,
  };
}

/** Picks IPC inside the desktop app and loopback HTTP in browser mode. */
export function selectTransport(): Transport {
  const bridge = (window as WindowWithBridge).patchdeck;
  if (bridge) return ipcTransport(bridge);
  const config = readBrowserModeConfig();
  return config
    ? httpTransport({ apiBase: `${config.baseUrl}/api`, token: config.token })
    : missingTokenTransport();
}
