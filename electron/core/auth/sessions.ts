import { randomBytes } from 'node:crypto';

import { AppError } from '../../../shared/api/errors';
import type { Clock } from '../platform/clock';

/** One logged-in operator at one client. */
export type SessionState = {
  operatorId: string;
  createdAt: number;
  lastActivityAt: number;
  locked: boolean;
};

/**
 * Sessions live in the core's memory only: a restart logs everybody out, and no token is ever
 * written to disk.
 */
export class SessionStore {
  private readonly sessions = new Map<string, SessionState>();

  constructor(
    private readonly clock: Clock,
    private readonly idleLockMs: () => number,
  ) {}

  /** Opens a session and returns its token (32 random bytes, hex). */
  open(operatorId: string): string {
    const token = randomBytes(32).toString('hex');
    const now = this.clock.now().getTime();
    this.sessions.set(token, { operatorId, createdAt: now, lastActivityAt: now, locked: false });
    return token;
  }

  /** The session behind a token, locking it first if it has been idle too long. */
  peek(token: string | undefined): SessionState | undefined {
    if (!token) return undefined;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (
      !session.locked &&
      this.clock.now().getTime() - session.lastActivityAt >= this.idleLockMs()
    ) {
      session.locked = true;
    }
    return session;
  }

  /**
   * The operator id behind an active session, marking activity.
   *
   * Throws NOT_AUTHENTICATED for no or an unknown token, SESSION_LOCKED for a locked one.
   */
  touch(token: string | undefined): string {
    const session = this.peek(token);
    if (!session) {
      throw new AppError('NOT_AUTHENTICATED', 'You are not logged in, or your session has ended.');
    }
    if (session.locked) {
      throw new AppError('SESSION_LOCKED', 'This session is locked after a period of inactivity.');
    }
    session.lastActivityAt = this.clock.now().getTime();
    return session.operatorId;
  }

  /** Unlocks a session after the operator proved their password again. */
  unlock(token: string): void {
    const session = this.sessions.get(token);
    if (session) {
      session.locked = false;
      session.lastActivityAt = this.clock.now().getTime();
    }
  }

  /** Ends one session. */
  close(token: string | undefined): void {
    if (token) this.sessions.delete(token);
  }

  /** Ends every session of an operator (disabled, password reset). */
  closeAllFor(operatorId: string): void {
    for (const [token, session] of this.sessions) {
      if (session.operatorId === operatorId) this.sessions.delete(token);
    }
  }
}
