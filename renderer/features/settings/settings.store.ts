import { create } from 'zustand';

import type { Settings, SystemInfo } from '../../../shared/domain/schemas';
import { api } from '../../api/api-client';
import type { UserFacingError } from '../../lib/error-messages';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';
import { useSessionStore } from '../auth/session.store';

type SettingsStore = {
  settings: Settings | undefined;
  settingsStatus: 'idle' | 'loading' | 'ready' | 'error';
  info: SystemInfo | undefined;
  infoStatus: 'idle' | 'loading' | 'ready' | 'error';
  loadSettings: () => Promise<void>;
  loadInfo: () => Promise<void>;
  saveIdleLock: (minutes: number, onError: (error: UserFacingError) => void) => Promise<boolean>;
  applyChange: (settings: Settings) => void;
};

const initial = {
  settings: undefined,
  settingsStatus: 'idle' as const,
  info: undefined,
  infoStatus: 'idle' as const,
};

/** Workspace settings and facts about the running PatchDeck. */
export const useSettingsStore = create<SettingsStore>()((set, get) => ({
  ...initial,

  async loadSettings() {
    set({ settingsStatus: 'loading' });
    const settings = await runAction('Loading settings', () => api.call('settings.get', {}));
    set(settings ? { settings, settingsStatus: 'ready' } : { settingsStatus: 'error' });
  },

  async loadInfo() {
    if (get().infoStatus === 'ready') return;
    set({ infoStatus: 'loading' });
    const info = await runAction('Reading workspace details', () => api.call('system.info', {}));
    set(info ? { info, infoStatus: 'ready' } : { infoStatus: 'error' });
  },

  async saveIdleLock(minutes, onError) {
    const settings = await runAction(
      'Saving the idle lock',
      () => api.call('settings.update', { idleLockMinutes: minutes }),
      { notify: false, onError },
    );
    if (!settings) return false;
    get().applyChange(settings);
    notifySuccess(
      'Idle lock saved',
      `Sessions now lock after ${settings.idleLockMinutes} minute${settings.idleLockMinutes === 1 ? '' : 's'} without activity.`,
    );
    return true;
  },

  applyChange(settings) {
    set({ settings, settingsStatus: 'ready' });
    useSessionStore.getState().setIdleLockMinutes(settings.idleLockMinutes);
  },
}));

onSessionEnd(() => useSettingsStore.setState({ settings: undefined, settingsStatus: 'idle' }));
