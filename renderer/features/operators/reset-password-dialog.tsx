import type { Operator } from '../../../shared/domain/schemas';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { FormError } from '../../components/form-error';
import {
  NewPasswordFields,
  useNewPassword,
  validateNewPassword,
} from '../../components/new-password-fields';
import { useFormSubmit } from '../../components/use-form-submit';

import { useOperatorsStore } from './operators.store';

/** Props of ResetPasswordDialog. */
export type ResetPasswordDialogProps = { operator: Operator; onClose: () => void };

/** Sets a new password for an operator who has forgotten theirs. */
export function ResetPasswordDialog({ operator, onClose }: ResetPasswordDialogProps) {
  const resetPassword = useOperatorsStore((s) => s.resetPassword);
  const newPassword = useNewPassword([operator.username, operator.displayName]);
  const { errors, failure, busy, onSubmit } = useFormSubmit({
    validate: () => validateNewPassword(newPassword, 'Enter a new password.'),
    send: async (onError) => {
      const ok = await resetPassword(operator, newPassword.password, onError);
      if (ok) onClose();
      return ok;
    },
  });

  return (
    <Dialog
      title={`Reset password for ${operator.displayName}`}
      description={`${operator.username} will log in with the new password from now on. The reset is recorded in the audit log; the password is not.`}
      onClose={onClose}
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <FormError error={failure} />
        <NewPasswordFields
          entry={newPassword}
          errors={errors}
          label="New password"
          confirmLabel="Confirm new password"
          name="newPassword"
        />
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy} busyLabel="Setting password…">
            Set new password
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
