import type { WireResult } from './errors';

/**
 * What the preload script exposes as `window.patchdeck`: exactly two functions.
 *
 * The renderer derives its IPC transport from this type; nothing else crosses the bridge.
 */
export type PatchDeckBridge = {
  call(op: string, input: unknown, session?: string): Promise<WireResult<unknown>>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
};
