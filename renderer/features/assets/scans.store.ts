import { create } from 'zustand';

import type { EventPayload } from '../../../shared/api/events';
import type { ScanRun } from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';

/** One host inside a tracked scan run. */
export type TrackedHost = ScanRun['hosts'][number];

/** A scan run as the progress panel shows it. */
export type TrackedRun = {
  runId: string;
  total: number;
  /** Hosts in the order they were first reported. */
  hosts: TrackedHost[];
  finished: boolean;
  ok: number;
  failed: number;
};

type ScansStore = {
  runs: TrackedRun[];
  /** The panel is collapsed to one line; runs keep being tracked. */
  collapsed: boolean;
  /** Picks up runs already under way (after a reload or a new login). */
  loadActive: () => Promise<void>;
  start: (hostIds: readonly string[] | undefined, concurrency: number) => Promise<boolean>;
  applyProgress: (event: EventPayload<'scans.progress'>) => void;
  applyFinished: (event: EventPayload<'scans.finished'>) => void;
  dismiss: (runId: string) => void;
  setCollapsed: (collapsed: boolean) => void;
};

const initial = { runs: [] as TrackedRun[], collapsed: false };

function countDone(hosts: readonly TrackedHost[]): { ok: number; failed: number } {
  let ok = 0;
  let failed = 0;
  for (const h of hosts) {
    if (h.state === 'done') ok++;
    else if (h.state === 'failed') failed++;
  }
  return { ok, failed };
}

function fromRun(run: ScanRun): TrackedRun {
  return {
    runId: run.id,
    total: run.hosts.length,
    hosts: run.hosts,
    finished: run.finishedAt !== null,
    ...countDone(run.hosts),
  };
}

function upsert(runs: TrackedRun[], run: TrackedRun): TrackedRun[] {
  return runs.some((r) => r.runId === run.runId)
    ? runs.map((r) => (r.runId === run.runId ? run : r))
    : [...runs, run];
}

/** Scan runs of this window: what is running, host by host, and how the finished ones ended. */
export const useScansStore = create<ScansStore>()((set, get) => ({
  ...initial,

  async loadActive() {
    const active = await runAction('Loading scans in progress', () => api.call('scans.active', {}));
    if (!active) return;
    set((s) => {
      let runs = s.runs;
      for (const run of active) runs = upsert(runs, fromRun(run));
      return { runs };
    });
  },

  async start(hostIds, concurrency) {
    const started = await runAction('Starting the scan', () =>
      api.call(
        'scans.start',
        hostIds === undefined ? { concurrency } : { hostIds: [...hostIds], concurrency },
      ),
    );
    if (!started) return false;
    set((s) => ({
      collapsed: false,
      runs: s.runs.some((r) => r.runId === started.runId)
        ? s.runs
        : [
            ...s.runs,
            {
              runId: started.runId,
              total: started.total,
              hosts: [],
              finished: false,
              ok: 0,
              failed: 0,
            },
          ],
    }));
    // Events may have raced ahead of the answer; the run itself is the truth.
    const run = await runAction('Reading the scan', () =>
      api.call('scans.get', { runId: started.runId }),
    );
    if (run) {
      set((s) => {
        const known = s.runs.find((r) => r.runId === run.id);
        const fresh = fromRun(run);
        // Keep whatever the events already told us that the snapshot does not yet know.
        if (known && known.hosts.length > 0) {
          const byId = new Map(known.hosts.map((h) => [h.hostId, h]));
          fresh.hosts = fresh.hosts.map((h) => {
            const seen = byId.get(h.hostId);
            return seen && rank(seen.state) > rank(h.state) ? seen : h;
          });
          Object.assign(fresh, countDone(fresh.hosts));
          fresh.finished = fresh.finished || known.finished;
        }
        return { runs: upsert(s.runs, fresh) };
      });
    }
    return true;
  },

  applyProgress(event) {
    set((s) => {
      const run = s.runs.find((r) => r.runId === event.runId) ?? {
        runId: event.runId,
        total: event.total,
        hosts: [],
        finished: false,
        ok: 0,
        failed: 0,
      };
      const host: TrackedHost = {
        hostId: event.hostId,
        hostName: event.hostName,
        state: event.state,
        outcome: event.outcome,
      };
      const hosts = run.hosts.some((h) => h.hostId === event.hostId)
        ? run.hosts.map((h) => (h.hostId === event.hostId ? host : h))
        : [...run.hosts, host];
      return { runs: upsert(s.runs, { ...run, total: event.total, hosts, ...countDone(hosts) }) };
    });
  },

  applyFinished(event) {
    const run = get().runs.find((r) => r.runId === event.runId);
    set((s) => ({
      runs: upsert(
        s.runs,
        run
          ? { ...run, finished: true, ok: event.ok, failed: event.failed }
          : {
              runId: event.runId,
              total: event.ok + event.failed,
              hosts: [],
              finished: true,
              ok: event.ok,
              failed: event.failed,
            },
      ),
    }));
    if (event.failed === 0) {
      notifySuccess(
        'Scan finished',
        `${event.ok.toLocaleString()} host${event.ok === 1 ? '' : 's'} scanned without a problem.`,
      );
    }
  },

  dismiss: (runId) => set((s) => ({ runs: s.runs.filter((r) => r.runId !== runId) })),
  setCollapsed: (collapsed) => set({ collapsed }),
}));

const STATE_RANK = { queued: 0, connecting: 1, collecting: 2, done: 3, failed: 3 } as const;

function rank(state: TrackedHost['state']): number {
  return STATE_RANK[state];
}

let stopListening: (() => void) | undefined;

/**
 * Follows scan events for the whole window, so a run keeps its progress while the operator
 * works on other pages. Idempotent; the first call also picks up runs already under way.
 */
export function trackScans(): void {
  if (stopListening) return;
  const offProgress = api.on('scans.progress', (event) =>
    useScansStore.getState().applyProgress(event),
  );
  const offFinished = api.on('scans.finished', (event) =>
    useScansStore.getState().applyFinished(event),
  );
  stopListening = () => {
    offProgress();
    offFinished();
  };
  void useScansStore.getState().loadActive();
}

onSessionEnd(() => {
  stopListening?.();
  stopListening = undefined;
  useScansStore.setState(initial);
});

/** Runs still touching hosts. */
export const selectRunningCount = (s: ScansStore) => s.runs.filter((r) => !r.finished).length;
