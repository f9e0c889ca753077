import { useState } from 'react';

import { DisplayName, Username } from '../../../shared/domain/schemas';
import { Button } from '../../components/button';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import {
  NewPasswordFields,
  useNewPassword,
  validateNewPassword,
} from '../../components/new-password-fields';
import { useFormSubmit, type FieldErrors } from '../../components/use-form-submit';

import { AuthLayout } from './auth-layout';
import { useSessionStore } from './session.store';

type Field = 'username' | 'displayName' | 'password' | 'confirm';

/** First start of a workspace: create the administrator. There is no default password. */
export function FirstRunScreen() {
  const setupAdmin = useSessionStore((s) => s.setupAdmin);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const newPassword = useNewPassword([username, displayName]);

  const validate = (): FieldErrors<Field> => {
    const found: FieldErrors<Field> = {};
    const user = Username.safeParse(username);
    if (!user.success) found.username = user.error.issues[0]?.message ?? 'Enter a username.';
    const name = DisplayName.safeParse(displayName);
    if (!name.success) found.displayName = name.error.issues[0]?.message ?? 'Enter a name.';
    return { ...found, ...validateNewPassword(newPassword) };
  };

  const { errors, failure, busy, onSubmit } = useFormSubmit({
    validate,
    send: (onError) =>
      setupAdmin(
        {
          username: username.trim(),
          displayName: displayName.trim(),
          password: newPassword.password,
        },
        onError,
      ),
  });

  return (
    <AuthLayout
      title="Set up this workspace"
      intro={
        <p>
          This workspace has no operators yet. Create the first administrator: this account manages
          operators and settings, and every action it takes is recorded in the audit log. Keep the
          password somewhere safe — there is no recovery without another administrator.
        </p>
      }
    >
      <form className="form" onSubmit={onSubmit} noValidate aria-label="Create the administrator">
        <FormError error={failure} />
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          error={errors.username}
          hint="Letters, digits, dot, dash or underscore. Used to log in."
          required
        />
        <TextField
          label="Display name"
          name="displayName"
          autoComplete="name"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          error={errors.displayName}
          hint="Shown in the header and in every audit record."
          required
        />
        <NewPasswordFields entry={newPassword} errors={errors} required showRule />
        <Button type="submit" variant="primary" busy={busy} busyLabel="Creating administrator…">
          Create administrator
        </Button>
      </form>
    </AuthLayout>
  );
}
