import { AppError } from '../../../shared/api/errors';
import { readSettings } from '../db/settings.repository';
import type { AreaHandlers } from '../platform/handlers';

import type { AuthDeps, AuthService } from './auth.service';
import { findOperatorById, setOperatorPassword, toOperator } from './operators.repository';

type AuthOps =
  | 'auth.status'
  | 'auth.setupAdmin'
  | 'auth.login'
  | 'auth.unlock'
  | 'auth.logout'
  | 'auth.me'
  | 'auth.changePassword';

/** Handlers of logging in and out, first-run setup and the operator's own password. */
export function authHandlers(auth: AuthService, deps: AuthDeps): AreaHandlers<AuthOps> {
  return {
    'auth.status': () =>
      Promise.resolve({
        needsSetup: auth.needsSetup(),
        idleLockMinutes: readSettings(deps.workspace).idleLockMinutes,
      }),
    'auth.setupAdmin': (input, ctx) => auth.setupAdministrator(input, ctx),
    'auth.login': (input, ctx) => auth.login(input, ctx),
    'auth.unlock': (input, ctx) => auth.unlock(input.password, ctx),
    'auth.logout': (_input, ctx) => {
      ctx.describe(`${ctx.actor?.username ?? 'An operator'} logged out`);
      deps.sessions.close(ctx.session);
      return Promise.resolve({ done: true as const });
    },
    'auth.me': (_input, ctx) => {
      const row = ctx.actor && findOperatorById(deps.workspace, ctx.actor.operatorId);
      if (!row) throw new AppError('NOT_AUTHENTICATED', 'You are not logged in.');
      return Promise.resolve(toOperator(row));
    },
    'auth.changePassword': async (input, ctx) => {
      const actor = ctx.actor;
      if (!actor) throw new AppError('NOT_AUTHENTICATED', 'You are not logged in.');
      const password = await auth.changeOwnPassword(input, actor, ctx);
      ctx.commit((tx) =>
        setOperatorPassword(tx, actor.operatorId, password, ctx.now.toISOString()),
      );
      return { done: true as const };
    },
  };
}
