import type { Dispatch } from './api/dispatcher';
import { createDispatcher } from './api/dispatcher';
import { assertDisjointHandlers } from './api/handlers';
import { systemHandlers, type ProductInfo } from './api/system.handlers';
import { auditHandlers } from './audit/audit.handlers';
import { authHandlers } from './auth/auth.handlers';
import { AuthService } from './auth/auth.service';
import { operatorHandlers } from './auth/operators.handlers';
import { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './auth/password-hash';
import { SessionStore } from './auth/sessions';
import { createBundlesArea } from './bundles/bundles.handlers';
import { openWorkspace } from './db/open-workspace';
import { readSettings } from './db/settings.repository';
import type { Workspace } from './db/workspace';
import { importHandlers } from './inventory/import/imports.handlers';
import { createInventory } from './inventory/inventory.handlers';
import { systemClock, type Clock } from './platform/clock';
import { createEventBus, type EventListener } from './platform/events';
import type { Handlers } from './platform/handlers';
import { randomIds, type IdGenerator } from './platform/ids';
import { fileLogger, type Logger } from './platform/logger';
import { catalogHandlers } from './policy/catalog.handlers';

export type { Dispatch } from './api/dispatcher';

/** The product version, stamped by the build; "dev" when run from sources. */
declare const __PATCHDECK_VERSION__: string | undefined;

/** How to start a core. */
export type CoreConfig = {
  /** The folder holding the workspace (created if missing). */
  workspaceDir: string;
  /** Which transport serves this core (shown in About). */
  transport: ProductInfo['transport'];
  clock?: Clock;
  ids?: IdGenerator;
  log?: Logger;
  /** Password hashing cost; tests lower it, production keeps the default. */
  scryptParams?: ScryptParams;
};

/** The events side of a core, as transports see it. */
export type CoreEvents = { subscribe(listener: EventListener): () => void };

/** A running core: one dispatch function, one event stream, and a way to stop cleanly. */
export type Core = {
  dispatch: Dispatch;
  events: CoreEvents;
  workspace: Workspace;
  close(): Promise<void>;
};

function productVersion(): string {
  return typeof __PATCHDECK_VERSION__ === 'string' ? __PATCHDECK_VERSION__ : 'dev';
}

/**
 * The composition root: opens the workspace, wires every area's handlers behind one
 * dispatcher, and returns what a transport needs.
 */
export async function createCore(config: CoreConfig): Promise<Core> {
  const clock = config.clock ?? systemClock;
  const ids = config.ids ?? randomIds;
  const log = config.log ?? fileLogger(undefined);
  const events = createEventBus(log);
  const workspace = await openWorkspace({ dir: config.workspaceDir, clock, log });

  const sessions = new SessionStore(clock, () => readSettings(workspace).idleLockMinutes * 60_000);
  const authDeps = {
    workspace,
    sessions,
    ids,
    events,
    scryptParams: config.scryptParams ?? DEFAULT_SCRYPT_PARAMS,
  };
  const auth = new AuthService(authDeps);
  const inventory = createInventory({ ...authDeps, clock, log });
  const bundles = createBundlesArea({ workspace, clock, ids, events, log });

  const parts = [
    systemHandlers({
      workspace,
      events,
      product: { productName: 'PatchDeck', version: productVersion(), transport: config.transport },
    }),
    authHandlers(auth, authDeps),
    operatorHandlers(auth, authDeps),
    auditHandlers({ workspace, clock }),
    bundles.handlers,
    catalogHandlers({ workspace }),
    importHandlers({ workspace, clock, ids, events }),
    inventory.handlers,
  ] as const;
  assertDisjointHandlers(...parts);
  const handlers: Handlers = {
    ...parts[0],
    ...parts[1],
    ...parts[2],
    ...parts[3],
    ...parts[4],
    ...parts[5],
    ...parts[6],
    ...parts[7],
  };

  const dispatch = createDispatcher({ handlers, auth, workspace, clock, events, log });
  return {
    dispatch,
    events: { subscribe: (listener) => events.subscribe(listener) },
    workspace,
    close: async () => {
      await inventory.close();
      await bundles.close();
      await workspace.close();
    },
  };
}
