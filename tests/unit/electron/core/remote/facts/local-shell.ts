import { execFile } from 'node:child_process';

import type { RemoteCommand } from '../../../../../../electron/core/remote/command';
import type { RemoteSession, RunResult } from '../../../../../../electron/core/remote/session';

/** Runs a command with this machine's /bin/sh, as sshd would run it on a host. */
export function runLocally(command: RemoteCommand | string): Promise<RunResult> {
  const text = typeof command === 'string' ? command : command.text;
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', text],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** A session whose "host" is this machine through its own shell; records what was sent. */
export function localShellSession(): RemoteSession & { sent: string[] } {
  const sent: string[] = [];
  const run = (command: RemoteCommand) => {
    sent.push(command.text);
    return runLocally(command);
  };
  return {
    endpoint: { address: '127.0.0.1', port: 22, username: 'root' },
    isOpen: true,
    sent,
    run,
    runChecked: run,
    close: () => Promise.resolve(),
  };
}
