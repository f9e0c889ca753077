import { useId } from 'react';

import { cx } from '../../lib/format';

/** Props of FileField. */
export type FileFieldProps = {
  label: string;
  /** File name extensions offered first by the picker, e.g. `.csv,.xlsx`. */
  accept?: string;
  error: string | undefined;
  onFile: (file: File | undefined) => void;
};

/** A labelled file picker with its error under it; it takes the focus when its dialog opens. */
export function FileField({ label, accept, error, onFile }: FileFieldProps) {
  const id = useId();
  return (
    <div className={cx('field', error && 'field-invalid')}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        {...(accept === undefined ? {} : { accept })}
        onChange={(event) => onFile(event.target.files?.[0])}
        data-autofocus
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
