import { create } from 'zustand';

import type { Operator, Session } from '../../../shared/domain/schemas';
import { api } from '../../api/api-client';
import type { UserFacingError } from '../../lib/error-messages';
import { runAction } from '../../stores/run-action';
import { onAuthFailure, resetSessionState } from '../../stores/session-events';

/** Which screen the app shows. */
export type SessionPhase = 'starting' | 'unavailable' | 'setup' | 'login' | 'locked' | 'ready';

/** The operator of this window: who is logged in and whether the session is usable. */
type SessionStore = {
  phase: SessionPhase;
  operator: Operator | undefined;
  idleLockMinutes: number;
  /** A calm explanation shown on the login or lock screen (why you are there). */
  notice: string | undefined;
  startError: UserFacingError | undefined;
  start: () => Promise<void>;
  setupAdmin: (
    input: { username: string; displayName: string; password: string },
    onError: (error: UserFacingError) => void,
  ) => Promise<boolean>;
  login: (
    username: string,
    password: string,
    onError: (error: UserFacingError) => void,
  ) => Promise<boolean>;
  unlock: (password: string, onError: (error: UserFacingError) => void) => Promise<boolean>;
  logout: () => Promise<void>;
  switchOperator: () => Promise<void>;
  lock: (reason: string) => void;
  keepAlive: () => Promise<void>;
  setIdleLockMinutes: (minutes: number) => void;
  updateOperator: (operator: Operator) => void;
};

const SESSION_STORAGE_KEY = 'patchdeck.session';

type StoredSession = { token: string; operator: Operator };

function readStoredSession(): StoredSession | undefined {
  const raw = window.sessionStorage.getItem(SESSION_STORAGE_KEY);
  if (raw === null) return undefined;
  try {
    const parsed = JSON.parse(raw) as Partial<StoredSession>;
    return typeof parsed.token === 'string' && parsed.operator
      ? { token: parsed.token, operator: parsed.operator }
      : undefined;
  } catch {
    return undefined;
  }
}

function storeSession(session: StoredSession | undefined): void {
  api.setSession(session?.token);
  if (session) window.sessionStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
  else window.sessionStorage.removeItem(SESSION_STORAGE_KEY);
}

/** Back to the dashboard for the next operator, so nobody lands on someone else's page. */
function resetRoute(): void {
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
}

/** The session of this window. */
export const useSessionStore = create<SessionStore>()((set, get) => {
  const begin = (session: Session): void => {
    storeSession({ token: session.token, operator: session.operator });
    set({
      phase: 'ready',
      operator: session.operator,
      idleLockMinutes: session.idleLockMinutes,
      notice: undefined,
    });
  };

  const end = (notice: string | undefined): void => {
    storeSession(undefined);
    resetSessionState();
    resetRoute();
    set({ phase: 'login', operator: undefined, notice });
  };

  return {
    phase: 'starting',
    operator: undefined,
    idleLockMinutes: 15,
    notice: undefined,
    startError: undefined,

    async start() {
      set({ phase: 'starting', startError: undefined });
      let failure: UserFacingError | undefined;
      const status = await runAction('Connecting to PatchDeck', () => api.call('auth.status', {}), {
        notify: false,
        onError: (error) => (failure = error),
      });
      if (!status) {
        set({ phase: 'unavailable', startError: failure });
        return;
      }
      set({ idleLockMinutes: status.idleLockMinutes });
      if (status.needsSetup) {
        storeSession(undefined);
        set({ phase: 'setup' });
        return;
      }
      const stored = readStoredSession();
      if (!stored) {
        set({ phase: 'login' });
        return;
      }
      api.setSession(stored.token);
      set({ operator: stored.operator });
      const me = await runAction('Resuming your session', () => api.call('auth.me', {}), {
        notify: false,
      });
      // A locked or ended session was already routed by the auth-failure handler.
      if (me) {
        storeSession({ token: stored.token, operator: me });
        set({ phase: 'ready', operator: me });
      }
    },

    async setupAdmin(input, onError) {
      const session = await runAction(
        'Creating the administrator',
        () => api.call('auth.setupAdmin', input),
        { notify: false, onError },
      );
      if (!session) return false;
      begin(session);
      return true;
    },

    async login(username, password, onError) {
      const session = await runAction(
        'Logging in',
        () => api.call('auth.login', { username, password }),
        { notify: false, onError },
      );
      if (!session) return false;
      resetRoute();
      begin(session);
      return true;
    },

    async unlock(password, onError) {
      const session = await runAction('Unlocking', () => api.call('auth.unlock', { password }), {
        notify: false,
        onError,
      });
      if (!session) return false;
      begin(session);
      return true;
    },

    async logout() {
      await runAction('Logging out', () => api.call('auth.logout', {}));
      end(undefined);
    },

    async switchOperator() {
      // A locked session may refuse logout; it ends on the core's side at its next expiry anyway.
      await runAction('Switching operator', () => api.call('auth.logout', {}), { notify: false });
      end(undefined);
    },

    lock(reason) {
      if (get().phase !== 'ready') return;
      set({ phase: 'locked', notice: reason });
    },

    async keepAlive() {
      if (get().phase !== 'ready') return;
      // The core counts idleness from the last call; an operator reading a screen is not idle.
      await runAction('Keeping the session open', () => api.call('auth.me', {}), {
        notify: false,
      });
    },

    setIdleLockMinutes: (minutes) => set({ idleLockMinutes: minutes }),

    updateOperator(operator) {
      const token = api.getSession();
      if (get().operator?.id !== operator.id || token === undefined) return;
      storeSession({ token, operator });
      set({ operator });
    },
  };
});

onAuthFailure((code) => {
  const { phase, operator } = useSessionStore.getState();
  if (code === 'SESSION_LOCKED') {
    if (operator && (phase === 'ready' || phase === 'starting')) {
      useSessionStore.setState({
        phase: 'locked',
        notice: 'Your session was locked after a period without activity.',
      });
    }
    return;
  }
  if (phase === 'setup') return;
  storeSession(undefined);
  resetSessionState();
  useSessionStore.setState({
    phase: 'login',
    operator: undefined,
    notice: phase === 'starting' ? undefined : 'Your session has ended. Log in again to continue.',
  });
});

/** The logged-in operator, if any. */
export const selectOperator = (s: SessionStore) => s.operator;
/** The screen to show. */
export const selectPhase = (s: SessionStore) => s.phase;
