import { AppError } from '../../../shared/api/errors';
import { ROLE_LABELS, type ApproverTeam, type Role } from '../../../shared/domain/roles';
import type { ReadDb } from '../db/workspace';
import type { AreaHandlers } from '../platform/handlers';

import type { AuthDeps, AuthService } from './auth.service';
import {
  countActiveAdministrators,
  findOperatorById,
  findOperatorByUsername,
  insertOperator,
  listOperators,
  setOperatorDisabled,
  setOperatorPassword,
  toOperator,
  updateOperatorProfile,
  type OperatorRow,
} from './operators.repository';

type OperatorOps =
  | 'operators.list'
  | 'operators.create'
  | 'operators.update'
  | 'operators.setDisabled'
  | 'operators.resetPassword';

function requireOperator(db: ReadDb, id: string): OperatorRow {
  const row = findOperatorById(db, id);
  if (!row) {
    throw new AppError('OPERATOR_NOT_FOUND', 'That operator does not exist (any more).', {
      operatorId: id,
    });
  }
  return row;
}

/** Approver teams only mean something for approvers. */
function teamsFor(roles: readonly Role[], teams: readonly ApproverTeam[]): ApproverTeam[] {
  return roles.includes('approver') ? [...new Set(teams)] : [];
}

function describeRoles(roles: readonly Role[]): string {
  return roles.map((role) => ROLE_LABELS[role].toLowerCase()).join(', ');
}

/**
 * Refuses a change that would leave no enabled administrator: nobody could manage operators or
 * trust keys afterwards.
 */
function guardLastAdministrator(
  db: ReadDb,
  row: OperatorRow,
  after: { disabled: boolean; roles: readonly Role[] },
) {
  const isAdminNow = !row.disabled && row.roles.includes('administrator');
  const isAdminAfter = !after.disabled && after.roles.includes('administrator');
  if (isAdminNow && !isAdminAfter && countActiveAdministrators(db) <= 1) {
    throw new AppError(
      'LAST_ADMINISTRATOR',
      `${row.username} is the last enabled administrator. Make another operator an administrator first.`,
    );
  }
}

/** Handlers of operator management (administrators only, enforced by the dispatcher). */
export function operatorHandlers(auth: AuthService, deps: AuthDeps): AreaHandlers<OperatorOps> {
  const changed = (operatorId: string) => deps.events.emit('operators.changed', { operatorId });

  return {
    'operators.list': () => Promise.resolve(listOperators(deps.workspace).map(toOperator)),

    'operators.create': async (input, ctx) => {
      if (findOperatorByUsername(deps.workspace, input.username)) {
        throw new AppError('USERNAME_TAKEN', `The username ${input.username} is already in use.`);
      }
      auth.requireStrongPassword(input.password, [input.username, input.displayName]);
      const password = await auth.hash(input.password);
      const id = deps.ids.next('op');
      const roles = [...new Set(input.roles)];
      const approverTeams = teamsFor(roles, input.approverTeams);
      ctx.describe(`Created operator ${input.username} (${describeRoles(roles)})`, {
        operatorId: id,
        username: input.username,
        roles,
        approverTeams,
      });
      ctx.commit((tx) => {
        if (findOperatorByUsername(tx, input.username)) {
          throw new AppError('USERNAME_TAKEN', `The username ${input.username} is already in use.`);
        }
        insertOperator(tx, {
          id,
          username: input.username,
          displayName: input.displayName,
          password,
          roles,
          approverTeams,
          at: ctx.now.toISOString(),
        });
      });
      changed(id);
      return toOperator(requireOperator(deps.workspace, id));
    },

    'operators.update': (input, ctx) => {
      const row = requireOperator(deps.workspace, input.operatorId);
      const roles = input.roles ? [...new Set(input.roles)] : row.roles;
      const approverTeams = teamsFor(roles, input.approverTeams ?? row.approverTeams);
      const displayName = input.displayName ?? row.displayName;
      guardLastAdministrator(deps.workspace, row, { disabled: row.disabled, roles });
      ctx.describe(`Changed operator ${row.username}: ${describeRoles(roles)}`, {
        operatorId: row.id,
        before: {
          displayName: row.displayName,
          roles: row.roles,
          approverTeams: row.approverTeams,
        },
        after: { displayName, roles, approverTeams },
      });
      ctx.commit((tx) =>
        updateOperatorProfile(
          tx,
          row.id,
          { displayName, roles, approverTeams },
          ctx.now.toISOString(),
        ),
      );
      changed(row.id);
      return Promise.resolve(toOperator(requireOperator(deps.workspace, row.id)));
    },

    'operators.setDisabled': (input, ctx) => {
      const row = requireOperator(deps.workspace, input.operatorId);
      guardLastAdministrator(deps.workspace, row, { disabled: input.disabled, roles: row.roles });
      ctx.describe(`${input.disabled ? 'Disabled' : 'Enabled'} operator ${row.username}`, {
        operatorId: row.id,
      });
      ctx.commit((tx) => setOperatorDisabled(tx, row.id, input.disabled, ctx.now.toISOString()));
      if (input.disabled) deps.sessions.closeAllFor(row.id);
      changed(row.id);
      return Promise.resolve(toOperator(requireOperator(deps.workspace, row.id)));
    },

    'operators.resetPassword': async (input, ctx) => {
      const row = requireOperator(deps.workspace, input.operatorId);
      auth.requireStrongPassword(input.newPassword, [row.username, row.displayName]);
      const password = await auth.hash(input.newPassword);
      ctx.describe(`Reset the password of ${row.username}`, { operatorId: row.id });
      ctx.commit((tx) => setOperatorPassword(tx, row.id, password, ctx.now.toISOString()));
      // Whoever held the old password must not keep a session opened with it.
      deps.sessions.closeAllFor(row.id);
      changed(row.id);
      return { done: true as const };
    },
  };
}
