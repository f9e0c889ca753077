import { useState, type FormEvent } from 'react';

import type { UserFacingError } from '../lib/error-messages';

/** A message for each field that failed validation; the rest are absent. */
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/** Options of useFormSubmit. */
export type FormSubmitOptions<F extends string> = {
  /** Checks the fields; an empty result lets the form be sent. */
  validate: () => FieldErrors<F>;
  /** Sends the form; reports an expected failure through `onError` and resolves to false. */
  send: (onError: (error: UserFacingError) => void) => Promise<boolean>;
};

/**
 * The submit path the auth and operator forms share: validate, show the field errors, send,
 * and show why sending failed.
 *
 * After a success the form stays busy, because it is about to close or give way to the next
 * screen; after a failure it can be sent again.
 */
export function useFormSubmit<F extends string>({ validate, send }: FormSubmitOptions<F>) {
  const [errors, setErrors] = useState<FieldErrors<F>>({});
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const found = validate();
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    if (!(await send(setFailure))) setBusy(false);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit();
  };

  return { errors, failure, busy, onSubmit };
}
