import { useState, type FormEvent } from 'react';

import { Button } from '../../components/button';
import { TextField } from '../../components/field';
import type { UserFacingError } from '../../lib/error-messages';

import { FormError } from './form-error';
import { useSessionStore } from './session.store';

/** Covers the app while the session is locked: unlock with the password or switch operator. */
export function LockScreen() {
  const operator = useSessionStore((s) => s.operator);
  const notice = useSessionStore((s) => s.notice);
  const unlock = useSessionStore((s) => s.unlock);
  const switchOperator = useSessionStore((s) => s.switchOperator);
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<UserFacingError>();
  const [missing, setMissing] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [switching, setSwitching] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    if (!password) {
      setMissing('Enter your password.');
      return;
    }
    setMissing(undefined);
    setBusy(true);
    const ok = await unlock(password, setFailure);
    if (!ok) {
      setBusy(false);
      setPassword('');
    }
  };

  return (
    <div className="lock-overlay">
      <main className="auth-page" id="main-content">
        <div className="auth-card">
          <div className="brand brand-large" aria-hidden="true">
            <span className="brand-mark" />
            PatchDeck
          </div>
          <h1>Session locked</h1>
          <p className="auth-intro">
            {notice ?? 'This session is locked.'} Signed in as{' '}
            <strong>{operator?.displayName ?? 'an operator'}</strong>
            {operator && <span className="muted"> ({operator.username})</span>}.
          </p>
          <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label="Unlock">
            <FormError error={failure} />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={missing}
              autoFocus
            />
            <div className="form-row">
              <Button type="submit" variant="primary" busy={busy} busyLabel="Unlocking…">
                Unlock
              </Button>
              <Button
                variant="ghost"
                busy={switching}
                busyLabel="Switching…"
                onClick={() => {
                  setSwitching(true);
                  void switchOperator();
                }}
              >
                Switch operator
              </Button>
            </div>
          </form>
        </div>
      </main>
    </div>
  );
}
