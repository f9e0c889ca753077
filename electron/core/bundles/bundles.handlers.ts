import { AppError } from '../../../shared/api/errors';
import { rolesGrant } from '../../../shared/domain/roles';
import type { Workspace } from '../db/workspace';
import type { Clock } from '../platform/clock';
import type { EventBus } from '../platform/events';
import type { AreaHandlers } from '../platform/handlers';
import type { IdGenerator } from '../platform/ids';
import type { Logger } from '../platform/logger';

import { getBundle, listBundles, listPatches, listPublishers } from './bundles.repository';
import { removeStaleStagingSync } from './content-store';
import { warmHashCopyPool } from './hash-copy';
import { importBundle } from './import-bundle';
import { listMedia, systemMediaProbe, type MediaProbe } from './media';
import { createStoreVerifier, type StoreVerifier } from './store-verification';
import { addPublisher, inspectSource, readRootFromMedia, revokeTrustedKey } from './trust-store';

/** The operations of bundles, media and the trust store. */
export type BundleOp =
  | 'media.list'
  | 'bundles.inspect'
  | 'bundles.import'
  | 'bundles.list'
  | 'bundles.get'
  | 'bundles.listPatches'
  | 'trust.list'
  | 'trust.addPublisher'
  | 'trust.revokeKey';

/** What the bundle handlers need from the core. */
export type BundleHandlerDeps = {
  workspace: Workspace;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  log: Logger;
  mediaProbe?: MediaProbe;
  /** Worker threads per import phase; one per core (at most four) unless told. */
  parallelism?: number;
};

/** The bundles area of a running core: its handlers, the background store checks, and a stop. */
export type BundlesArea = {
  handlers: AreaHandlers<BundleOp>;
  storeVerifier: StoreVerifier;
  /** Stops the background store checks (after the file being read); call before closing. */
  close(): Promise<void>;
};

/**
 * Starts the bundles area. Start-up removes staging folders an interrupted import left behind
 * and checks again the store copy of every bundle still `verifying` (a check cut short by a
 * crash or a stop). After each import commits, its store copy is checked in the background.
 */
export function createBundlesArea(deps: BundleHandlerDeps): BundlesArea {
  const { workspace } = deps;
  const stale = removeStaleStagingSync(workspace.dir);
  if (stale.length > 0) deps.log.warn('removed stale bundle staging folders', { stale });
  const storeVerifier = createStoreVerifier({
    workspace,
    clock: deps.clock,
    events: deps.events,
    log: deps.log,
    ...(deps.parallelism === undefined ? {} : { parallelism: deps.parallelism }),
  });
  storeVerifier.resumeUnfinished();
  return {
    handlers: handlersOf(deps, storeVerifier),
    storeVerifier,
    close: () => storeVerifier.close(),
  };
}

function handlersOf(deps: BundleHandlerDeps, storeVerifier: StoreVerifier): AreaHandlers<BundleOp> {
  const { workspace } = deps;

  return {
    'media.list': () => listMedia(deps.mediaProbe ?? systemMediaProbe),
    'bundles.inspect': (input) => {
      // An import usually follows: its worker threads start now, while the operator reads.
      warmHashCopyPool();
      return inspectSource(workspace, input.source);
    },
    'bundles.import': async (input, ctx) => {
      const actor = ctx.actor;
      const report = await importBundle(
        {
          workspace,
          clock: deps.clock,
          ids: deps.ids,
          events: deps.events,
          ...(deps.parallelism === undefined ? {} : { parallelism: deps.parallelism }),
        },
        { source: input.source, allowExpired: input.allowExpired, taskId: input.taskId },
        {
          operatorId: actor?.operatorId ?? null,
          operatorName: actor?.username ?? 'unknown',
          mayOverrideExpiry: actor !== null && rolesGrant(actor.roles, 'bundles.overrideExpiry'),
          commit: (fn) => ctx.commit(fn),
          describe: (summary, details) => ctx.describe(summary, details),
        },
      );
      if (report.outcome !== 'already-imported') storeVerifier.schedule(report.bundle.bundleId);
      return report;
    },
    'bundles.list': () => Promise.resolve(listBundles(workspace)),
    'bundles.get': (input) => {
      const bundle = getBundle(workspace, input.bundleId);
      if (!bundle) {
        throw new AppError('BUNDLE_NOT_FOUND', `No bundle ${input.bundleId} has been imported.`, {
          bundleId: input.bundleId,
        });
      }
      return Promise.resolve(bundle);
    },
    'bundles.listPatches': () => Promise.resolve(listPatches(workspace)),
    'trust.list': () => Promise.resolve(listPublishers(workspace)),
    'trust.addPublisher': async (input, ctx) => {
      ctx.describe(`Refused to trust the root in ${input.rootPath}`, { rootPath: input.rootPath });
      const root = await readRootFromMedia(input.rootPath);
      const r = root.signed.signed;
      ctx.describe(`Trusted publisher ${r.publisher} at root version ${r.version}`, {
        publisher: r.publisher,
        rootVersion: r.version,
        rootSha256: root.sha256,
        rootKeys: r.roles.root.keyids,
        targetsKeys: r.roles.targets.keyids,
        confirmed: input.confirmFingerprint,
      });
      return ctx.commit((tx) =>
        addPublisher(
          tx,
          root,
          input.confirmFingerprint,
          ctx.now.toISOString(),
          ctx.actor?.username ?? 'unknown',
        ),
      );
    },
    'trust.revokeKey': (input, ctx) => {
      ctx.describe(`Revoked bundle key ${input.keyid}`, {
        keyid: input.keyid,
        reason: input.reason,
      });
      return Promise.resolve(
        ctx.commit((tx) =>
          revokeTrustedKey(
            tx,
            input.keyid,
            input.reason,
            ctx.now.toISOString(),
            ctx.actor?.username ?? 'unknown',
          ),
        ),
      );
    },
  };
}
