import { useState } from 'react';

import { Button } from '../../components/button';
import { CurrentPasswordField } from '../../components/current-password-field';
import { FormError } from '../../components/form-error';
import { useFormSubmit } from '../../components/use-form-submit';

import { AuthCard } from './auth-layout';
import { useSessionStore } from './session.store';

/** Covers the app while the session is locked: unlock with the password or switch operator. */
export function LockScreen() {
  const operator = useSessionStore((s) => s.operator);
  const notice = useSessionStore((s) => s.notice);
  const unlock = useSessionStore((s) => s.unlock);
  const switchOperator = useSessionStore((s) => s.switchOperator);
  const [password, setPassword] = useState('');
  const [switching, setSwitching] = useState(false);
  const { errors, failure, busy, onSubmit } = useFormSubmit({
    validate: () => (password ? {} : { password: 'Enter your password.' }),
    send: async (onError) => {
      const ok = await unlock(password, onError);
      if (!ok) setPassword('');
      return ok;
    },
  });

  return (
    <div className="lock-overlay">
      <main className="auth-page" id="main-content">
        <AuthCard
          title="Session locked"
          intro={
            <>
              {notice ?? 'This session is locked.'} Signed in as{' '}
              <strong>{operator?.displayName ?? 'an operator'}</strong>
              {operator && <span className="muted"> ({operator.username})</span>}.
            </>
          }
        >
          <form className="form" onSubmit={onSubmit} noValidate aria-label="Unlock">
            <FormError error={failure} />
            <CurrentPasswordField
              value={password}
              onChange={setPassword}
              error={errors.password}
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
        </AuthCard>
      </main>
    </div>
  );
}
