import type { UserFacingError } from '../lib/error-messages';

/** Props of FormError. */
export type FormErrorProps = { error: UserFacingError | undefined };

/** The failure of a form, shown above its fields and announced at once. */
export function FormError({ error }: FormErrorProps) {
  if (!error) return null;
  return (
    <div className="form-error" role="alert">
      <p className="form-error-title">{error.title}</p>
      {error.detail && <p>{error.detail}</p>}
      {error.issues && (
        <ul>
          {error.issues.map((issue) => (
            <li key={issue}>{issue}</li>
          ))}
        </ul>
      )}
      <p>{error.action}</p>
    </div>
  );
}
