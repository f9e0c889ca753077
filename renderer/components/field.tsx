import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

import { cx } from '../lib/format';

/** Props of TextField. */
export type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  /** Extra content under the input (a strength meter, for example). */
  below?: ReactNode;
};

/** A labelled input with its hint and inline error, wired for screen readers. */
export function TextField({ label, hint, error, below, className, ...input }: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : undefined, error ? errorId : undefined]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={cx('field', error && 'field-invalid', className)}>
      <label htmlFor={id}>{label}</label>
      <input
        {...input}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      {below}
    </div>
  );
}
