// Scanning N lab hosts at the same concurrency: PatchDeck (`scans.start` through the core) against
// a plain OpenSSH fan-out of `dpkg-query -W` and against Ansible's `package_facts`. Every run of
// every contender must return, for every host, exactly the package list `dpkg-query -W` prints
// inside that host, so they are compared on equal work.
//
// Run (as root; the lab mounts overlays and starts sshd in namespaces):
//   npm run bench:scan -- [--hosts 20] [--concurrency 10,20] [--runs 5] [--warmup 1]
//                         [--only <keys of CONTENDERS, comma-separated>] [--profile]
//                         [--settle-wait <seconds to wait for this machine's dpkg to settle>]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { startLab, type Lab } from '../tests/lab/lab';

import { ansibleArgs, ansiblePackageFacts, TARGET_PYTHON } from './scan/ansible-package-facts';
import {
  parseDpkgQueryW,
  summarise,
  type BenchHost,
  type Contender,
  type PackageLists,
  type RunContext,
} from './scan/common';
import { freezeHostsDpkg, settledStatusCopy } from './scan/dpkg-snapshot';
import {
  fanOutCommand,
  hostKeyOptions,
  openSshFanOut,
  PATCHDECK_ALGORITHMS,
} from './scan/openssh-fanout';
import {
  clearPhaseTimes,
  emptyPhaseTimes,
  patchDeckScan,
  type PhaseTimes,
} from './scan/patchdeck-scan';
import { remoteLayer } from './scan/remote-layer';

const CONTENDERS = {
  openssh: () => openSshFanOut({ algorithms: 'default' }),
  'openssh-same-algorithms': () => openSshFanOut({ algorithms: 'patchdeck' }),
  patchdeck: (phases?: PhaseTimes) =>
    patchDeckScan({ sudo: 'none', ...(phases ? { phases } : {}) }),
  'patchdeck-sudo': () => patchDeckScan({ sudo: 'nopasswd' }),
  ansible: () => ansiblePackageFacts({ pipelining: false }),
  'ansible-pipelining': () => ansiblePackageFacts({ pipelining: true }),
  'remote-dpkg': () => remoteLayer('dpkg-query'),
  'remote-facts': () => remoteLayer('facts'),
  'remote-facts-family': () => remoteLayer('facts-known-family'),
} as const;

type ContenderKey = keyof typeof CONTENDERS;

const DEFAULT_ONLY: ContenderKey[] = ['openssh', 'openssh-same-algorithms', 'patchdeck', 'ansible'];
const PROFILE_EXTRA: ContenderKey[] = [
  'patchdeck-sudo',
  'remote-dpkg',
  'remote-facts',
  'remote-facts-family',
];

function options() {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '10,20' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'settle-wait': { type: 'string', default: '900' },
    },
  });
  const int = (text: string, name: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number.`);
    return n;
  };
  const only = (values.only?.split(',') ?? DEFAULT_ONLY).map((k) => k.trim());
  for (const key of only) {
    if (!Object.hasOwn(CONTENDERS, key)) {
      throw new Error(
        `Unknown contender ${key}; choose from ${Object.keys(CONTENDERS).join(', ')}.`,
      );
    }
  }
  const keys = [
    ...new Set([...(only as ContenderKey[]), ...(values.profile ? PROFILE_EXTRA : [])]),
  ];
  return {
    hosts: int(values.hosts, 'hosts'),
    concurrency: values.concurrency.split(',').map((c) => int(c, 'concurrency')),
    runs: int(values.runs, 'runs'),
    warmup: int(values.warmup, 'warmup'),
    keys,
    profile: values.profile,
    settleWaitMs: int(values['settle-wait'], 'settle-wait') * 1000,
  };
}

function firstLine(command: string, args: string[]): string {
  try {
    const out = execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out.split('\n')[0]!.trim();
  } catch (error) {
    // `ssh -V` prints to stderr.
    const stderr = (error as { stderr?: string }).stderr;
    return stderr?.split('\n')[0]?.trim() ?? String(error);
  }
}

function sshVersion(): string {
  const out = execFileSync('ssh', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trim() || firstLine('sh', ['-c', 'ssh -V 2>&1']);
}

/** What `dpkg-query -W` prints inside each host, read through the lab (not over SSH). */
async function referenceLists(lab: Lab): Promise<PackageLists> {
  const lists: PackageLists = new Map();
  for (const host of lab.hosts) {
    const result = await lab.exec(host, 'dpkg-query -W');
    if (result.code !== 0)
      throw new Error(`dpkg-query -W failed in ${host.name}: ${result.stderr}`);
    lists.set(host.name, parseDpkgQueryW(result.stdout));
  }
  return lists;
}

async function checkTargetPython(lab: Lab): Promise<string> {
  const found = new Set<string>();
  for (const host of lab.hosts) {
    const result = await lab.exec(
      host,
      `${TARGET_PYTHON} -c 'import apt, sys; print(sys.version.split()[0], "with python3-apt", apt.apt_pkg.VERSION)'`,
    );
    if (result.code !== 0) {
      throw new Error(
        `${host.name} has no ${TARGET_PYTHON} with the apt module (Ansible's package_facts needs both): ${result.stderr.trim()}. Install python3 and python3-apt on this machine (the hosts share its /usr).`,
      );
    }
    found.add(`${TARGET_PYTHON} ${result.stdout.trim()}`);
  }
  return [...found].join('; ');
}

/**
 * The same package sets per host as the reference, or a short description of the difference.
 * With `emptyHosts`, hosts reported with no packages at all are listed there instead.
 */
function compare(
  reference: PackageLists,
  got: PackageLists,
  emptyHosts?: string[],
): string | undefined {
  for (const [host, want] of reference) {
    const have = got.get(host);
    if (!have) return `${host}: no result`;
    if (have.size === 0 && emptyHosts) {
      emptyHosts.push(host);
      continue;
    }
    const missing = [...want].filter((p) => !have.has(p));
    const extra = [...have].filter((p) => !want.has(p));
    if (missing.length > 0 || extra.length > 0) {
      return `${host}: ${have.size} packages vs ${want.size} in dpkg-query -W; missing ${missing.slice(0, 5).join(', ')}; extra ${extra.slice(0, 5).join(', ')}`;
    }
  }
  if (got.size !== reference.size)
    return `${got.size} hosts in the result, ${reference.size} scanned`;
  return undefined;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** A word as a POSIX shell needs it written. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

async function main(): Promise<void> {
  const opts = options();
  if (process.getuid?.() !== 0) throw new Error('The scan benchmark needs root (for the lab).');
  const out: string[] = [];
  const print = (line = '') => {
    out.push(line);
    process.stdout.write(`${line}\n`);
  };

  const snapshot = await settledStatusCopy(opts.settleWaitMs, (line) =>
    process.stderr.write(`${line}\n`),
  );
  const contenders = new Map<ContenderKey, Contender>();
  const phases: PhaseTimes = emptyPhaseTimes();
  let lab: Lab | undefined;
  try {
    lab = await startLab({ hosts: opts.hosts });
    await freezeHostsDpkg(lab, snapshot.file);
    const python = await checkTargetPython(lab);
    const reference = await referenceLists(lab);
    const hosts: BenchHost[] = lab.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      port: h.port,
      keyPath: h.userKeyPath,
    }));
    const counts = [...new Set([...reference.values()].map((s) => s.size))];

    print(`# Scan benchmark, ${new Date().toISOString()}`);
    print();
    print(
      `- Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    print(`- OpenSSH: ${sshVersion()}`);
    print(`- Ansible: ${firstLine('ansible', ['--version'])}; python in the hosts: ${python}`);
    print(`- Node: ${process.version}`);
    print(
      `- Hosts: ${hosts.length} lab hosts (${hosts[0]?.address} to ${hosts[hosts.length - 1]?.address}), user patchsvc, ed25519 key, host keys checked against the lab's known_hosts`,
    );
    print(
      `- Packages per host (dpkg-query -W inside the host): ${counts.join(', ')}; each host's dpkg status frozen for the benchmark (a settled copy of this machine's, bind-mounted in the host)`,
    );
    print(
      `- Runs: ${opts.warmup} warm-up + ${opts.runs} measured per contender and concurrency, contenders interleaved (order rotated each round)`,
    );
    const fanOut = fanOutCommand({
      concurrency: 'C',
      keyPath: 'KEY',
      knownHostsFile: 'KNOWN_HOSTS',
      user: 'patchsvc',
      addressFile: 'ADDRESSES',
      outDir: 'OUT',
    });
    print(`- OpenSSH fan-out: \`xargs ${fanOut.map(shellWord).join(' ')}\``);
    print(
      `- OpenSSH fan-out with PatchDeck's algorithms: the same ssh with \`${PATCHDECK_ALGORITHMS.join(' ')}\``,
    );
    print(
      `- Ansible: \`ansible ${ansibleArgs('INVENTORY', 'C').join(' ')}\` (inventory: ansible_host, ansible_user, ansible_ssh_private_key_file per host; ansible_ssh_common_args='${['-F', '/dev/null', ...hostKeyOptions('KNOWN_HOSTS')].join(' ')}'; ansible_python_interpreter=${TARGET_PYTHON}; ANSIBLE_HOST_KEY_CHECKING=True; a fresh ControlPath folder per run)`,
    );
    print();

    for (const key of opts.keys) {
      contenders.set(
        key,
        key === 'patchdeck' && opts.profile ? CONTENDERS.patchdeck(phases) : CONTENDERS[key](),
      );
    }

    for (const concurrency of opts.concurrency) {
      const ctx: RunContext = {
        hosts,
        concurrency,
        knownHostsFile: lab.knownHostsFile(),
        user: 'patchsvc',
      };
      const samples = new Map<ContenderKey, number[]>(opts.keys.map((k) => [k, []]));
      const rounds = opts.warmup + opts.runs;
      const firstRun = new Map<ContenderKey, number>();
      const emptyResults = new Map<ContenderKey, { runs: number; hosts: number }>();
      clearPhaseTimes(phases);
      for (let round = 0; round < rounds; round += 1) {
        const order = opts.keys.map((_, i) => opts.keys[(i + round) % opts.keys.length]!);
        for (const key of order) {
          const contender = contenders.get(key)!;
          const outcome = await contender.run(ctx);
          const empty: string[] = [];
          const difference = compare(
            reference,
            await outcome.read(),
            contender.countsEmptyResults ? empty : undefined,
          );
          if (empty.length > 0) {
            const seen = emptyResults.get(key) ?? { runs: 0, hosts: 0 };
            emptyResults.set(key, { runs: seen.runs + 1, hosts: seen.hosts + empty.length });
            process.stderr.write(`${key}: no packages reported for ${empty.join(', ')}\n`);
          }
          if (difference !== undefined) {
            throw new Error(`${contender.label} did not return the same packages: ${difference}`);
          }
          const warm = round < opts.warmup;
          if (!warm) samples.get(key)!.push(outcome.ms);
          if (round === 0) firstRun.set(key, outcome.ms);
          process.stderr.write(
            `C=${concurrency} round ${round + 1}/${rounds}${warm ? ' (warm-up)' : ''} ${key}: ${seconds(outcome.ms)} s\n`,
          );
          if (warm && key === 'patchdeck') {
            clearPhaseTimes(phases);
          }
        }
      }

      const baseline = samples.get('openssh');
      const baseMedian = baseline && baseline.length > 0 ? summarise(baseline).median : undefined;
      print(`## ${hosts.length} hosts, concurrency ${concurrency}`);
      print();
      print(
        '| Contender | Median wall time | Min / max | Hosts per second | vs OpenSSH | Warm-up run |',
      );
      print('| --- | ---: | ---: | ---: | ---: | ---: |');
      for (const key of opts.keys) {
        const s = summarise(samples.get(key)!);
        const ratio = baseMedian === undefined ? '' : `${(s.median / baseMedian).toFixed(2)}x`;
        print(
          `| ${contenders.get(key)!.label} | ${seconds(s.median)} s | ${seconds(s.min)} / ${seconds(s.max)} s | ${(hosts.length / (s.median / 1000)).toFixed(1)} | ${ratio} | ${opts.warmup > 0 ? `${seconds(firstRun.get(key)!)} s` : ''} |`,
        );
      }
      print();
      for (const [key, empty] of emptyResults) {
        print(
          `${contenders.get(key)!.label}: in ${empty.runs} of ${rounds} runs it reported SUCCESS with an empty package list for some hosts (${empty.hosts} host results in all); every other host's list was exact.`,
        );
        print();
      }
      if (opts.profile && phases.connectMs.length > 0) {
        const f = (xs: number[]) => {
          const s = summarise(xs);
          return `median ${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;
        };
        print(
          `PatchDeck per host (measured runs, n=${phases.connectMs.length}): waiting for a slot ${f(phases.queuedMs)}; connecting ${f(phases.connectMs)}; collecting + recording ${f(phases.collectMs)}`,
        );
        print();
        const total = phases.transactionMs.reduce((a, b) => a + b, 0);
        print(
          `PatchDeck workspace transactions (measured runs, n=${phases.transactionMs.length}): ${f(phases.transactionMs)}, ${(total / opts.runs).toFixed(0)} ms per run on the event loop (longest: ${[
            ...phases.transactionMs,
          ]
            .sort((a, b) => b - a)
            .slice(0, 5)
            .map((ms) => ms.toFixed(0))
            .join(
              ', ',
            )} ms); event-loop delay per run: p99 ${f(phases.loopDelayP99Ms)}, max ${f(phases.loopDelayMaxMs)}`,
        );
        print();
      }
    }
    print(
      `Apart from the empty lists noted above, every run of every contender returned, for every host, exactly the name=version set of dpkg-query -W inside that host. Load average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}.`,
    );
  } finally {
    for (const contender of contenders.values()) await contender.close?.();
    await lab?.stop();
    rmSync(snapshot.dir, { recursive: true, force: true });
  }
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `scan-hosts-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, `${out.join('\n')}\n`);
  process.stderr.write(`Results written to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
