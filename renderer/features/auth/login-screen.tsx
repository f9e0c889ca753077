import { useState } from 'react';

import { Button } from '../../components/button';
import { CurrentPasswordField } from '../../components/current-password-field';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import { useFormSubmit } from '../../components/use-form-submit';

import { AuthLayout } from './auth-layout';
import { useSessionStore } from './session.store';

/** Log in with a username and password. */
export function LoginScreen() {
  const login = useSessionStore((s) => s.login);
  const notice = useSessionStore((s) => s.notice);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { errors, failure, busy, onSubmit } = useFormSubmit({
    validate: () => ({
      ...(username.trim() ? {} : { username: 'Enter your username.' }),
      ...(password ? {} : { password: 'Enter your password.' }),
    }),
    send: async (onError) => {
      const ok = await login(username.trim(), password, onError);
      if (!ok) setPassword('');
      return ok;
    },
  });

  return (
    <AuthLayout title="Log in">
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form className="form" onSubmit={onSubmit} noValidate aria-label="Log in">
        <FormError error={failure} />
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={errors.username}
          autoFocus
        />
        <CurrentPasswordField value={password} onChange={setPassword} error={errors.password} />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Logging in…">
          Log in
        </Button>
      </form>
    </AuthLayout>
  );
}
