import { create } from 'zustand';

import type { BundleSummary, Publisher } from '../../../shared/api/ops/bundles';
import { api } from '../../api/api-client';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

type BundlesStore = {
  /** Imported bundles, newest import first. */
  bundles: BundleSummary[];
  /** Trusted publishers, for "signed by" and the sequence last seen per channel. */
  publishers: Publisher[];
  /** Fingerprints of the keys whose signatures counted, per bundle id (filled in after the list). */
  signers: Record<string, string[]>;
  status: LoadStatus;
  load: () => Promise<void>;
};

/** Bundles whose signing keys are looked up for the list; older ones show them on their page. */
const SIGNERS_FOR = 50;

const initial = { bundles: [], publishers: [], signers: {}, status: 'idle' as LoadStatus };

let generation = 0;

/** The imported bundles and the publishers that signed them. */
export const useBundlesStore = create<BundlesStore>()((set, get) => ({
  ...initial,

  async load() {
    const mine = ++generation;
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading' }));
    const result = await runAction('Loading bundles', () =>
      Promise.all([api.call('bundles.list', {}), api.call('trust.list', {})]),
    );
    if (mine !== generation) return;
    if (!result) {
      set({ status: 'error' });
      return;
    }
    const [bundles, publishers] = result;
    const sorted = [...bundles].sort((a, b) => b.importedAt.localeCompare(a.importedAt));
    set({ status: 'ready', bundles: sorted, publishers });
    const missing = sorted.slice(0, SIGNERS_FOR).filter((b) => !(b.bundleId in get().signers));
    const details = await runAction('Loading bundle signatures', () =>
      Promise.all(missing.map((b) => api.call('bundles.get', { bundleId: b.bundleId }))),
    );
    if (mine !== generation || !details) return;
    set((s) => ({
      signers: {
        ...s.signers,
        ...Object.fromEntries(
          details.map((d) => [
            d.bundleId,
            d.verification.signatures.filter((x) => x.status === 'valid').map((x) => x.fingerprint),
          ]),
        ),
      },
    }));
  },
}));

onSessionEnd(() => {
  generation++;
  useBundlesStore.setState(initial);
});

/** The key ids, with fingerprints, of a publisher's keys that may sign bundles. */
export function targetsKeysOf(publisher: Publisher | undefined): Publisher['keys'] {
  return publisher?.keys.filter((k) => k.roles.includes('targets')) ?? [];
}

/** The highest sequence already imported on a publisher's channel, or null for a new channel. */
export function lastSeenSequence(
  publishers: readonly Publisher[],
  publisher: string,
  channel: string,
): { sequence: number; bundleId: string } | null {
  const mark = publishers
    .find((p) => p.publisher === publisher)
    ?.channels.find((c) => c.channel === channel);
  return mark ? { sequence: mark.sequence, bundleId: mark.bundleId } : null;
}
