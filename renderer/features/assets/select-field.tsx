import { useId, type ReactNode, type SelectHTMLAttributes } from 'react';

import { cx } from '../../lib/format';

/** Props of SelectField. */
export type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & {
  label: string;
  hint?: ReactNode;
  children: ReactNode;
};

/** A labelled select with its hint, styled and wired like TextField. */
export function SelectField({ label, hint, className, children, ...select }: SelectFieldProps) {
  const id = useId();
  return (
    <div className={cx('field', className)}>
      <label htmlFor={id}>{label}</label>
      <select {...select} id={id} aria-describedby={hint ? `${id}-hint` : undefined}>
        {children}
      </select>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
