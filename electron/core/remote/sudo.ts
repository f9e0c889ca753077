import { AppError } from '../../../shared/api/errors';

import { joinCommands, sh, type RemoteCommand } from './command';
import type { SessionEndpoint, SudoMode } from './session';

/**
 * The prompt sudo prints (to stderr, because of `-S`) when it wants the password. PatchDeck writes
 * the password only after seeing it, so a host that needs none never receives it on stdin.
 */
export const SUDO_PROMPT = '[patchdeck-sudo-password]';

/**
 * The first line the command prints to stderr once sudo has let it run as root. Before it,
 * stderr is sudo's own; after it, stderr belongs to the command, and stdin is sent to it.
 */
export const SUDO_READY = '[patchdeck-sudo-ready]';

/**
 * Wraps a command to run as root: `sudo -n -- sh -c <quoted>` when no password is needed,
 * `sudo -S -p <prompt> -- sh -c <quoted>` when the password is to be read from stdin. The
 * password itself is never part of the command.
 */
export function wrapWithSudo(command: RemoteCommand, mode: SudoMode): RemoteCommand {
  const inner = joinCommands(
    [
      sh`printf '%s\n' ${SUDO_READY} >&2`,
      // The command runs in the background of this root shell so that a TERM from PatchDeck (a
      // step timeout) is handled at once and reaches every process the command started; stdin
      // is handed over explicitly (fd 3) because background jobs otherwise read /dev/null.
      sh`exec 3<&0`,
      sh`trap 'trap - TERM HUP INT; kill -TERM 0 2>/dev/null; exit 143' TERM HUP INT`,
      sh`( ${command}
) <&3 3<&- &`,
      sh`wait $!`,
    ],
    '\n',
  ).text;
  return mode.kind === 'nopasswd'
    ? sh`sudo -n -- sh -c ${inner}`
    : sh`sudo -S -p ${SUDO_PROMPT} -- sh -c ${inner}`;
}

/** What the session must do after a chunk of stderr from a sudo-wrapped command. */
export type SudoStep = {
  /** Text to write to the command's stdin now (the password line). */
  write?: string;
  /** True once: the command runs as root; send the caller's stdin now and close it. */
  ready?: boolean;
  /** True once: sudo asked again after the password (wrong password); close stdin. */
  giveUp?: boolean;
  /** The command's own stderr, with PatchDeck's markers removed. */
  output: string;
};

/**
 * Follows sudo's side of a wrapped command on stderr: answers the first password prompt, notices
 * a second one (the password was wrong), and finds the ready marker. Holds text that may be the
 * start of a marker until the next chunk.
 */
export class SudoExchange {
  #buffer = '';
  #prompts = 0;
  #ready = false;
  #preamble = '';

  constructor(private readonly mode: SudoMode) {}

  /** True once the command was started by sudo. */
  get isReady(): boolean {
    return this.#ready;
  }

  /** Everything sudo itself printed before the command started (markers removed). */
  get sudoOutput(): string {
    return this.#preamble + (this.#ready ? '' : this.#buffer);
  }

  /** True when sudo prompted more than once: the password was not accepted. */
  get passwordRejected(): boolean {
    return this.#prompts > 1;
  }

  /** Feeds one decoded stderr chunk. */
  push(chunk: string): SudoStep {
    if (this.#ready) return { output: chunk };
    this.#buffer += chunk;
    const step: SudoStep = { output: '' };
    for (;;) {
      const promptAt = this.#buffer.indexOf(SUDO_PROMPT);
      const readyAt = this.#buffer.indexOf(`${SUDO_READY}\n`);
      if (readyAt !== -1 && (promptAt === -1 || readyAt < promptAt)) {
        this.#preamble += this.#buffer.slice(0, readyAt);
        step.output += this.#buffer.slice(readyAt + SUDO_READY.length + 1);
        this.#buffer = '';
        this.#ready = true;
        step.ready = true;
        return step;
      }
      if (promptAt === -1) break;
      this.#preamble += this.#buffer.slice(0, promptAt);
      this.#buffer = this.#buffer.slice(promptAt + SUDO_PROMPT.length);
      this.#prompts += 1;
      if (this.#prompts === 1 && this.mode.kind === 'password') {
        step.write = `${this.mode.password}\n`;
      } else {
        step.giveUp = true;
      }
    }
    // Keep only a tail that could still become a marker; the rest is sudo's own text.
    const keep = Math.max(SUDO_PROMPT.length, SUDO_READY.length + 1) - 1;
    if (this.#buffer.length > keep) {
      this.#preamble += this.#buffer.slice(0, this.#buffer.length - keep);
      this.#buffer = this.#buffer.slice(-keep);
    }
    return step;
  }
}

/**
 * The error for a sudo-wrapped command that ended before sudo started it, from what sudo printed:
 * `SUDO_PASSWORD_REQUIRED` when `sudo -n` needed a password, `SUDO_REFUSED` when the account may
 * not run it or the stored password was not accepted. Undefined when the command did start.
 */
export function sudoFailure(
  exchange: SudoExchange,
  mode: SudoMode,
  endpoint: SessionEndpoint,
): AppError | undefined {
  if (exchange.isReady) return undefined;
  const said = exchange.sudoOutput.trim();
  const details = {
    address: endpoint.address,
    port: endpoint.port,
    user: endpoint.username,
    sudo: said,
  };
  const who = `${endpoint.username}@${endpoint.address}`;
  if (
    /a password is required/i.test(said) ||
    (mode.kind === 'nopasswd' && /password/i.test(said))
  ) {
    return new AppError(
      'SUDO_PASSWORD_REQUIRED',
      `sudo on ${endpoint.address} asks ${endpoint.username} for a password, and PatchDeck was told it needs none. Store the sudo password for this host, or add a NOPASSWD sudoers rule.`,
      details,
    );
  }
  if (
    exchange.passwordRejected ||
    /incorrect password|sorry, try again|no password was provided/i.test(said)
  ) {
    return new AppError(
      'SUDO_REFUSED',
      `sudo on ${endpoint.address} did not accept the stored sudo password for ${endpoint.username}. Update the stored password for this host and retry.`,
      details,
    );
  }
  if (/not in the sudoers|not allowed to (run|execute)|may not run sudo/i.test(said)) {
    return new AppError(
      'SUDO_REFUSED',
      `sudo on ${endpoint.address} refused to run commands as root for ${who}. Check the sudoers rules for this account.`,
      details,
    );
  }
  return new AppError(
    'SUDO_REFUSED',
    `sudo on ${endpoint.address} did not start the command for ${who}${said ? `: ${said.split('\n').slice(-2).join(' ')}` : ''}. Check that sudo is installed and the sudoers rules for this account.`,
    details,
  );
}
