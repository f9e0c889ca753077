import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

import type { PatchDeckBridge } from '../../shared/api/bridge';
import { API_CHANNEL, EVENT_CHANNEL } from '../../shared/api/channels';
import type { WireResult } from '../../shared/api/errors';

/*
 * The whole bridge: `window.patchdeck` with exactly `call` and `subscribe`. Nothing of Electron
 * (no ipcRenderer, no event objects) reaches the page; listeners get the name and payload only.
 */
const bridge: PatchDeckBridge = {
  call: (op, input, session) =>
    ipcRenderer.invoke(API_CHANNEL, op, input, session) as Promise<WireResult<unknown>>,
  subscribe: (listener) => {
    const wrapped = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (typeof name === 'string') listener(name, payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('patchdeck', bridge);
