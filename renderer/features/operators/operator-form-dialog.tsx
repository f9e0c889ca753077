import { useState } from 'react';

import {
  APPROVER_TEAM_LABELS,
  APPROVER_TEAMS,
  ROLE_LABELS,
  ROLES,
  type ApproverTeam,
  type Role,
} from '../../../shared/domain/roles';
import { DisplayName, Username, type Operator } from '../../../shared/domain/schemas';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import {
  NewPasswordFields,
  useNewPassword,
  validateNewPassword,
} from '../../components/new-password-fields';
import { useFormSubmit, type FieldErrors } from '../../components/use-form-submit';
import type { UserFacingError } from '../../lib/error-messages';

import { useOperatorsStore } from './operators.store';

/** What each role may do, in one line. */
export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  administrator: 'Manages operators, workspace settings and trusted keys.',
  technician: 'Imports bundles, scans hosts and runs deployments.',
  approver: 'Signs off or refuses deployment plans for their teams.',
  auditor: 'Reads everything and exports signed reports; changes nothing.',
};

type Field = 'username' | 'displayName' | 'password' | 'confirm' | 'roles' | 'teams';

/** Props of OperatorFormDialog. */
export type OperatorFormDialogProps = {
  /** The operator to edit; absent to create a new one. */
  operator?: Operator;
  onClose: () => void;
};

function toggle<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
}

/** Create an operator, or change an existing one's name, roles and approver teams. */
export function OperatorFormDialog({ operator, onClose }: OperatorFormDialogProps) {
  const create = useOperatorsStore((s) => s.create);
  const update = useOperatorsStore((s) => s.update);
  const editing = operator !== undefined;
  const [username, setUsername] = useState(operator?.username ?? '');
  const [displayName, setDisplayName] = useState(operator?.displayName ?? '');
  const [roles, setRoles] = useState<Role[]>(operator?.roles ?? []);
  const [teams, setTeams] = useState<ApproverTeam[]>(operator?.approverTeams ?? []);
  const newPassword = useNewPassword([username, displayName]);
  const isApprover = roles.includes('approver');

  const validate = (): FieldErrors<Field> => {
    let found: FieldErrors<Field> = {};
    if (!editing) {
      const user = Username.safeParse(username);
      if (!user.success) found.username = user.error.issues[0]?.message ?? 'Enter a username.';
      found = { ...found, ...validateNewPassword(newPassword) };
    }
    const name = DisplayName.safeParse(displayName);
    if (!name.success) found.displayName = name.error.issues[0]?.message ?? 'Enter a name.';
    if (roles.length === 0) found.roles = 'Give the operator at least one role.';
    if (isApprover && teams.length === 0) {
      found.teams = 'Choose the teams this approver signs off for.';
    }
    return found;
  };

  const send = async (onError: (error: UserFacingError) => void) => {
    const orderedRoles = ROLES.filter((r) => roles.includes(r));
    const approverTeams = isApprover ? APPROVER_TEAMS.filter((t) => teams.includes(t)) : [];
    const saved = editing
      ? await update(
          operator.id,
          { displayName: displayName.trim(), roles: orderedRoles, approverTeams },
          onError,
        )
      : await create(
          {
            username: username.trim(),
            displayName: displayName.trim(),
            password: newPassword.password,
            roles: orderedRoles,
            approverTeams,
          },
          onError,
        );
    if (saved) onClose();
    return saved !== undefined;
  };

  const { errors, failure, busy, onSubmit } = useFormSubmit({ validate, send });

  return (
    <Dialog
      title={editing ? `Edit ${operator.username}` : 'New operator'}
      description={
        editing
          ? 'Changes take effect at the operator’s next action. The change is recorded in the audit log.'
          : 'Each person gets their own account, so the audit log shows who did what.'
      }
      onClose={onClose}
      wide
    >
      <form className="form" onSubmit={onSubmit} noValidate>
        <FormError error={failure} />
        <div className="form-grid">
          <TextField
            label="Username"
            name="username"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            error={errors.username}
            readOnly={editing}
            hint={
              editing ? 'Usernames cannot be changed.' : 'Letters, digits, dot, dash or underscore.'
            }
          />
          <TextField
            label="Display name"
            name="displayName"
            autoComplete="off"
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            error={errors.displayName}
          />
          {!editing && <NewPasswordFields entry={newPassword} errors={errors} />}
        </div>
        <fieldset
          className="choice-group"
          aria-describedby={errors.roles ? 'roles-error' : undefined}
        >
          <legend>Roles</legend>
          {ROLES.map((role) => (
            <label key={role} className="choice">
              <input
                type="checkbox"
                name="roles"
                value={role}
                checked={roles.includes(role)}
                onChange={(e) => setRoles((r) => toggle(r, role, e.target.checked))}
              />
              <span>
                <span className="choice-label">{ROLE_LABELS[role]}</span>
                <span className="choice-hint">{ROLE_DESCRIPTIONS[role]}</span>
              </span>
            </label>
          ))}
          {errors.roles && (
            <p id="roles-error" className="field-error">
              {errors.roles}
            </p>
          )}
        </fieldset>
        {isApprover && (
          <fieldset
            className="choice-group"
            aria-describedby={errors.teams ? 'teams-error' : undefined}
          >
            <legend>Approver teams</legend>
            <p className="field-hint">The plans this approver may sign off or refuse.</p>
            <div className="choice-columns">
              {APPROVER_TEAMS.map((team) => (
                <label key={team} className="choice">
                  <input
                    type="checkbox"
                    name="approverTeams"
                    value={team}
                    checked={teams.includes(team)}
                    onChange={(e) => setTeams((t) => toggle(t, team, e.target.checked))}
                  />
                  <span className="choice-label">{APPROVER_TEAM_LABELS[team]}</span>
                </label>
              ))}
            </div>
            {errors.teams && (
              <p id="teams-error" className="field-error">
                {errors.teams}
              </p>
            )}
          </fieldset>
        )}
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="primary"
            busy={busy}
            busyLabel={editing ? 'Saving…' : 'Creating…'}
          >
            {editing ? 'Save changes' : 'Create operator'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
