import { createHash } from 'node:crypto';

import {
  isOpName,
  operations,
  SECRET_INPUT_KEYS,
  type Access,
  type OpName,
} from '../../../shared/api/contract';
import { AppError, toWireError, type WireResult } from '../../../shared/api/errors';
import { rolesGrant } from '../../../shared/domain/roles';
import type { AuditOutcome } from '../../../shared/domain/schemas';
import { appendAuditRecord } from '../audit/audit-chain';
import type { AuthService } from '../auth/auth.service';
import type { Workspace } from '../db/workspace';
import { canonicalJson } from '../platform/canonical-json';
import type { Clock } from '../platform/clock';
import type { EventBus } from '../platform/events';
import type { Actor, AuditIdentity, HandlerContext, Handlers } from '../platform/handlers';
import type { Logger } from '../platform/logger';

/** Who is calling, as the transport knows it. */
export type CallContext = { session?: string | undefined };

/** The single entry point every transport calls. */
export type Dispatch = (
  op: string,
  rawInput: unknown,
  context?: CallContext,
) => Promise<WireResult<unknown>>;

/** What the dispatcher needs from the core. */
export type DispatcherDeps = {
  handlers: Handlers;
  auth: AuthService;
  workspace: Workspace;
  clock: Clock;
  events: EventBus;
  log: Logger;
};

/** Replaces secret values (passwords, tokens) anywhere in an input by a fixed marker. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        SECRET_INPUT_KEYS.has(key) ? '[secret]' : redactSecrets(inner),
      ]),
    );
  }
  return value;
}

/** SHA-256 of the canonical JSON of an input with its secrets redacted. */
export function digestInput(input: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(redactSecrets(input) ?? null))
    .digest('hex');
}

function permissionMessage(op: OpName, access: Access): string {
  return `Your role does not allow this (${op} needs the "${access}" permission). Ask an administrator.`;
}

/**
 * Builds the dispatcher: look up, validate, authenticate, authorise, call, audit, map errors.
 *
 * Every command is recorded in the audit log, whether it succeeded, failed or was refused; so
 * is every refused query. A bug is logged with its stack and answered with INTERNAL_ERROR.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatch {
  const { handlers, auth, workspace, clock, events, log } = deps;

  return async (op, rawInput, context = {}) => {
    if (!isOpName(op)) {
      return {
        ok: false,
        error: { code: 'UNKNOWN_OPERATION', message: `Unknown operation "${op}".` },
      };
    }
    const spec = operations[op];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      return {
        ok: false,
        error: {
          code: 'VALIDATION_FAILED',
          message: `The request was not valid: ${issues.map((i) => `${i.path || 'input'}: ${i.message}`).join('; ')}`,
          details: { issues },
        },
      };
    }

    const now = clock.now();
    const inputDigest = digestInput(parsed.data);
    let identity: AuditIdentity = { operatorId: null, name: 'anonymous' };
    let summary: string | undefined;
    let details: Record<string, unknown> = {};
    let committed = false;

    const record = (
      outcome: AuditOutcome,
      errorCode: string | null,
      tx?: Parameters<Parameters<Workspace['transaction']>[0]>[0],
    ) => {
      const entry = {
        at: now.toISOString(),
        operatorId: identity.operatorId,
        operatorName: identity.name,
        op,
        inputDigest,
        outcome,
        errorCode,
        summary: summary ?? `${op}${outcome === 'ok' ? '' : ` (${errorCode ?? outcome})`}`,
        details,
      };
      const appended = tx
        ? appendAuditRecord(tx, entry)
        : workspace.transaction((inner) => appendAuditRecord(inner, entry));
      return appended;
    };
    const announce = (seq: number, outcome: AuditOutcome) =>
      events.emit('audit.appended', { seq, op, outcome, operatorName: identity.name });

    let actor: Actor | null;
    try {
      actor = resolveActor(auth, spec.access, op, context.session);
      if (actor) identity = { operatorId: actor.operatorId, name: actor.username };
      if (
        typeof spec.access === 'string' &&
        spec.access !== 'public' &&
        spec.access !== 'session'
      ) {
        if (!actor || !rolesGrant(actor.roles, spec.access)) {
          throw new AppError('PERMISSION_DENIED', permissionMessage(op, spec.access), {
            op,
            permission: spec.access,
          });
        }
      }
    } catch (error) {
      if (error instanceof AppError && error.code === 'PERMISSION_DENIED') {
        summary = `Refused ${op} for ${identity.name}`;
        details = { permission: spec.access };
        try {
          announce(record('denied', error.code).seq, 'denied');
        } catch (auditError) {
          return storageFailure(auditError, log, events, op);
        }
      }
      return { ok: false, error: toWireError(error) };
    }

    const ctx: HandlerContext = {
      actor,
      session: context.session,
      now,
      commit(fn) {
        if (spec.kind !== 'command') throw new Error(`query ${op} tried to write`);
        if (committed) throw new Error(`${op} committed twice; a command is one unit of work`);
        const { result, seq } = workspace.transaction((tx) => {
          const value = fn(tx);
          return { result: value, seq: record('ok', null, tx).seq };
        });
        committed = true;
        announce(seq, 'ok');
        return result;
      },
      describe(text, extra) {
        summary = text;
        if (extra) details = extra;
      },
      identify(who) {
        identity = who;
      },
    };

    try {
      const handler = handlers[op] as (input: unknown, ctx: HandlerContext) => Promise<unknown>;
      const value = await handler(parsed.data, ctx);
      if (spec.kind === 'command' && !committed) announce(record('ok', null).seq, 'ok');
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        log.error('handler output does not match the contract', {
          op,
          issues: checked.error.issues,
        });
        return { ok: false, error: toWireError(new Error('output drift')) };
      }
      return { ok: true, value: checked.data };
    } catch (error) {
      if (!(error instanceof AppError)) log.error('unexpected failure', { op, error });
      if (
        spec.kind === 'command' ||
        (error instanceof AppError && error.code === 'PERMISSION_DENIED')
      ) {
        const code = error instanceof AppError ? error.code : 'INTERNAL_ERROR';
        try {
          const outcome: AuditOutcome = code === 'PERMISSION_DENIED' ? 'denied' : 'error';
          announce(record(outcome, code).seq, outcome);
        } catch (auditError) {
          return storageFailure(auditError, log, events, op);
        }
      }
      return { ok: false, error: toWireError(error) };
    }
  };
}

function resolveActor(
  auth: AuthService,
  access: Access,
  op: OpName,
  session: string | undefined,
): Actor | null {
  if (access !== 'public') return auth.authenticate(session);
  // Public calls still name the operator when a session comes along (logout, unlock).
  return op === 'auth.unlock' ? auth.peekActor(session) : null;
}

function storageFailure(
  error: unknown,
  log: Logger,
  events: EventBus,
  op: string,
): WireResult<never> {
  const wire = toWireError(error);
  if (wire.code === 'INTERNAL_ERROR') log.error('audit append failed', { op, error });
  events.emit('workspace.storageFailed', { message: wire.message });
  return { ok: false, error: wire };
}
