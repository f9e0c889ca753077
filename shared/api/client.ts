import type { OpInput, OpName, OpOutput } from './contract';
import type { ErrorCode, WireResult } from './errors';
import type { EventName, EventPayload } from './events';

/** Anything that can carry a request to the core and bring back a result. */
export interface Transport {
  /** Sends one call; `session` is the operator's session token, when logged in. */
  call(op: string, input: unknown, session?: string): Promise<WireResult<unknown>>;
  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** Thrown by the client when the core answers with an error. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A typed client over any transport; it remembers the session token after login. */
export type ApiClient = {
  call<N extends OpName>(op: N, input: OpInput<N>): Promise<OpOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  subscribe: Transport['subscribe'];
  setSession(token: string | undefined): void;
  getSession(): string | undefined;
};

/** Builds the typed client; the renderer and tests use the same one. */
export function createApiClient(transport: Transport): ApiClient {
  let session: string | undefined;
  return {
    async call(op, input) {
      const result = await transport.call(op, input, session);
      if (!result.ok) {
        throw new ApiError(result.error.code, result.error.message, result.error.details);
      }
      return result.value as never;
    },
    on(event, listener) {
      return transport.subscribe((name, payload) => {
        if (name === event) listener(payload as never);
      });
    },
    subscribe: (listener) => transport.subscribe(listener),
    setSession(token) {
      session = token;
    },
    getSession: () => session,
  };
}
