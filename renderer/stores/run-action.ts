import { ApiError } from '../../shared/api/client';
import { describeApiError, ERROR_MESSAGES, type UserFacingError } from '../lib/error-messages';

import { useNotificationsStore } from './notifications.store';
import { reportAuthFailure } from './session-events';

/** How one action reports its failure. */
export type RunActionOptions = {
  /** Push a toast on failure (default). Forms that show the error inline turn this off. */
  notify?: boolean;
  /** Receives the user-facing error, for inline display. */
  onError?: (error: UserFacingError) => void;
};

function toUserFacing(error: unknown): UserFacingError {
  if (error instanceof ApiError) return describeApiError(error);
  // Anything that is not an ApiError is a bug in the renderer: log it, show the generic text.
  console.error(error);
  return { code: 'INTERNAL_ERROR', ...ERROR_MESSAGES.INTERNAL_ERROR };
}

/**
 * Runs one store action and is the single place where the UI catches API errors.
 *
 * On failure it maps the error code to the operator's text, pushes a notification, hands
 * SESSION_LOCKED and NOT_AUTHENTICATED to the session store (lock or login screen), and
 * resolves to `undefined`.
 */
export async function runAction<T>(
  label: string,
  fn: () => Promise<T>,
  options: RunActionOptions = {},
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    const failure = toUserFacing(error);
    const isAuthFailure = reportAuthFailure(failure.code);
    options.onError?.(failure);
    // The lock and login screens explain themselves; a toast on top of them adds only noise.
    if (options.notify !== false && !isAuthFailure) {
      useNotificationsStore.getState().push({
        tone: 'error',
        title: failure.title,
        body: failure.action,
        context: label,
        ...(failure.detail === undefined ? {} : { detail: failure.detail }),
        ...(failure.issues === undefined ? {} : { issues: failure.issues }),
      });
    }
    return undefined;
  }
}
