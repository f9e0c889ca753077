import type { Workspace } from '../db/workspace';
import type { AreaHandlers } from '../platform/handlers';

import { getCatalogPatch, getHostApplicability, listCatalog } from './catalog';

/** The operations of the patch catalog. */
export type CatalogOp = 'catalog.list' | 'catalog.get' | 'catalog.hostApplicability';

/** Handlers of the patch catalog: read-only views over imported bundles and the latest scans. */
export function catalogHandlers(deps: { workspace: Workspace }): AreaHandlers<CatalogOp> {
  const { workspace } = deps;
  return {
    'catalog.list': (input, ctx) => Promise.resolve(listCatalog(workspace, ctx.now, input)),
    'catalog.get': (input, ctx) =>
      Promise.resolve(getCatalogPatch(workspace, ctx.now, input.patchId)),
    'catalog.hostApplicability': (input, ctx) =>
      Promise.resolve(getHostApplicability(workspace, ctx.now, input)),
  };
}
