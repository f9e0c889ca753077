import { useState, type FormEvent } from 'react';

import type { Operator } from '../../../shared/domain/schemas';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { TextField } from '../../components/field';
import { PasswordStrength, usePasswordAssessment } from '../../components/password-strength';
import type { UserFacingError } from '../../lib/error-messages';
import { FormError } from '../auth/form-error';

import { useOperatorsStore } from './operators.store';

/** Props of ResetPasswordDialog. */
export type ResetPasswordDialogProps = { operator: Operator; onClose: () => void };

/** Sets a new password for an operator who has forgotten theirs. */
export function ResetPasswordDialog({ operator, onClose }: ResetPasswordDialogProps) {
  const resetPassword = useOperatorsStore((s) => s.resetPassword);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string }>({});
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);
  const assessment = usePasswordAssessment(password, [operator.username, operator.displayName]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: { password?: string; confirm?: string } = {};
    if (!password) found.password = 'Enter a new password.';
    else if (assessment && !assessment.acceptable) found.password = assessment.problems.join(' ');
    if (confirm !== password) found.confirm = 'The two passwords are not the same.';
    setErrors(found);
    setFailure(undefined);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const ok = await resetPassword(operator, password, setFailure);
    setBusy(false);
    if (ok) onClose();
  };

  return (
    <Dialog
      title={`Reset password for ${operator.displayName}`}
      description={`${operator.username} will log in with the new password from now on. The reset is recorded in the audit log; the password is not.`}
      onClose={onClose}
    >
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <FormError error={failure} />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          below={<PasswordStrength assessment={assessment} />}
        />
        <TextField
          label="Confirm new password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={errors.confirm}
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
