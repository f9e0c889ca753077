import { useState, type FormEvent } from 'react';

import { Button } from '../../components/button';
import { TextField } from '../../components/field';
import type { UserFacingError } from '../../lib/error-messages';

import { AuthLayout } from './auth-layout';
import { FormError } from './form-error';
import { useSessionStore } from './session.store';

/** Log in with a username and password. */
export function LoginScreen() {
  const login = useSessionStore((s) => s.login);
  const notice = useSessionStore((s) => s.notice);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ username?: string; password?: string }>({});
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = {
      ...(username.trim() ? {} : { username: 'Enter your username.' }),
      ...(password ? {} : { password: 'Enter your password.' }),
    };
    setMissing(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const ok = await login(username.trim(), password, setFailure);
    if (!ok) {
      setBusy(false);
      setPassword('');
    }
  };

  return (
    <AuthLayout title="Log in">
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label="Log in">
        <FormError error={failure} />
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={missing.username}
          autoFocus
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={missing.password}
        />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Logging in…">
          Log in
        </Button>
      </form>
    </AuthLayout>
  );
}
