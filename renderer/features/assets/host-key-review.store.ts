import { create } from 'zustand';

import type { HostKeySighting, PinnedHostKey } from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import type { UserFacingError } from '../../lib/error-messages';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';

/** A host key put before the operator: what the host presented and how it compares. */
export type HostKeyCase = {
  hostId: string;
  hostName: string;
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** trusted: the key is pinned; the others wait for (or forbid) a decision. */
  kind: 'unknown' | 'changed' | 'revoked' | 'trusted';
  pinnedFingerprint: string | null;
};

type OnError = (error: UserFacingError) => void;

type HostKeyReviewStore = {
  current: HostKeyCase | undefined;
  /** The host whose key is being fetched, while the dialog waits for it. */
  loadingHostId: string | undefined;
  /** Opens the dialog for a sighting already known (from the pending list). */
  show: (sighting: HostKeySighting) => void;
  /** Opens the dialog for a host: its pending sighting, or else what the host presents now. */
  review: (hostId: string) => Promise<void>;
  accept: (c: HostKeyCase, onError: OnError) => Promise<PinnedHostKey | undefined>;
  repin: (c: HostKeyCase, reason: string, onError: OnError) => Promise<PinnedHostKey | undefined>;
  close: () => void;
};

function fromSighting(s: HostKeySighting): HostKeyCase {
  return {
    hostId: s.hostId,
    hostName: s.hostName,
    address: s.address,
    port: s.port,
    keyType: s.keyType,
    fingerprint: s.fingerprint,
    kind: s.kind,
    pinnedFingerprint: s.pinnedFingerprint,
  };
}

/** The host-key dialog's state, shared by every screen that can open it. */
export const useHostKeyReviewStore = create<HostKeyReviewStore>()((set, get) => ({
  current: undefined,
  loadingHostId: undefined,

  show: (sighting) => set({ current: fromSighting(sighting), loadingHostId: undefined }),

  async review(hostId) {
    set({ loadingHostId: hostId, current: undefined });
    const pending = await runAction('Reading host keys waiting for a decision', () =>
      api.call('hostKeys.pending', {}),
    );
    if (get().loadingHostId !== hostId) return;
    const sighting = pending?.find((s) => s.hostId === hostId);
    if (sighting) {
      set({ current: fromSighting(sighting), loadingHostId: undefined });
      return;
    }
    const [host, probe] = await Promise.all([
      runAction('Reading the host', () => api.call('hosts.get', { hostId })),
      runAction('Asking the host for its SSH key', () => api.call('hostKeys.probe', { hostId })),
    ]);
    if (get().loadingHostId !== hostId) return;
    if (!host || !probe) {
      set({ loadingHostId: undefined });
      return;
    }
    set({
      loadingHostId: undefined,
      current: {
        hostId,
        hostName: host.name,
        address: host.address,
        port: host.port,
        keyType: probe.keyType,
        fingerprint: probe.fingerprint,
        kind: probe.status,
        pinnedFingerprint: probe.pinnedFingerprint,
      },
    });
  },

  async accept(c, onError) {
    const pinned = await runAction(
      `Accepting the host key of ${c.hostName}`,
      () => api.call('hostKeys.accept', { hostId: c.hostId, fingerprint: c.fingerprint }),
      { notify: false, onError },
    );
    if (pinned) {
      notifySuccess(
        `Host key of ${c.hostName} pinned`,
        'PatchDeck will connect to this host only while it presents this key. Scan it again to collect its facts.',
      );
      set({ current: undefined });
    }
    return pinned;
  },

  async repin(c, reason, onError) {
    const pinned = await runAction(
      `Re-pinning the host key of ${c.hostName}`,
      () => api.call('hostKeys.repin', { hostId: c.hostId, fingerprint: c.fingerprint, reason }),
      { notify: false, onError },
    );
    if (pinned) {
      notifySuccess(
        `Host key of ${c.hostName} re-pinned`,
        'The old key is no longer trusted. The change and your reason are in the audit log.',
      );
      set({ current: undefined });
    }
    return pinned;
  },

  close: () => set({ current: undefined, loadingHostId: undefined }),
}));

onSessionEnd(() =>
  useHostKeyReviewStore.setState({ current: undefined, loadingHostId: undefined }),
);
