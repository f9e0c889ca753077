// The plain OpenSSH baseline: `xargs -P C` running one `ssh ... dpkg-query -W` per host, each
// host's output captured to its own file.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { parseDpkgQueryW, runProgram, type Contender, type PackageLists } from './common';

/** Host keys checked against one known_hosts file, never a prompt (also given to Ansible). */
export function hostKeyOptions(knownHostsFile: string): string[] {
  return [
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
  ];
}

/**
 * The key exchange and cipher PatchDeck's SSH client (ssh2) negotiates with these hosts: the
 * first of its offers that sshd supports. OpenSSH 9.2 would pick the post-quantum hybrid
 * `sntrup761x25519-sha512@openssh.com` and `chacha20-poly1305@openssh.com`, which ssh2 lacks.
 */
export const PATCHDECK_ALGORITHMS = [
  '-o',
  'KexAlgorithms=curve25519-sha256',
  '-o',
  'Ciphers=aes128-gcm@openssh.com',
];

/** The ssh options of the fan-out: no ssh_config, the given key, {@link hostKeyOptions}. */
export function sshOptions(
  keyPath: string,
  knownHostsFile: string,
  extra: readonly string[] = [],
): string[] {
  return ['-F', '/dev/null', '-i', keyPath, ...hostKeyOptions(knownHostsFile), ...extra];
}

/**
 * The xargs command line for one run: reads addresses from `addressFile`, writes
 * `<outDir>/<address>.txt` per host. The small `sh -c` wrapper exists only for the redirection
 * (it `exec`s ssh, so no shell stays around).
 */
export function fanOutCommand(options: {
  concurrency: number | 'C';
  keyPath: string;
  knownHostsFile: string;
  user: string;
  addressFile: string;
  outDir: string;
  extraOptions?: readonly string[];
}): string[] {
  const ssh = [
    'ssh',
    ...sshOptions(options.keyPath, options.knownHostsFile, options.extraOptions),
  ].join(' ');
  return [
    '-a',
    options.addressFile,
    '-P',
    String(options.concurrency),
    '-I',
    '{}',
    'sh',
    '-c',
    `exec ${ssh} "${options.user}@$1" dpkg-query -W > "$2/$1.txt"`,
    'sh',
    '{}',
    options.outDir,
  ];
}

/**
 * The OpenSSH fan-out as a contender; every host must use the same key (the lab's patchsvc key).
 * `algorithms: 'patchdeck'` makes ssh use the key exchange and cipher PatchDeck's client uses.
 */
export function openSshFanOut(options: { algorithms: 'default' | 'patchdeck' }): Contender {
  const dir = mkdtempSync(join(tmpdir(), 'patchdeck-bench-ssh-'));
  let runs = 0;
  return {
    label:
      options.algorithms === 'default'
        ? 'OpenSSH fan-out (`xargs -P C ssh … dpkg-query -W`)'
        : "OpenSSH fan-out with PatchDeck's key exchange and cipher",
    async run(ctx) {
      const keys = new Set(ctx.hosts.map((h) => h.keyPath));
      const keyPath = ctx.hosts[0]?.keyPath;
      if (keys.size !== 1 || keyPath === undefined) {
        throw new Error('The OpenSSH fan-out expects one key for every host.');
      }
      if (ctx.hosts.some((h) => h.port !== 22)) {
        throw new Error('The OpenSSH fan-out expects every host on port 22.');
      }
      runs += 1;
      const outDir = join(dir, `run-${runs}`);
      mkdirSync(outDir);
      const addressFile = join(dir, 'addresses');
      writeFileSync(addressFile, `${ctx.hosts.map((h) => h.address).join('\n')}\n`);
      const t0 = performance.now();
      const result = await runProgram(
        'xargs',
        fanOutCommand({
          concurrency: ctx.concurrency,
          keyPath,
          knownHostsFile: ctx.knownHostsFile,
          user: ctx.user,
          addressFile,
          outDir,
          ...(options.algorithms === 'patchdeck' ? { extraOptions: PATCHDECK_ALGORITHMS } : {}),
        }),
      );
      const ms = performance.now() - t0;
      if (result.code !== 0) {
        throw new Error(
          `The OpenSSH fan-out failed (xargs exit ${result.code ?? result.signal}): ${result.stderr.trim()}`,
        );
      }
      return {
        ms,
        read: () => {
          const lists: PackageLists = new Map();
          for (const host of ctx.hosts) {
            const file = join(outDir, `${host.address}.txt`);
            lists.set(host.name, parseDpkgQueryW(readFileSync(file, 'utf8')));
          }
          rmSync(outDir, { recursive: true, force: true });
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
