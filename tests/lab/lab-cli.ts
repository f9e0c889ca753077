/**
 * Starts or stops a lab from the command line, for benchmarks and manual use (as root):
 *
 *   npx tsx tests/lab/lab-cli.ts start 20 [--first 11]   # runs until SIGTERM/SIGINT
 *   npx tsx tests/lab/lab-cli.ts stop
 *
 * `start` writes the lab's addresses, key paths and known_hosts file to {@link LAB_CLI_STATE}
 * once every host answers SSH, and removes it when it stops.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { LAB_KEY_PASSPHRASE, startLab, type LabHost } from './lab';
import { LAB_ROOT } from './lab-state';
import { isRunning, sleep } from './processes';

/** Where `start` writes the running lab's state. */
export const LAB_CLI_STATE = join(LAB_ROOT, 'lab-cli.json');

/** What {@link LAB_CLI_STATE} holds. */
export type LabCliState = {
  pid: number;
  startedAt: string;
  startupMs: number;
  knownHostsFile: string;
  keyPassphrase: string;
  hosts: Omit<LabHost, 'options'>[];
};

async function start(count: number, firstAddress: number | undefined): Promise<void> {
  const begun = Date.now();
  const lab = await startLab(
    firstAddress === undefined ? { hosts: count } : { hosts: count, firstAddress },
  );
  const state: LabCliState = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    startupMs: Date.now() - begun,
    knownHostsFile: lab.knownHostsFile(),
    keyPassphrase: LAB_KEY_PASSPHRASE,
    hosts: lab.hosts.map(({ options: _options, ...host }) => host),
  };
  writeFileSync(LAB_CLI_STATE, `${JSON.stringify(state, null, 2)}\n`);
  process.stdout.write(
    `${count} lab hosts up in ${state.startupMs} ms (${lab.hosts[0]?.address} ...); state in ${LAB_CLI_STATE}\n`,
  );
  const shutdown = (): void => {
    void lab.stop().then(() => {
      rmSync(LAB_CLI_STATE, { force: true });
      process.exit(0);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // Keep the process (and with it the lab's owner record) alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

async function stop(): Promise<void> {
  if (!existsSync(LAB_CLI_STATE)) {
    process.stdout.write('No lab started by lab-cli is running.\n');
    return;
  }
  const state = JSON.parse(readFileSync(LAB_CLI_STATE, 'utf8')) as LabCliState;
  if (isRunning(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (isRunning(state.pid)) {
      if (Date.now() > deadline) throw new Error(`lab-cli ${state.pid} did not stop in 30 s.`);
      await sleep(50);
    }
  }
  rmSync(LAB_CLI_STATE, { force: true });
  process.stdout.write(`Lab of process ${state.pid} stopped.\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, countText, flag, flagValue] = argv;
  if (command === 'start') {
    const count = Number(countText ?? '10');
    if (!Number.isInteger(count) || count < 1) throw new Error('Usage: start <host count>');
    if (existsSync(LAB_CLI_STATE)) {
      const running = JSON.parse(readFileSync(LAB_CLI_STATE, 'utf8')) as LabCliState;
      if (isRunning(running.pid)) {
        throw new Error(`lab-cli ${running.pid} already runs a lab; stop it first.`);
      }
    }
    await start(count, flag === '--first' ? Number(flagValue) : undefined);
  } else if (command === 'stop') {
    await stop();
  } else {
    throw new Error('Usage: lab-cli.ts start <host count> [--first <last octet>] | stop');
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
