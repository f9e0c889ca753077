import type { OpName, OpOutput, OpParsedInput } from '../../../shared/api/contract';
import type { ApproverTeam, Role } from '../../../shared/domain/roles';

import type { WriteTx } from './storage';

/** The operator behind a call, as the dispatcher resolved it from the session. */
export type Actor = {
  operatorId: string;
  username: string;
  displayName: string;
  roles: Role[];
  approverTeams: ApproverTeam[];
};

/** Who the audit record names when the handler authenticates someone itself (login, setup). */
export type AuditIdentity = { operatorId: string | null; name: string };

/**
 * What every handler receives besides its input.
 *
 * Commands write through `commit`, which appends the audit record in the same transaction as the
 * command's own writes, so a change and its record reach the disk together or not at all.
 */
export interface HandlerContext {
  /** The logged-in operator, or null for public operations called without a session. */
  readonly actor: Actor | null;
  /** The caller's session token, if it sent one. */
  readonly session: string | undefined;
  /** The time of this request, read once from the clock. */
  readonly now: Date;
  /** Runs the command's writes and its audit record as one durable transaction. */
  commit<R>(fn: (tx: WriteTx) => R): R;
  /** Sets the human summary (and non-secret details) of the audit record. */
  describe(summary: string, details?: Record<string, unknown>): void;
  /** Names who acted, for operations that establish the identity themselves. */
  identify(identity: AuditIdentity): void;
}

/** The handler of one operation. */
export type Handler<N extends OpName> = (
  input: OpParsedInput<N>,
  ctx: HandlerContext,
) => Promise<OpOutput<N>>;

/** One handler per operation; a missing entry is a compile error where the table is joined. */
export type Handlers = { [N in OpName]: Handler<N> };

/** The handlers one area contributes. */
export type AreaHandlers<N extends OpName> = { [K in N]: Handler<K> };
