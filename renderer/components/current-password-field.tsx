import { TextField } from './field';

/** Props of CurrentPasswordField. */
export type CurrentPasswordFieldProps = {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  autoFocus?: boolean;
};

/** The password of an operator logging in or unlocking: not judged here, only by the core. */
export function CurrentPasswordField({
  value,
  onChange,
  error,
  autoFocus,
}: CurrentPasswordFieldProps) {
  return (
    <TextField
      label="Password"
      name="password"
      type="password"
      autoComplete="current-password"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      autoFocus={autoFocus}
    />
  );
}
