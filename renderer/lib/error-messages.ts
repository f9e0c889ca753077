import type { ApiError } from '../../shared/api/client';
import type { ErrorCode } from '../../shared/api/errors';

/** What the operator reads when an action fails: what happened, and what to do next. */
export type ErrorMessage = { title: string; action: string };

/**
 * The user-facing text for every error code; a missing code fails the type check.
 *
 * Written for a technician under time pressure: one plain sentence, then one next step.
 */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, ErrorMessage>> = {
  VALIDATION_FAILED: {
    title: 'Some of the entered values were not accepted.',
    action: 'Correct the fields listed below and try again.',
  },
  UNKNOWN_OPERATION: {
    title: 'This version of the screen asked for something the core does not know.',
    action:
      'Reload the window. If it happens again, the app and its core are out of step: reinstall PatchDeck.',
  },
  NOT_AUTHENTICATED: {
    title: 'You are not logged in, or your session has ended.',
    action: 'Log in again to continue.',
  },
  SESSION_LOCKED: {
    title: 'Your session was locked after a period without activity.',
    action: 'Enter your password to unlock, or switch operator.',
  },
  PERMISSION_DENIED: {
    title: 'Your roles do not allow this action. The attempt has been recorded in the audit log.',
    action: 'Ask an administrator to do it, or to give you the role it needs.',
  },
  INVALID_CREDENTIALS: {
    title: 'The username or password is not correct.',
    action: 'Check Caps Lock and the keyboard layout, then try again.',
  },
  LOGIN_THROTTLED: {
    title: 'Too many failed attempts: logins for this account are paused for a short while.',
    action:
      'Wait a minute before trying again. If you have forgotten the password, ask an administrator to reset it.',
  },
  OPERATOR_DISABLED: {
    title: 'This operator account is disabled.',
    action: 'Ask an administrator to enable it again.',
  },
  SETUP_REQUIRED: {
    title: 'This workspace has no administrator yet.',
    action: 'Create the first administrator on the setup screen.',
  },
  SETUP_ALREADY_DONE: {
    title: 'This workspace already has an administrator.',
    action:
      'Log in with an existing account. Reload the window if the setup screen is still shown.',
  },
  PASSWORD_TOO_WEAK: {
    title: 'That password is too easy to guess.',
    action:
      'Use at least 12 characters; a few unrelated words make a strong password that is easy to type.',
  },
  USERNAME_TAKEN: {
    title: 'Another operator already uses that username.',
    action: 'Choose a different username. Usernames are not case-sensitive.',
  },
  OPERATOR_NOT_FOUND: {
    title: 'That operator no longer exists in this workspace.',
    action: 'Refresh the list of operators.',
  },
  LAST_ADMINISTRATOR: {
    title: 'This would leave the workspace without an active administrator.',
    action: 'Give another operator the administrator role first.',
  },
  AUDIT_RECORD_NOT_FOUND: {
    title: 'That audit record does not exist.',
    action: 'Refresh the audit list; if records are missing, run "Verify chain".',
  },
  DB_NEWER_THAN_APP: {
    title: 'The workspace was written by a newer version of PatchDeck.',
    action: 'Open it with that version or a later one. Nothing was changed.',
  },
  MIGRATION_CHECKSUM_MISMATCH: {
    title: 'The workspace does not match the upgrade steps this version expects.',
    action:
      'Do not continue. Keep the workspace file and its .bak copy, and contact your PatchDeck support.',
  },
  WORKSPACE_CORRUPT: {
    title: 'The workspace file is damaged and could not be opened.',
    action:
      'Close PatchDeck and run `patchdeck workspace check` to see which backups are good, then `patchdeck workspace restore --yes`: it keeps the damaged file and replays every saved change on top of the backup.',
  },
  WORKSPACE_IN_USE: {
    title: 'Another PatchDeck is already using this workspace.',
    action: 'Close the other PatchDeck window or process, then try again.',
  },
  STORAGE_WRITE_FAILED: {
    title: 'PatchDeck could not save to disk, so the last change was not kept.',
    action:
      'Check free disk space and that the workspace drive is still attached, then repeat the action.',
  },
  TRANSPORT_FAILED: {
    title: "PatchDeck's core did not answer.",
    action: 'Restart PatchDeck. In browser mode, open the address printed when the server started.',
  },
  INTERNAL_ERROR: {
    title: 'Something went wrong inside PatchDeck.',
    action:
      'Try again. If it keeps happening, the details are in the PatchDeck log: report them to support.',
  },
};

/** An error ready to show: the mapped text plus, where useful, the core's own explanation. */
export type UserFacingError = ErrorMessage & {
  code: ErrorCode;
  /** The core's user-safe message, when it adds something (never for INTERNAL_ERROR). */
  detail?: string;
  /** Field problems of a VALIDATION_FAILED answer. */
  issues?: string[];
};

function readIssues(details: Record<string, unknown> | undefined): string[] {
  const raw = details?.['issues'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((issue: unknown) => {
    if (typeof issue === 'string') return [issue];
    if (issue !== null && typeof issue === 'object' && 'message' in issue) {
      const { message, path } = issue as { message: unknown; path?: unknown };
      const where = Array.isArray(path) ? path.join('.') : '';
      return typeof message === 'string' ? [where ? `${where}: ${message}` : message] : [];
    }
    return [];
  });
}

/** Turns an API error into the text the operator sees. */
export function describeApiError(
  error: Pick<ApiError, 'code' | 'message' | 'details'>,
): UserFacingError {
  const mapped = ERROR_MESSAGES[error.code];
  const described: UserFacingError = { code: error.code, ...mapped };
  if (error.code === 'INTERNAL_ERROR') return described;
  if (error.code === 'VALIDATION_FAILED') {
    const issues = readIssues(error.details);
    if (issues.length > 0) described.issues = issues;
    return described;
  }
  const detail = error.message.trim();
  if (detail && detail !== mapped.title) described.detail = detail;
  return described;
}
