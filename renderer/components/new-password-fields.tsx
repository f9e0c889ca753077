import { useState } from 'react';

import { TextField } from './field';
import {
  PASSWORD_RULE,
  PasswordStrength,
  usePasswordAssessment,
  type PasswordCheck,
} from './password-strength';
import type { FieldErrors } from './use-form-submit';

/** A new password typed twice, with the live check of its strength. */
export type NewPasswordEntry = {
  password: string;
  confirm: string;
  check: PasswordCheck;
  setPassword: (value: string) => void;
  setConfirm: (value: string) => void;
};

/** Field errors of a new password. */
export type NewPasswordErrors = FieldErrors<'password' | 'confirm'>;

/** Holds a new password and its confirmation; `userInputs` are names the password must avoid. */
export function useNewPassword(userInputs: readonly string[]): NewPasswordEntry {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const check = usePasswordAssessment(password, userInputs);
  return { password, confirm, check, setPassword, setConfirm };
}

/**
 * Checks a new password: present, strong enough, and typed the same twice.
 *
 * While the estimator is still loading only presence is checked here; the core decides anyway.
 */
export function validateNewPassword(
  entry: NewPasswordEntry,
  missingMessage = 'Enter a password.',
): NewPasswordErrors {
  const found: NewPasswordErrors = {};
  if (entry.password.length === 0) found.password = missingMessage;
  else if (entry.check.state === 'assessed' && !entry.check.assessment.acceptable) {
    found.password = entry.check.assessment.problems.join(' ');
  }
  if (entry.confirm !== entry.password) found.confirm = 'The two passwords are not the same.';
  return found;
}

/** Props of NewPasswordFields. */
export type NewPasswordFieldsProps = {
  entry: NewPasswordEntry;
  errors: NewPasswordErrors;
  label?: string;
  confirmLabel?: string;
  /** The form name of the password input; the confirmation is always `confirm`. */
  name?: string;
  required?: boolean;
  /** Repeats the password rule under the confirmation, for screens with room for it. */
  showRule?: boolean;
};

/** The password and confirmation inputs, with the strength meter under the password. */
export function NewPasswordFields({
  entry,
  errors,
  label = 'Password',
  confirmLabel = 'Confirm password',
  name = 'password',
  required,
  showRule = false,
}: NewPasswordFieldsProps) {
  return (
    <>
      <TextField
        label={label}
        name={name}
        type="password"
        autoComplete="new-password"
        value={entry.password}
        onChange={(e) => entry.setPassword(e.target.value)}
        error={errors.password}
        required={required}
        below={<PasswordStrength check={entry.check} />}
      />
      <TextField
        label={confirmLabel}
        name="confirm"
        type="password"
        autoComplete="new-password"
        value={entry.confirm}
        onChange={(e) => entry.setConfirm(e.target.value)}
        error={errors.confirm}
        required={required}
      />
      {showRule && <p className="field-hint">{PASSWORD_RULE}</p>}
    </>
  );
}
