import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** What a finished command left behind. */
export type CommandResult = { code: number; stdout: string; stderr: string };

/** Runs a program without a shell; resolves when it exits, whatever its exit code. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a program and throws with its output when it exits non-zero. */
export async function runChecked(
  file: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const result = await runCommand(file, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result;
}

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in field 2 may contain spaces; fields after it are split from its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** True when the process exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The process's command line with NUL separators turned into spaces, or undefined. */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** The direct children of a process, from /proc/<pid>/task/<pid>/children. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((field) => field !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Sends SIGKILL, ignoring a process that is already gone. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `intervalMs` until it returns true; throws `message` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  message: () => string,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(message());
    await sleep(intervalMs);
  }
}

/** What a TCP probe of an SSH port found. */
export type PortState = 'ssh' | 'refused' | 'other';

/**
 * Connects to `address:port` and reads the first bytes: 'ssh' when an SSH server sent its
 * identification string, 'refused' when nothing listens, 'other' for anything else (timeout,
 * a listener that is not SSH, a reset).
 */
export function probeSshPort(address: string, port: number, timeoutMs = 1000): Promise<PortState> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let seen = '';
    const finish = (state: PortState): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => finish('other'), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.startsWith('SSH-')) finish('ssh');
      else if (seen.length >= 4) finish('other');
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ECONNREFUSED' ? 'refused' : 'other'),
    );
    socket.on('end', () => finish('other'));
  });
}
