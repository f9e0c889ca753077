import type { ErrorCode } from '../../shared/api/errors';

type AuthFailureHandler = (code: 'SESSION_LOCKED' | 'NOT_AUTHENTICATED') => void;
type Reset = () => void;

let authFailureHandler: AuthFailureHandler | undefined;
const resets = new Set<Reset>();

/** The session store registers here to hear that a call found the session locked or gone. */
export function onAuthFailure(handler: AuthFailureHandler): void {
  authFailureHandler = handler;
}

/** Passes an auth failure on to the session store; returns true when the code was one. */
export function reportAuthFailure(code: ErrorCode): boolean {
  if (code !== 'SESSION_LOCKED' && code !== 'NOT_AUTHENTICATED') return false;
  authFailureHandler?.(code);
  return true;
}

/** Feature stores register how to forget what the previous operator saw. */
export function onSessionEnd(reset: Reset): void {
  resets.add(reset);
}

/** Clears every feature store; called when an operator logs out or the session ends. */
export function resetSessionState(): void {
  for (const reset of resets) reset();
}
