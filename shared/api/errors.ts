/**
 * Failures a person can act on. Anything else is a bug and crosses the wire as INTERNAL_ERROR.
 *
 * Each code has a sentence and a "what to do next" in `renderer/lib/error-messages.ts`.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNKNOWN_OPERATION',
  'NOT_AUTHENTICATED',
  'SESSION_LOCKED',
  'PERMISSION_DENIED',
  'INVALID_CREDENTIALS',
  'LOGIN_THROTTLED',
  'OPERATOR_DISABLED',
  'SETUP_REQUIRED',
  'SETUP_ALREADY_DONE',
  'PASSWORD_TOO_WEAK',
  'USERNAME_TAKEN',
  'OPERATOR_NOT_FOUND',
  'LAST_ADMINISTRATOR',
  'AUDIT_RECORD_NOT_FOUND',
  'DB_NEWER_THAN_APP',
  'MIGRATION_CHECKSUM_MISMATCH',
  'WORKSPACE_CORRUPT',
  'WORKSPACE_IN_USE',
  'STORAGE_WRITE_FAILED',
  'TRANSPORT_FAILED',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'HOST_KEY_REVOKED',
  'HOST_UNREACHABLE',
  'HOST_CONNECTION_REFUSED',
  'HOST_AUTH_REFUSED',
  'SUDO_PASSWORD_REQUIRED',
  'SUDO_REFUSED',
  'REMOTE_TIMEOUT',
  'REMOTE_COMMAND_FAILED',
  'UNSAFE_REMOTE_ARGUMENT',
  'SSH_CONFIG_UNSUPPORTED',
  'KNOWN_HOSTS_MALFORMED',
  'HOST_NOT_FOUND',
  'HOST_ADDRESS_TAKEN',
  'HOST_IS_JUMP_HOST',
  'CREDENTIAL_NOT_FOUND',
  'CREDENTIAL_IN_USE',
  'CREDENTIAL_NAME_TAKEN',
  'CREDENTIAL_KEY_UNREADABLE',
  'VAULT_LOCKED',
  'VAULT_NOT_INITIALIZED',
  'VAULT_ALREADY_INITIALIZED',
  'VAULT_PASSPHRASE_WRONG',
  'HOST_KEY_NOT_PENDING',
  'HOST_KEY_FINGERPRINT_MISMATCH',
  'KNOWN_HOSTS_UNREADABLE',
  'SCAN_NOT_FOUND',
  'IMPORT_FILE_UNREADABLE',
  'IMPORT_UNSUPPORTED_FORMAT',
  'IMPORT_TOO_LARGE',
  'IMPORT_MALFORMED',
  'IMPORT_MAPPING_INVALID',
  'IMPORT_NOT_FOUND',
  'IMPORT_CONFLICT',
  'BUNDLE_SOURCE_NOT_FOUND',
  'BUNDLE_MALFORMED',
  'BUNDLE_ARCHIVE_CORRUPT',
  'BUNDLE_METADATA_TOO_LARGE',
  'BUNDLE_LIMITS_EXCEEDED',
  'BUNDLE_FILE_TOO_LARGE',
  'BUNDLE_PUBLISHER_NOT_TRUSTED',
  'BUNDLE_SIGNATURE_INVALID',
  'BUNDLE_SIGNATURE_DUPLICATE',
  'BUNDLE_THRESHOLD_NOT_MET',
  'BUNDLE_UNTRUSTED_KEY',
  'BUNDLE_ROOT_ROTATION_INVALID',
  'BUNDLE_HASH_MISMATCH',
  'BUNDLE_FILE_EXTRA',
  'BUNDLE_FILE_MISSING',
  'BUNDLE_UNSAFE_PATH',
  'BUNDLE_UNSAFE_ENTRY',
  'BUNDLE_EXPIRED',
  'BUNDLE_ROLLBACK',
  'BUNDLE_TIME_RATCHET',
  'BUNDLE_ID_CONFLICT',
  'BUNDLE_PACKAGE_MISMATCH',
  'BUNDLE_PACKAGE_CONTROL_MISMATCH',
  'BUNDLE_READ_FAILED',
  'BUNDLE_STORE_CORRUPT',
  'BUNDLE_NOT_FOUND',
  'TRUST_FINGERPRINT_MISMATCH',
  'TRUST_ROOT_INVALID',
  'TRUST_KEY_NOT_FOUND',
  'INTERNAL_ERROR',
] as const;

/** A failure the user can act on, or INTERNAL_ERROR for a bug. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as it travels over any transport: plain data, no stack. */
export type WireError = { code: ErrorCode; message: string; details?: Record<string, unknown> };

/** Every call answers with one of these, never with a thrown exception. */
export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** An expected, user-actionable failure. Throw this from services; never for bugs. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** The generic message for a bug; the details stay in the core's log. */
export const INTERNAL_ERROR_MESSAGE =
  'Something went wrong inside PatchDeck. The details are in the log; please report them.';

/** Turns any thrown value into a wire error; bugs lose their stack here on purpose. */
export function toWireError(error: unknown): WireError {
  if (error instanceof AppError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  return { code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE };
}

/** True when the value is one of the known error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
