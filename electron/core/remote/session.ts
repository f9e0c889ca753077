import { AppError } from '../../../shared/api/errors';

import type { RemoteCommand } from './command';

/**
 * How a command gains root on the host: `nopasswd` uses `sudo -n` (fails at once if a password
 * is needed); `password` uses `sudo -S` with the password written to the command's stdin.
 */
export type SudoMode = { kind: 'nopasswd' } | { kind: 'password'; password: string };

/** Options for one remote command. */
export type RunOptions = {
  /** Text written to the command's stdin, which is then closed. */
  stdin?: string;
  /** Closes the channel and throws `REMOTE_TIMEOUT` when the command runs longer than this. */
  timeoutMs?: number;
  /** Run the command as root through sudo. */
  sudo?: SudoMode;
};

/** What a remote command produced. `code` is null when it ended by a signal. */
export type RunResult = {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
};

/** Where a session is connected. */
export type SessionEndpoint = { address: string; port: number; username: string };

/** An open SSH connection to one host, whose key was checked against the pinned one. */
export interface RemoteSession {
  /** The host this session talks to. */
  readonly endpoint: SessionEndpoint;
  /** False once the connection has been closed (by us, the host or the network). */
  readonly isOpen: boolean;
  /**
   * Runs one command. A non-zero exit code is returned, not thrown: callers must check `code`,
   * or use {@link RemoteSession.runChecked}.
   */
  run(command: RemoteCommand, options?: RunOptions): Promise<RunResult>;
  /** Runs one command and throws `REMOTE_COMMAND_FAILED` unless it exited with code 0. */
  runChecked(command: RemoteCommand, options?: RunOptions): Promise<RunResult>;
  /** Closes the connection (and the bastion connection, if any). Safe to call twice. */
  close(): Promise<void>;
}

/** The last lines of a command's stderr, for error messages. */
export function lastLines(text: string, count = 5): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/**
 * Throws `REMOTE_COMMAND_FAILED` with the exit code (or signal) and the last stderr lines unless
 * the command exited with code 0; an exit code of 1 with empty stderr is a failure too.
 */
export function ensureSucceeded(
  result: RunResult,
  command: RemoteCommand,
  endpoint: SessionEndpoint,
): RunResult {
  if (result.code === 0) return result;
  const tail = lastLines(result.stderr);
  const how =
    result.code === null
      ? `was ended by signal ${result.signal ?? 'unknown'}`
      : `exited with code ${result.code}`;
  throw new AppError(
    'REMOTE_COMMAND_FAILED',
    `A command on ${endpoint.address} ${how}${tail ? `: ${tail}` : ' without an error message'}. Check the host, then retry.`,
    {
      address: endpoint.address,
      port: endpoint.port,
      exitCode: result.code,
      signal: result.signal,
      stderrTail: tail,
      command: firstLine(command.text),
    },
  );
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
