import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';

import { api } from '../api/api-client';
import { Button } from '../components/button';
import { LoadingState } from '../components/empty-state';
import { Notifications } from '../components/notifications';
import { FirstRunScreen } from '../features/auth/first-run-screen';
import { LockScreen } from '../features/auth/lock-screen';
import { LoginScreen } from '../features/auth/login-screen';
import { selectPhase, useSessionStore } from '../features/auth/session.store';
import { useIdleLock } from '../features/auth/use-idle-lock';

import { ErrorBoundary } from './error-boundary';
import { createAppRouter } from './router';

function SignedIn({ locked }: { locked: boolean }) {
  const [router] = useState(createAppRouter);
  const idleLockMinutes = useSessionStore((s) => s.idleLockMinutes);
  const setIdleLockMinutes = useSessionStore((s) => s.setIdleLockMinutes);
  useIdleLock(!locked, idleLockMinutes);
  useEffect(
    () => api.on('settings.changed', (payload) => setIdleLockMinutes(payload.idleLockMinutes)),
    [setIdleLockMinutes],
  );
  useEffect(() => () => router.dispose(), [router]);
  // While locked the app stays mounted (unsaved work survives) but hidden and unreachable.
  return (
    <div
      className={locked ? 'signed-in is-locked' : 'signed-in'}
      inert={locked}
      aria-hidden={locked || undefined}
    >
      <RouterProvider router={router} />
    </div>
  );
}

function Unavailable() {
  const error = useSessionStore((s) => s.startError);
  const start = useSessionStore((s) => s.start);
  return (
    <main className="auth-page" id="main-content">
      <div className="auth-card" role="alert">
        <h1>PatchDeck cannot reach its core</h1>
        <p>{error?.title ?? "PatchDeck's core did not answer."}</p>
        {error?.detail && <p className="muted">{error.detail}</p>}
        <p>{error?.action ?? 'Restart PatchDeck.'}</p>
        <Button variant="primary" onClick={() => void start()}>
          Try again
        </Button>
      </div>
    </main>
  );
}

function Screen() {
  const phase = useSessionStore(selectPhase);
  switch (phase) {
    case 'starting':
      return (
        <main className="auth-page" id="main-content">
          <LoadingState label="Opening the workspace…" />
        </main>
      );
    case 'unavailable':
      return <Unavailable />;
    case 'setup':
      return <FirstRunScreen />;
    case 'login':
      return <LoginScreen />;
    case 'ready':
    case 'locked':
      return (
        <>
          <SignedIn locked={phase === 'locked'} />
          {phase === 'locked' && <LockScreen />}
        </>
      );
  }
}

/** The whole renderer: session gate, the signed-in app, and notifications. */
export function App() {
  const start = useSessionStore((s) => s.start);
  useEffect(() => {
    void start();
  }, [start]);
  return (
    <>
      <ErrorBoundary>
        <Screen />
      </ErrorBoundary>
      <Notifications />
    </>
  );
}
