import { create } from 'zustand';

import type { OpInput, OpOutput } from '../../../shared/api/contract';
import type { HostFilter, HostKeySighting, HostSummary } from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';

/** Hosts fetched per page while scrolling. */
export const HOSTS_PAGE_SIZE = 200;

/** The biggest page the core serves; used to refresh what is already loaded. */
const MAX_PAGE = 2000;

/** A refresh reloads at most this many rows; deeper than that it starts from the top again. */
const MAX_REFRESH_ROWS = 10_000;

/** The sort of the host table. */
export type HostSort = NonNullable<OpInput<'hosts.list'>['sort']>;

/** Counts over the whole inventory, for the summary strip. */
export type HostCounts = OpOutput<'hosts.list'>['counts'];

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

type AssetsStore = {
  /** Loaded hosts, in the table's order. */
  hosts: HostSummary[];
  /** How many hosts match the filter. */
  total: number;
  counts: HostCounts | undefined;
  filter: HostFilter;
  sort: HostSort;
  status: LoadStatus;
  loadingMore: boolean;
  /** Selected host ids (may include hosts not loaded, after "select all matching"). */
  selected: ReadonlySet<string>;
  selecting: boolean;
  pendingKeys: HostKeySighting[];
  load: (filter?: HostFilter, sort?: HostSort) => Promise<void>;
  loadMore: () => Promise<void>;
  /** Reloads what is on screen after the inventory changed; bursts collapse into one reload. */
  refresh: () => Promise<void>;
  loadPendingKeys: () => Promise<void>;
  setSelected: (ids: readonly string[], on: boolean) => void;
  clearSelection: () => void;
  selectAllMatching: () => Promise<void>;
};

const DEFAULT_SORT: HostSort = { key: 'name', direction: 'asc' };

const initial = {
  hosts: [] as HostSummary[],
  total: 0,
  counts: undefined,
  filter: {} as HostFilter,
  sort: DEFAULT_SORT,
  status: 'idle' as LoadStatus,
  loadingMore: false,
  selected: new Set<string>() as ReadonlySet<string>,
  selecting: false,
  pendingKeys: [] as HostKeySighting[],
};

// Answers to an older filter or sort are dropped: each load() starts a new generation.
let generation = 0;
let refreshing = false;
let refreshAgain = false;

/** The host inventory as the Assets page shows it. */
export const useAssetsStore = create<AssetsStore>()((set, get) => ({
  ...initial,

  async load(filter = get().filter, sort = get().sort) {
    const mine = ++generation;
    set({ filter, sort, status: 'loading', hosts: [], total: 0 });
    const page = await runAction('Loading hosts', () =>
      api.call('hosts.list', { filter, sort, offset: 0, limit: HOSTS_PAGE_SIZE }),
    );
    if (mine !== generation) return;
    if (!page) {
      set({ status: 'error' });
      return;
    }
    set({ status: 'ready', hosts: page.hosts, total: page.total, counts: page.counts });
  },

  async loadMore() {
    const { hosts, total, loadingMore, status, filter, sort } = get();
    if (loadingMore || status !== 'ready' || hosts.length >= total) return;
    const mine = generation;
    set({ loadingMore: true });
    const page = await runAction('Loading more hosts', () =>
      api.call('hosts.list', { filter, sort, offset: hosts.length, limit: HOSTS_PAGE_SIZE }),
    );
    if (mine !== generation) return;
    if (!page) {
      set({ loadingMore: false });
      return;
    }
    set((s) => {
      const seen = new Set(s.hosts.map((h) => h.id));
      return {
        loadingMore: false,
        hosts: [...s.hosts, ...page.hosts.filter((h) => !seen.has(h.id))],
        total: page.total,
        counts: page.counts,
      };
    });
  },

  async refresh() {
    if (get().status !== 'ready') return;
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    try {
      do {
        refreshAgain = false;
        const mine = generation;
        const { filter, sort, hosts } = get();
        const want = Math.max(HOSTS_PAGE_SIZE, hosts.length);
        if (want > MAX_REFRESH_ROWS) {
          await get().load();
          return;
        }
        const fresh: HostSummary[] = [];
        let total = 0;
        let counts: HostCounts | undefined;
        for (let offset = 0; offset < want; offset += MAX_PAGE) {
          const page = await runAction('Refreshing hosts', () =>
            api.call('hosts.list', {
              filter,
              sort,
              offset,
              limit: Math.min(MAX_PAGE, want - offset),
            }),
          );
          if (!page || mine !== generation) return;
          fresh.push(...page.hosts);
          total = page.total;
          counts = page.counts;
          if (page.hosts.length < Math.min(MAX_PAGE, want - offset)) break;
        }
        set({ hosts: fresh, total, counts });
      } while (refreshAgain);
    } finally {
      refreshing = false;
    }
  },

  async loadPendingKeys() {
    const pending = await runAction('Loading host keys waiting for a decision', () =>
      api.call('hostKeys.pending', {}),
    );
    if (pending) set({ pendingKeys: pending });
  },

  setSelected(ids, on) {
    set((s) => {
      const next = new Set(s.selected);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return { selected: next };
    });
  },

  clearSelection: () => set({ selected: new Set() }),

  async selectAllMatching() {
    const { filter, sort, total } = get();
    const mine = generation;
    set({ selecting: true });
    const ids: string[] = [];
    for (let offset = 0; offset < total; offset += MAX_PAGE) {
      const page = await runAction('Selecting every matching host', () =>
        api.call('hosts.list', { filter, sort, offset, limit: MAX_PAGE }),
      );
      if (!page || mine !== generation) {
        set({ selecting: false });
        return;
      }
      ids.push(...page.hosts.map((h) => h.id));
      if (page.hosts.length < MAX_PAGE) break;
    }
    set((s) => ({ selecting: false, selected: new Set([...s.selected, ...ids]) }));
  },
}));

onSessionEnd(() => {
  generation++;
  useAssetsStore.setState({ ...initial, selected: new Set() });
});

/** True when any filter field narrows the list. */
export const selectIsFiltered = (s: Pick<AssetsStore, 'filter'>) =>
  Object.values(s.filter).some(
    (value) => value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0),
  );

/** True while more hosts remain to be fetched. */
export const selectHasMore = (s: AssetsStore) => s.status === 'ready' && s.hosts.length < s.total;
