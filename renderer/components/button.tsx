import type { ButtonHTMLAttributes, ReactNode } from 'react';

import { cx } from '../lib/format';

/** Props of Button. */
export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  size?: 'normal' | 'small';
  /** Shows a spinner and disables the button while a long action runs. */
  busy?: boolean;
  busyLabel?: string;
  children: ReactNode;
};

/** The app's button: never a bare `<button>`, so busy and disabled look the same everywhere. */
export function Button({
  variant = 'secondary',
  size = 'normal',
  busy = false,
  busyLabel,
  disabled,
  className,
  children,
  type = 'button',
  ...rest
}: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      className={cx('btn', `btn-${variant}`, size === 'small' && 'btn-small', className)}
      disabled={disabled === true || busy}
      aria-busy={busy || undefined}
    >
      {busy && <span className="spinner" aria-hidden="true" />}
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}
