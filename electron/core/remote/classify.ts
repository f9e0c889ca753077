import { AppError, type ErrorCode } from '../../../shared/api/errors';

/** The causes of a failed remote step that an operator can tell apart and act on. */
export type RemoteFailureKind =
  | 'unreachable'
  | 'connection-refused'
  | 'auth-refused'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'host-key-revoked'
  | 'sudo-refused'
  | 'sudo-password-required'
  | 'timeout'
  | 'command-failed'
  | 'unsafe-argument'
  | 'internal';

/** A remote failure, classified: what happened and the next step for the operator. */
export type RemoteFailure = {
  kind: RemoteFailureKind;
  code: ErrorCode;
  message: string;
  /** The sentence telling the operator what to do next. */
  action: string;
};

const BY_CODE: Partial<Record<ErrorCode, { kind: RemoteFailureKind; action: string }>> = {
  HOST_UNREACHABLE: {
    kind: 'unreachable',
    action:
      'Check that the host is powered on and on the network, and that its address and port are right, then retry.',
  },
  HOST_CONNECTION_REFUSED: {
    kind: 'connection-refused',
    action:
      'Check that the SSH service runs on the host, listens on the configured port and offers modern algorithms, then retry.',
  },
  HOST_AUTH_REFUSED: {
    kind: 'auth-refused',
    action:
      "Check the user name and the key, passphrase or password stored for this host, and the account's authorized_keys.",
  },
  HOST_KEY_UNKNOWN: {
    kind: 'host-key-unknown',
    action:
      'Compare the fingerprint with the one from the host build or its console, then accept it (or import a known_hosts file).',
  },
  HOST_KEY_CHANGED: {
    kind: 'host-key-changed',
    action:
      'Stop and confirm the change with the host owner; only an administrator can re-pin the key. No credentials were sent.',
  },
  HOST_KEY_REVOKED: {
    kind: 'host-key-revoked',
    action: 'Have the host owner replace its revoked host key, then pin the new key.',
  },
  SUDO_REFUSED: {
    kind: 'sudo-refused',
    action: "Check the account's sudoers rules and the sudo password stored for this host.",
  },
  SUDO_PASSWORD_REQUIRED: {
    kind: 'sudo-password-required',
    action:
      'Store the sudo password for this host, or add a NOPASSWD sudoers rule for the account.',
  },
  REMOTE_TIMEOUT: {
    kind: 'timeout',
    action:
      "The step was stopped and its result is unknown: re-inspect the host before retrying, and raise the step's time limit if it is legitimately slow.",
  },
  REMOTE_COMMAND_FAILED: {
    kind: 'command-failed',
    action: 'Read the exit code and error output, fix the cause on the host, then retry.',
  },
  UNSAFE_REMOTE_ARGUMENT: {
    kind: 'unsafe-argument',
    action:
      'Correct the named value (package, version, host name or path); nothing was sent to the host.',
  },
};

const INTERNAL_ACTION =
  'This is a fault in PatchDeck: the details are in the log; please report them.';

/** Node's socket error codes that mean the host could not be reached at all. */
const UNREACHABLE_CODES = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

type SshLikeError = Error & { code?: unknown; level?: unknown };

/** Where a connection attempt was going, for error messages and details. */
export type ConnectContext = {
  address: string;
  port: number;
  /** Set when the failure happened on the way through a bastion. */
  via?: string;
  /** True once the SSH handshake completed (a reset after it is not "unreachable"). */
  handshakeDone?: boolean;
};

/**
 * Turns an error from a connection attempt (socket or SSH protocol) into the AppError the
 * operator sees. AppErrors pass through unchanged; anything unrecognised stays a bug.
 */
export function connectFailure(error: unknown, context: ConnectContext): Error {
  if (error instanceof AppError) return error;
  if (!(error instanceof Error))
    return new Error(`Unexpected connection failure: ${String(error)}`);
  const e = error as SshLikeError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const level = typeof e.level === 'string' ? e.level : undefined;
  const where = `${context.address}:${context.port}${context.via ? ` (through ${context.via})` : ''}`;
  const details = {
    address: context.address,
    port: context.port,
    ...(context.via ? { via: context.via } : {}),
    reason: e.message,
  };
  const make = (errorCode: ErrorCode, message: string) =>
    new AppError(errorCode, message, details, { cause: error });

  if (code === 'ECONNREFUSED' || /connection refused/i.test(e.message)) {
    return make(
      'HOST_CONNECTION_REFUSED',
      `${where} refused the connection: nothing accepts SSH connections on that port. Check that sshd is running there.`,
    );
  }
  if (level === 'client-authentication' || /authentication methods failed/i.test(e.message)) {
    return make(
      'HOST_AUTH_REFUSED',
      `${where} did not accept the credentials for this host. Check the user name and the key or password.`,
    );
  }
  if (level === 'client-timeout' || /timed out/i.test(e.message)) {
    return make(
      'HOST_UNREACHABLE',
      `${where} did not complete the SSH handshake in time. Check that the host is up and reachable.`,
    );
  }
  if (level === 'handshake' || /handshake failed|no matching/i.test(e.message)) {
    return make(
      'HOST_CONNECTION_REFUSED',
      `${where} offers no acceptable algorithm (PatchDeck refuses ssh-dss, SHA-1 RSA signatures, SHA-1 key exchange, CBC ciphers and hmac-sha1): ${e.message}. Update the host's SSH configuration.`,
    );
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code) && !context.handshakeDone) {
    return make(
      'HOST_UNREACHABLE',
      `${where} could not be reached (${code}). Check the network path to it.`,
    );
  }
  if (/administratively prohibited|open failed|channel open failure/i.test(e.message)) {
    return make(
      'HOST_UNREACHABLE',
      `${where} could not be reached from the bastion: ${e.message}. Check that the bastion allows forwarding to it.`,
    );
  }
  if (
    level === 'protocol' ||
    level === 'client-socket' ||
    /connection lost|socket/i.test(e.message)
  ) {
    return make('HOST_UNREACHABLE', `The connection to ${where} was lost: ${e.message}.`);
  }
  return error;
}

/**
 * Classifies any failure of remote work into a kind, its error code, a message and the next step
 * for the operator. Raw socket and SSH errors are recognised too; anything else is `internal`.
 */
export function classifyRemoteFailure(error: unknown): RemoteFailure {
  let appError: AppError | undefined = error instanceof AppError ? error : undefined;
  if (!appError && error instanceof Error) {
    const context = readContext(error);
    const converted = connectFailure(error, context);
    if (converted instanceof AppError) appError = converted;
  }
  if (appError) {
    const known = BY_CODE[appError.code];
    if (known)
      return {
        kind: known.kind,
        code: appError.code,
        message: appError.message,
        action: known.action,
      };
  }
  return {
    kind: 'internal',
    code: 'INTERNAL_ERROR',
    message: error instanceof Error ? error.message : String(error),
    action: INTERNAL_ACTION,
  };
}

function readContext(error: Error): ConnectContext {
  const e = error as Error & { address?: unknown; port?: unknown };
  return {
    address: typeof e.address === 'string' ? e.address : 'the host',
    port: typeof e.port === 'number' ? e.port : 22,
  };
}
