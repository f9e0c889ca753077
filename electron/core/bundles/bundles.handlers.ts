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
import { importBundle } from './import-bundle';
import { listMedia, systemMediaProbe, type MediaProbe } from './media';
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

/**
 * Handlers of bundle import and the trust store. Start-up removes staging folders an interrupted
 * import left behind.
 */
export function bundleHandlers(deps: BundleHandlerDeps): AreaHandlers<BundleOp> {
  const { workspace } = deps;
  const stale = removeStaleStagingSync(workspace.dir);
  if (stale.length > 0) deps.log.warn('removed stale bundle staging folders', { stale });

  return {
    'media.list': () => listMedia(deps.mediaProbe ?? systemMediaProbe),
    'bundles.inspect': (input) => inspectSource(workspace, input.source),
    'bundles.import': (input, ctx) => {
      const actor = ctx.actor;
      return importBundle(
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
