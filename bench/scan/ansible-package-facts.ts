// The Ansible baseline: `ansible all -i inventory -m package_facts -f C -o`, host keys checked
// against the lab's known_hosts, everything Ansible writes kept under one temp folder.
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import {
  runProgram,
  runProgramChecked,
  type BenchHost,
  type Contender,
  type PackageLists,
} from './common';
import { hostKeyOptions } from './openssh-fanout';

/** Ansible's view of one package (package_facts returns a list per name: one per installed arch). */
type AnsiblePackage = { name?: unknown; version?: unknown };

/** The python every lab host has (it shares the machine's /usr through its overlay). */
export const TARGET_PYTHON = '/usr/bin/python3';

/** An INI inventory: one line per host, with its address, user, key; host keys checked. */
export function ansibleInventory(
  hosts: readonly BenchHost[],
  user: string,
  knownHostsFile: string,
): string {
  const common = ['-F', '/dev/null', ...hostKeyOptions(knownHostsFile)].join(' ');
  const lines = ['[lab]'];
  for (const host of hosts) {
    lines.push(
      `${host.name} ansible_host=${host.address} ansible_port=${host.port} ansible_user=${user} ansible_ssh_private_key_file=${host.keyPath}`,
    );
  }
  lines.push(
    '',
    '[lab:vars]',
    `ansible_ssh_common_args='${common}'`,
    `ansible_python_interpreter=${TARGET_PYTHON}`,
    '',
  );
  return lines.join('\n');
}

/** The environment Ansible runs with: its state under `dir`, host key checking on, no colour. */
export function ansibleEnv(
  dir: string,
  controlDir: string,
  pipelining: boolean,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: join(dir, 'home'),
    LANG: 'C.UTF-8',
    ANSIBLE_HOME: join(dir, 'ansible-home'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'local-tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_PIPELINING: pipelining ? 'True' : 'False',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
  };
}

/** `name=version` entries per host from `ansible -o` output lines (`host | SUCCESS => {...}`). */
export function parseAnsibleOneLine(text: string): { lists: PackageLists; failures: string[] } {
  const lists: PackageLists = new Map();
  const failures: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^(\S+) \| (\w+)(?:!)? => (\{.*\})\s*$/.exec(line);
    if (!match || match[2] !== 'SUCCESS') {
      failures.push(line.slice(0, 500));
      continue;
    }
    const [, host, , json] = match as unknown as [string, string, string, string];
    const parsed = JSON.parse(json) as {
      ansible_facts?: { packages?: Record<string, AnsiblePackage[]> };
    };
    const packages = parsed.ansible_facts?.packages;
    if (!packages) {
      failures.push(`${host}: no ansible_facts.packages`);
      continue;
    }
    const entries = new Set<string>();
    for (const [name, versions] of Object.entries(packages)) {
      for (const p of versions) entries.add(`${name}=${String(p.version)}`);
    }
    lists.set(host, entries);
  }
  return { lists, failures };
}

/** The command line of one run (without the program name). */
export function ansibleArgs(inventory: string, concurrency: number | 'C'): string[] {
  return ['all', '-i', inventory, '-m', 'package_facts', '-f', String(concurrency), '-o'];
}

/**
 * Ansible's package_facts as a contender. `pipelining` runs the module through the SSH session's
 * stdin instead of copying it to the host first (fewer round trips; off by default in Ansible).
 */
export function ansiblePackageFacts(options: { pipelining: boolean }): Contender {
  const dir = mkdtempSync(join(tmpdir(), 'patchdeck-bench-ansible-'));
  for (const sub of ['home', 'ansible-home', 'local-tmp']) mkdirSync(join(dir, sub));
  let runs = 0;
  return {
    label: options.pipelining
      ? 'Ansible `package_facts` (pipelining on)'
      : 'Ansible `package_facts` (defaults)',
    countsEmptyResults: true,
    async run(ctx) {
      runs += 1;
      const inventory = join(dir, 'inventory.ini');
      writeFileSync(inventory, ansibleInventory(ctx.hosts, ctx.user, ctx.knownHostsFile));
      // A fresh ControlMaster folder per run: no run reuses another's SSH connections.
      const controlDir = join(dir, `cp-${runs}`);
      mkdirSync(controlDir);
      const outFile = join(dir, `out-${runs}.txt`);
      const fd = openSync(outFile, 'w');
      const env = ansibleEnv(dir, controlDir, options.pipelining);
      let ms: number;
      let result;
      try {
        const t0 = performance.now();
        result = await runProgram('ansible', ansibleArgs(inventory, ctx.concurrency), {
          env,
          stdoutFd: fd,
          cwd: dir,
        });
        ms = performance.now() - t0;
      } finally {
        closeSync(fd);
        await closeControlMasters(controlDir);
      }
      if (result.code !== 0) {
        throw new Error(
          `ansible exited with ${result.code ?? result.signal}: ${result.stderr.trim().slice(-2000)}\n${readFileSync(outFile, 'utf8').slice(0, 2000)}`,
        );
      }
      return {
        ms,
        read: () => {
          const { lists, failures } = parseAnsibleOneLine(readFileSync(outFile, 'utf8'));
          rmSync(outFile, { force: true });
          if (failures.length > 0) {
            throw new Error(`Ansible did not scan every host:\n${failures.join('\n')}`);
          }
          return Promise.resolve(lists);
        },
      };
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/**
 * Ends the ControlPersist masters Ansible left behind (they would otherwise linger for 60 s,
 * holding a session on every host while the next contender runs).
 */
async function closeControlMasters(controlDir: string): Promise<void> {
  const sockets = readdirSync(controlDir);
  await Promise.all(
    sockets.map((socket) =>
      runProgramChecked('ssh', [
        '-o',
        `ControlPath=${join(controlDir, socket)}`,
        '-O',
        'exit',
        'lab',
      ]),
    ),
  );
  rmSync(controlDir, { recursive: true, force: true });
}
