import { AppError } from '../../../shared/api/errors';
import { assessPassword } from '../../../shared/domain/password-policy';
import type { Operator, Session } from '../../../shared/domain/schemas';
import { readSettings } from '../db/settings.repository';
import type { Workspace } from '../db/workspace';
import type { EventBus } from '../platform/events';
import type { Actor, HandlerContext } from '../platform/handlers';
import type { IdGenerator } from '../platform/ids';

import {
  countOperators,
  findOperatorById,
  findOperatorByUsername,
  insertOperator,
  recordLoginFailure,
  recordLoginSuccess,
  toOperator,
  type OperatorRow,
} from './operators.repository';
import {
  hashPassword,
  verifyPassword,
  type PasswordRecord,
  type ScryptParams,
} from './password-hash';
import type { SessionStore } from './sessions';

/** Failed logins allowed before further attempts are refused for a while. */
export const FREE_LOGIN_ATTEMPTS = 5;

/** The longest wait imposed after repeated failures. */
export const MAX_LOGIN_BACKOFF_MS = 15 * 60 * 1000;

/** What the auth service needs from the rest of the core. */
export type AuthDeps = {
  workspace: Workspace;
  sessions: SessionStore;
  ids: IdGenerator;
  events: EventBus;
  scryptParams: ScryptParams;
};

/**
 * Logins, first-run setup, unlocking and the checks the dispatcher runs on every call.
 */
export class AuthService {
  /** A hash to verify against when the username is unknown, so timing does not reveal it. */
  private decoy: Promise<PasswordRecord> | undefined;

  constructor(private readonly deps: AuthDeps) {}

  /** True until the first administrator exists. */
  needsSetup(): boolean {
    return countOperators(this.deps.workspace) === 0;
  }

  /** Resolves the operator behind a session for a protected call; throws when there is none. */
  authenticate(token: string | undefined): Actor {
    const operatorId = this.deps.sessions.touch(token);
    const row = findOperatorById(this.deps.workspace, operatorId);
    if (!row || row.disabled) {
      this.deps.sessions.closeAllFor(operatorId);
      throw new AppError('NOT_AUTHENTICATED', 'Your account is no longer active. Log in again.');
    }
    return toActor(row);
  }

  /** The operator behind a session without requiring it to be unlocked (for unlock itself). */
  peekActor(token: string | undefined): Actor | null {
    const session = this.deps.sessions.peek(token);
    if (!session) return null;
    const row = findOperatorById(this.deps.workspace, session.operatorId);
    return row && !row.disabled ? toActor(row) : null;
  }

  /** Rejects a password that is too weak, naming what to change. */
  requireStrongPassword(password: string, userInputs: readonly string[]): void {
    const assessment = assessPassword(password, userInputs);
    if (!assessment.acceptable) {
      throw new AppError('PASSWORD_TOO_WEAK', assessment.problems.join(' '), {
        problems: assessment.problems,
        score: assessment.score,
      });
    }
  }

  /** Hashes a password with the workspace's cost parameters. */
  hash(password: string): Promise<PasswordRecord> {
    return hashPassword(password, this.deps.scryptParams);
  }

  /** Creates the first administrator and logs them in. */
  async setupAdministrator(
    input: { username: string; displayName: string; password: string },
    ctx: HandlerContext,
  ): Promise<Session> {
    if (!this.needsSetup()) {
      throw new AppError(
        'SETUP_ALREADY_DONE',
        'This workspace already has an administrator. Log in instead.',
      );
    }
    this.requireStrongPassword(input.password, [input.username, input.displayName]);
    const password = await this.hash(input.password);
    const id = this.deps.ids.next('op');
    const at = ctx.now.toISOString();
    ctx.identify({ operatorId: id, name: input.username });
    ctx.describe(`Created the first administrator ${input.username}`, {
      username: input.username,
    });
    ctx.commit((tx) => {
      // Checked again inside the transaction: two first-run screens must not both succeed.
      if (countOperators(tx) > 0) {
        throw new AppError('SETUP_ALREADY_DONE', 'This workspace already has an administrator.');
      }
      insertOperator(tx, {
        id,
        username: input.username,
        displayName: input.displayName,
        password,
        roles: ['administrator'],
        approverTeams: [],
        at,
      });
      recordLoginSuccess(tx, id, at);
    });
    this.deps.events.emit('operators.changed', { operatorId: id });
    return this.openSession(id);
  }

  /** Checks a username and password and opens a session. */
  async login(
    input: { username: string; password: string },
    ctx: HandlerContext,
  ): Promise<Session> {
    if (this.needsSetup()) {
      throw new AppError('SETUP_REQUIRED', 'No administrator exists yet. Create one first.');
    }
    const row = findOperatorByUsername(this.deps.workspace, input.username);
    ctx.identify({ operatorId: row?.id ?? null, name: input.username });
    if (!row) {
      await verifyPassword(input.password, await this.decoyRecord());
      throw invalidCredentials();
    }
    const now = ctx.now.getTime();
    if (row.lockedUntil !== null && Date.parse(row.lockedUntil) > now) {
      const seconds = Math.ceil((Date.parse(row.lockedUntil) - now) / 1000);
      throw new AppError(
        'LOGIN_THROTTLED',
        `Too many failed logins for ${row.username}. Try again in ${seconds} s.`,
        { retryAfterSeconds: seconds },
      );
    }
    const matches = await verifyPassword(input.password, row.password);
    if (!matches) {
      this.recordFailure(row, now);
      throw invalidCredentials();
    }
    if (row.disabled) {
      throw new AppError(
        'OPERATOR_DISABLED',
        `The account ${row.username} is disabled. Ask an administrator to enable it.`,
      );
    }
    ctx.describe(`${row.username} logged in`);
    ctx.commit((tx) => recordLoginSuccess(tx, row.id, ctx.now.toISOString()));
    return this.openSession(row.id);
  }

  /** Unlocks an idle-locked session after the operator re-enters their password. */
  async unlock(password: string, ctx: HandlerContext): Promise<Session> {
    const token = ctx.session;
    const session = this.deps.sessions.peek(token);
    if (!token || !session) {
      throw new AppError('NOT_AUTHENTICATED', 'This session has ended. Log in again.');
    }
    const row = findOperatorById(this.deps.workspace, session.operatorId);
    if (!row || row.disabled) {
      this.deps.sessions.close(token);
      throw new AppError('NOT_AUTHENTICATED', 'Your account is no longer active. Log in again.');
    }
    ctx.identify({ operatorId: row.id, name: row.username });
    if (!(await verifyPassword(password, row.password))) {
      throw invalidCredentials();
    }
    this.deps.sessions.unlock(token);
    ctx.describe(`${row.username} unlocked their session`);
    return this.sessionView(token, row);
  }

  /** Changes the caller's own password after checking the current one. */
  async changeOwnPassword(
    input: { currentPassword: string; newPassword: string },
    actor: Actor,
    ctx: HandlerContext,
  ): Promise<PasswordRecord> {
    const row = findOperatorById(this.deps.workspace, actor.operatorId);
    if (!row || !(await verifyPassword(input.currentPassword, row.password))) {
      throw invalidCredentials();
    }
    this.requireStrongPassword(input.newPassword, [row.username, row.displayName]);
    ctx.describe(`${row.username} changed their password`);
    return this.hash(input.newPassword);
  }

  private recordFailure(row: OperatorRow, now: number): void {
    const failures = row.failedLogins + 1;
    const over = failures - FREE_LOGIN_ATTEMPTS;
    const lockedUntil =
      over >= 0
        ? new Date(now + Math.min(MAX_LOGIN_BACKOFF_MS, 30_000 * 2 ** over)).toISOString()
        : null;
    this.deps.workspace.transaction((tx) => recordLoginFailure(tx, row.id, failures, lockedUntil));
  }

  private openSession(operatorId: string): Session {
    const row = findOperatorById(this.deps.workspace, operatorId);
    if (!row) throw new Error(`operator ${operatorId} vanished while logging in`);
    return this.sessionView(this.deps.sessions.open(operatorId), row);
  }

  private sessionView(token: string, row: OperatorRow): Session {
    return {
      token,
      operator: toOperator(row),
      idleLockMinutes: readSettings(this.deps.workspace).idleLockMinutes,
    };
  }

  private decoyRecord(): Promise<PasswordRecord> {
    this.decoy ??= hashPassword('decoy password never used', this.deps.scryptParams);
    return this.decoy;
  }
}

function invalidCredentials(): AppError {
  return new AppError('INVALID_CREDENTIALS', 'The username or password is not right.');
}

/** The actor view of an operator row. */
export function toActor(row: Operator): Actor {
  return {
    operatorId: row.id,
    username: row.username,
    displayName: row.displayName,
    roles: row.roles,
    approverTeams: row.approverTeams,
  };
}
