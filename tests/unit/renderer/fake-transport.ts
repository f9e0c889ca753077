import type { Transport } from '../../../shared/api/client';
import type { OpName } from '../../../shared/api/contract';
import type { WireError, WireResult } from '../../../shared/api/errors';
import type { Operator } from '../../../shared/domain/schemas';

/** A fake handler: answers with a value, or with `fail(...)` for an error. */
type Handler = (input: unknown) => unknown;

const FAILURE = Symbol('failure');

/** Makes a fake handler answer with an error. */
export function fail(
  code: WireError['code'],
  message = 'raw core message',
  details?: Record<string, unknown>,
) {
  return { [FAILURE]: details === undefined ? { code, message } : { code, message, details } };
}

/** A Transport that answers from a table of handlers and records every call. */
export function fakeTransport(handlers: Partial<Record<OpName, Handler>>) {
  const calls: { op: string; input: unknown; session: string | undefined }[] = [];
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const transport: Transport = {
    async call(op, input, session): Promise<WireResult<unknown>> {
      calls.push({ op, input, session });
      const handler = handlers[op as OpName];
      if (!handler) return { ok: false, error: { code: 'UNKNOWN_OPERATION', message: op } };
      const answer: unknown = await handler(input);
      if (answer !== null && typeof answer === 'object' && FAILURE in answer) {
        return { ok: false, error: (answer as Record<typeof FAILURE, WireError>)[FAILURE] };
      }
      return { ok: true, value: answer };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    transport,
    calls,
    emit(event: string, payload: unknown) {
      for (const listener of listeners) listener(event, payload);
    },
    callsOf: (op: OpName) => calls.filter((c) => c.op === op),
  };
}

/** An operator for tests. */
export function anOperator(overrides: Partial<Operator> = {}): Operator {
  return {
    id: 'op-1',
    username: 'alice',
    displayName: 'Alice Admin',
    roles: ['administrator'],
    approverTeams: [],
    disabled: false,
    createdAt: '2026-01-05T08:00:00.000Z',
    updatedAt: '2026-01-05T08:00:00.000Z',
    lastLoginAt: null,
    ...overrides,
  };
}
