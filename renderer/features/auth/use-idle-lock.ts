import { useEffect } from 'react';

import { useSessionStore } from './session.store';

/** How often activity is reported to the core, at most. */
const KEEP_ALIVE_MS = 60_000;

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Locks the window after the same idle time as the core, counted from the last mouse or
 * keyboard activity, so the lock screen appears even when no call is made. While the operator
 * is active, the core hears about it at most once a minute, so it does not lock a session that
 * is being read but not changed.
 */
export function useIdleLock(enabled: boolean, minutes: number): void {
  const lock = useSessionStore((s) => s.lock);
  const keepAlive = useSessionStore((s) => s.keepAlive);
  useEffect(() => {
    if (!enabled) return undefined;
    const limitMs = minutes * 60_000;
    let timer = window.setTimeout(fire, limitMs);
    let lastReset = Date.now();
    let lastKeepAlive = Date.now();
    function fire() {
      lock('Your session was locked after a period without activity.');
    }
    function onActivity() {
      // pointermove fires constantly; restarting the timer once a second is plenty.
      const now = Date.now();
      if (now - lastReset < 1000) return;
      lastReset = now;
      window.clearTimeout(timer);
      timer = window.setTimeout(fire, limitMs);
      if (now - lastKeepAlive >= KEEP_ALIVE_MS) {
        lastKeepAlive = now;
        void keepAlive();
      }
    }
    for (const name of ACTIVITY_EVENTS) {
      window.addEventListener(name, onActivity, { passive: true, capture: true });
    }
    return () => {
      window.clearTimeout(timer);
      for (const name of ACTIVITY_EVENTS) {
        window.removeEventListener(name, onActivity, { capture: true });
      }
    };
  }, [enabled, minutes, lock, keepAlive]);
}
