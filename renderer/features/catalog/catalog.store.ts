import { create } from 'zustand';

import type { OpOutput } from '../../../shared/api/contract';
import type { CatalogEntry, CatalogFilter } from '../../../shared/api/ops/catalog';
import { api } from '../../api/api-client';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';

/** Patches fetched per page while scrolling. */
export const CATALOG_PAGE_SIZE = 500;

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** How old the catalog's knowledge is. */
export type CatalogFreshness = OpOutput<'catalog.list'>['freshness'];

type CatalogStore = {
  patches: CatalogEntry[];
  /** Patches matching the filter. */
  total: number;
  /** Patches in the catalog, whatever the filter. */
  catalogSize: number;
  freshness: CatalogFreshness | undefined;
  filter: CatalogFilter;
  status: LoadStatus;
  loadingMore: boolean;
  load: (filter?: CatalogFilter) => Promise<void>;
  loadMore: () => Promise<void>;
};

const initial = {
  patches: [],
  total: 0,
  catalogSize: 0,
  freshness: undefined,
  filter: {},
  status: 'idle' as LoadStatus,
  loadingMore: false,
};

let generation = 0;

/** The patch catalog as its page shows it: one filter, pages loaded as the table scrolls. */
export const useCatalogStore = create<CatalogStore>()((set, get) => ({
  ...initial,

  async load(filter = get().filter) {
    const mine = ++generation;
    set({ filter, status: 'loading' });
    const page = await runAction('Loading the patch catalog', () =>
      api.call('catalog.list', { filter, offset: 0, limit: CATALOG_PAGE_SIZE }),
    );
    if (mine !== generation) return;
    if (!page) {
      set({ status: 'error', patches: [], total: 0 });
      return;
    }
    set({
      status: 'ready',
      patches: page.patches,
      total: page.total,
      catalogSize: page.catalogSize,
      freshness: page.freshness,
    });
  },

  async loadMore() {
    const { patches, total, loadingMore, status, filter } = get();
    if (loadingMore || status !== 'ready' || patches.length >= total) return;
    const mine = generation;
    set({ loadingMore: true });
    const page = await runAction('Loading more patches', () =>
      api.call('catalog.list', { filter, offset: patches.length, limit: CATALOG_PAGE_SIZE }),
    );
    if (mine !== generation) return;
    if (!page) {
      set({ loadingMore: false });
      return;
    }
    const seen = new Set(get().patches.map((p) => p.patchId));
    set((s) => ({
      loadingMore: false,
      patches: [...s.patches, ...page.patches.filter((p) => !seen.has(p.patchId))],
      total: page.total,
      freshness: page.freshness,
    }));
  },
}));

onSessionEnd(() => {
  generation++;
  useCatalogStore.setState(initial);
});

/** True when any filter is set. */
export const selectIsFiltered = (s: CatalogStore) =>
  Object.values(s.filter).some((v) => v !== undefined && v !== '');
