import { useState, type FormEvent } from 'react';

import { DisplayName, Username } from '../../../shared/domain/schemas';
import { Button } from '../../components/button';
import { TextField } from '../../components/field';
import {
  PASSWORD_RULE,
  PasswordStrength,
  usePasswordAssessment,
} from '../../components/password-strength';
import type { UserFacingError } from '../../lib/error-messages';

import { AuthLayout } from './auth-layout';
import { FormError } from './form-error';
import { useSessionStore } from './session.store';

type Errors = Partial<Record<'username' | 'displayName' | 'password' | 'confirm', string>>;

/** First start of a workspace: create the administrator. There is no default password. */
export function FirstRunScreen() {
  const setupAdmin = useSessionStore((s) => s.setupAdmin);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);
  const assessment = usePasswordAssessment(password, [username, displayName]);

  const validate = (): Errors => {
    const found: Errors = {};
    const user = Username.safeParse(username);
    if (!user.success) found.username = user.error.issues[0]?.message ?? 'Enter a username.';
    const name = DisplayName.safeParse(displayName);
    if (!name.success) found.displayName = name.error.issues[0]?.message ?? 'Enter a name.';
    if (password.length === 0) found.password = 'Enter a password.';
    else if (assessment && !assessment.acceptable) found.password = assessment.problems.join(' ');
    if (confirm !== password) found.confirm = 'The two passwords are not the same.';
    return found;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const ok = await setupAdmin(
      { username: username.trim(), displayName: displayName.trim(), password },
      setFailure,
    );
    if (!ok) setBusy(false);
  };

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
      <form
        className="form"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label="Create the administrator"
      >
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
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          required
          below={<PasswordStrength assessment={assessment} />}
        />
        <TextField
          label="Confirm password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={errors.confirm}
          required
        />
        <p className="field-hint">{PASSWORD_RULE}</p>
        <Button type="submit" variant="primary" busy={busy} busyLabel="Creating administrator…">
          Create administrator
        </Button>
      </form>
    </AuthLayout>
  );
}
