import { create } from 'zustand';

import type { AuditFilter, AuditRecord, AuditVerification } from '../../../shared/domain/schemas';
import { api } from '../../api/api-client';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';

/** Records fetched per page while scrolling. */
export const AUDIT_PAGE_SIZE = 200;

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

type AuditStore = {
  /** Loaded records, newest first. */
  records: AuditRecord[];
  /** How many records match the filter in the whole log. */
  total: number;
  filter: AuditFilter;
  status: LoadStatus;
  loadingMore: boolean;
  /** True when an older page returned short: the start of the log is reached. */
  reachedStart: boolean;
  verification: AuditVerification | undefined;
  verifying: boolean;
  detail: AuditRecord | undefined;
  detailSeq: number | undefined;
  /** Operators seen in loaded records, for the operator filter; kept across filters. */
  knownOperators: Record<string, string>;
  load: (filter?: AuditFilter) => Promise<void>;
  loadMore: () => Promise<void>;
  refreshNewest: () => Promise<void>;
  verify: () => Promise<void>;
  openDetail: (seq: number) => Promise<void>;
  closeDetail: () => void;
};

const initial = {
  records: [],
  total: 0,
  filter: {},
  status: 'idle' as LoadStatus,
  loadingMore: false,
  reachedStart: false,
  verification: undefined,
  verifying: false,
  detail: undefined,
  detailSeq: undefined,
  knownOperators: {},
};

function withOperators(
  known: Record<string, string>,
  records: readonly AuditRecord[],
): Record<string, string> {
  let next = known;
  for (const r of records) {
    if (r.operatorId && next[r.operatorId] !== r.operatorName) {
      if (next === known) next = { ...known };
      next[r.operatorId] = r.operatorName;
    }
  }
  return next;
}

// Answers to an older filter are dropped: each load() starts a new generation.
let generation = 0;
let refreshing = false;
let refreshAgain = false;

/** The audit log as the Audit page shows it. */
export const useAuditStore = create<AuditStore>()((set, get) => ({
  ...initial,

  async load(filter = get().filter) {
    const mine = ++generation;
    set({ filter, status: 'loading', records: [], total: 0, reachedStart: false });
    const page = await runAction('Loading the audit log', () =>
      api.call('audit.list', { filter, limit: AUDIT_PAGE_SIZE }),
    );
    if (mine !== generation) return;
    if (!page) {
      set({ status: 'error' });
      return;
    }
    set((s) => ({
      status: 'ready',
      records: page.records,
      total: page.total,
      reachedStart: page.records.length < AUDIT_PAGE_SIZE,
      knownOperators: withOperators(s.knownOperators, page.records),
    }));
  },

  async loadMore() {
    const { records, loadingMore, reachedStart, status, filter } = get();
    const oldest = records[records.length - 1];
    if (loadingMore || reachedStart || status !== 'ready' || !oldest) return;
    const mine = generation;
    set({ loadingMore: true });
    const page = await runAction('Loading older audit records', () =>
      api.call('audit.list', { filter, beforeSeq: oldest.seq, limit: AUDIT_PAGE_SIZE }),
    );
    if (mine !== generation) return;
    if (!page) {
      set({ loadingMore: false });
      return;
    }
    set((s) => ({
      loadingMore: false,
      records: [...s.records, ...page.records.filter((r) => r.seq < oldest.seq)],
      total: page.total,
      reachedStart: page.records.length < AUDIT_PAGE_SIZE,
      knownOperators: withOperators(s.knownOperators, page.records),
    }));
  },

  async refreshNewest() {
    if (get().status !== 'ready') return;
    // Bursts of events collapse into one extra fetch after the one in flight.
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    try {
      do {
        refreshAgain = false;
        const mine = generation;
        const { filter } = get();
        const page = await runAction('Loading new audit records', () =>
          api.call('audit.list', { filter, limit: AUDIT_PAGE_SIZE }),
        );
        if (!page || mine !== generation) return;
        const newest = get().records[0]?.seq ?? 0;
        const fresh = page.records.filter((r) => r.seq > newest);
        if (fresh.length === AUDIT_PAGE_SIZE && newest > 0) {
          // More arrived than one page holds: start over rather than leave a gap.
          await get().load(filter);
          return;
        }
        set((s) => ({
          records: [...fresh, ...s.records],
          total: page.total,
          knownOperators: withOperators(s.knownOperators, fresh),
        }));
      } while (refreshAgain);
    } finally {
      refreshing = false;
    }
  },

  async verify() {
    set({ verifying: true });
    const verification = await runAction('Verifying the audit chain', () =>
      api.call('audit.verify', {}),
    );
    set((s) => ({ verifying: false, verification: verification ?? s.verification }));
  },

  async openDetail(seq) {
    set({ detailSeq: seq, detail: get().records.find((r) => r.seq === seq) });
    const record = await runAction(`Opening audit record #${seq}`, () =>
      api.call('audit.get', { seq }),
    );
    if (record && get().detailSeq === seq) set({ detail: record });
  },

  closeDetail: () => set({ detail: undefined, detailSeq: undefined }),
}));

onSessionEnd(() => {
  generation++;
  useAuditStore.setState(initial);
});

/** True while older records remain to be fetched. */
export const selectHasMore = (s: AuditStore) =>
  s.status === 'ready' && !s.reachedStart && s.records.length < s.total;

/** True when any filter field is set. */
export const selectIsFiltered = (s: AuditStore) =>
  Object.values(s.filter).some((value) => value !== undefined && value !== '');
