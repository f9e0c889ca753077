import { readSettings, writeSettings } from '../db/settings.repository';
import type { Workspace } from '../db/workspace';
import type { EventBus } from '../platform/events';
import type { AreaHandlers } from '../platform/handlers';

/** Facts about this build, fixed at start-up. */
export type ProductInfo = {
  productName: string;
  version: string;
  transport: 'ipc' | 'http' | 'in-process';
};

/** Handlers of product facts and workspace settings. */
export function systemHandlers(deps: {
  workspace: Workspace;
  events: EventBus;
  product: ProductInfo;
}): AreaHandlers<'system.info' | 'settings.get' | 'settings.update'> {
  return {
    'system.info': () =>
      Promise.resolve({
        ...deps.product,
        workspacePath: deps.workspace.dir,
        schemaVersion: deps.workspace.schemaVersion,
      }),
    'settings.get': () => Promise.resolve(readSettings(deps.workspace)),
    'settings.update': (input, ctx) => {
      const before = readSettings(deps.workspace);
      const after = { idleLockMinutes: input.idleLockMinutes ?? before.idleLockMinutes };
      ctx.describe(`Changed settings: idle lock after ${after.idleLockMinutes} min`, {
        before,
        after,
      });
      ctx.commit((tx) => writeSettings(tx, after, ctx.now.toISOString()));
      deps.events.emit('settings.changed', { idleLockMinutes: after.idleLockMinutes });
      return Promise.resolve(after);
    },
  };
}
