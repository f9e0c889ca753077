import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import {
  bootScript,
  diskHolderScript,
  hostKeyScript,
  impostorConfig,
  initScript,
  provisionScript,
  ROCKY_OS_RELEASE,
  SETUP_IN_HOST,
  sshdConfig,
  startSshdScript,
  type HostPaths,
} from './host-scripts';
import { createRunDir, type RunDir } from './lab-state';
import {
  childPids,
  isRunning,
  killQuietly,
  probeSshPort,
  processCommandLine,
  runChecked,
  runCommand,
  sleep,
  waitFor,
  type CommandResult,
} from './processes';
import { buildLabRpm, LAB_RPM_BASELINE } from './rpm-packages';

/** Per-host options: a sudo that asks for the password, a tiny disk, an RPM-family host. */
export type LabHostOptions = { sudoNeedsPassword?: boolean; tinyDiskMiB?: number; rpm?: boolean };

/** One SSH host of the lab and how to reach it. */
export type LabHost = {
  /** Host name, `lab-01` and up. */
  name: string;
  /** Its own loopback address, `127.0.0.11` and up. */
  address: string;
  port: number;
  /** Private key (OpenSSH ed25519, no passphrase) authorized for root. */
  rootKeyPath: string;
  /** Private key (OpenSSH ed25519, no passphrase) authorized for patchsvc. */
  userKeyPath: string;
  /** Another key authorized for patchsvc, protected with {@link LAB_KEY_PASSPHRASE}. */
  encryptedUserKeyPath: string;
  user: 'patchsvc';
  /** patchsvc's password, which is also its sudo password. */
  userPassword: string;
  /** The host keys sshd presents now; fingerprints as OpenSSH prints them (`SHA256:...`). */
  hostKeys: { type: string; fingerprint: string; publicKey: string }[];
  options: LabHostOptions;
};

/** The passphrase of every lab host's {@link LabHost.encryptedUserKeyPath}. */
export const LAB_KEY_PASSPHRASE = 'lab-key-passphrase-7Wq2';

/** A running lab: its hosts and the faults it can cause on them. */
export type Lab = {
  hosts: LabHost[];
  /** Runs a command inside the host (via nsenter into its namespaces + chroot), as root; resolves with code/stdout/stderr. */
  exec(host: LabHost, command: string): Promise<CommandResult>;
  /** Stops the host's sshd; the host stays up and its address refuses connections. */
  stopSshd(host: LabHost): Promise<void>;
  /** Starts the host's sshd again; resolves when it answers. */
  startSshd(host: LabHost): Promise<void>;
  /** Holds the dpkg locks inside the host, as apt does; resolves with the function that releases them. */
  holdDpkgLock(host: LabHost): Promise<() => Promise<void>>;
  /** Ends the host's namespace (all its processes die); resolves once it is down; it boots again after `downMs`. */
  reboot(host: LabHost, downMs: number): Promise<void>;
  /** Resolves when the host's sshd answers; throws after `timeoutMs` (default 30 s). */
  waitUntilUp(host: LabHost, timeoutMs?: number): Promise<void>;
  /** Gives the host new host keys and restarts its sshd; updates `host.hostKeys` and the known_hosts file. */
  regenerateHostKey(host: LabHost): Promise<void>;
  /** Stops the host's sshd and puts another sshd with other host keys on its address. */
  startImpostor(host: LabHost): Promise<Impostor>;
  /** Path of an OpenSSH known_hosts file listing every host's current keys. */
  knownHostsFile(): string;
  /** Ends every process the lab started and removes its files; idempotent. */
  stop(): Promise<void>;
};

/** A second sshd on a host's address, for man-in-the-middle tests. */
export type Impostor = {
  /** The impostor's host keys (not the host's). */
  hostKeys: LabHost['hostKeys'];
  /** Whether any client got as far as an authentication request (from its DEBUG3 log). */
  sawAuthAttempt(): Promise<boolean>;
  /** Whether any client connected at all (so a test knows the impostor was really reached). */
  sawConnection(): Promise<boolean>;
  /** Stops the impostor and restarts the host's own sshd if it was running before. */
  stop(): Promise<void>;
};

const SSH_PORT = 22;
const BOOT_TIMEOUT_MS = 30_000;
const EXEC_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const REQUIRED_TOOLS = ['/usr/sbin/sshd', '/usr/bin/ssh-keygen', '/usr/bin/python3'];

/** The lab's bookkeeping for one host. */
type HostRuntime = {
  host: LabHost;
  paths: HostPaths;
  /** PID of the `unshare` that holds a tiny-disk host's tmpfs (outlives reboots). */
  holderPid?: number;
  /** PID of the `unshare` process of the current boot (what the lab kills to end the host). */
  unsharePid?: number;
  /** PID of the host's init (PID 1 inside its namespace), as the machine sees it. */
  initPid?: number;
  state: 'booting' | 'up' | 'down';
  bootError?: Error;
  rebootTimer?: NodeJS.Timeout;
};

/** Labs of this process that are not stopped yet, for the exit handlers. */
const liveLabs = new Set<{ stopSync(): void }>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const lab of [...liveLabs]) lab.stopSync();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      for (const lab of [...liveLabs]) lab.stopSync();
      // When nobody else handles the signal, restore its default effect (end the process).
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

/** The SHA-256 fingerprint of an OpenSSH public key line, as `ssh-keygen -l` prints it. */
function fingerprintOf(publicKey: string): {
  type: string;
  fingerprint: string;
  publicKey: string;
} {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (type === undefined || blob === undefined) throw new Error(`Not a public key: ${publicKey}`);
  const digest = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64');
  return { type, fingerprint: `SHA256:${digest.replace(/=+$/, '')}`, publicKey: `${type} ${blob}` };
}

function readHostKeys(root: string, dir: string): LabHost['hostKeys'] {
  return ['ssh_host_ed25519_key.pub', 'ssh_host_ecdsa_key.pub'].map((file) =>
    fingerprintOf(readFileSync(join(root, dir, file), 'utf8')),
  );
}

async function generateClientKey(path: string, passphrase: string, comment: string): Promise<void> {
  await runChecked('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    passphrase,
    '-C',
    comment,
    '-f',
    path,
  ]);
}

function checkPrerequisites(options: LabHostOptions[]): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'The lab needs root: it mounts overlays and starts sshd in new namespaces. Run lab tests as root.',
    );
  }
  const tools = [...REQUIRED_TOOLS];
  if (options.some((option) => option.rpm === true))
    tools.push('/usr/bin/rpmbuild', '/usr/bin/rpm');
  const missing = tools.filter((tool) => !existsSync(tool));
  if (missing.length > 0) {
    throw new Error(
      `The lab needs ${missing.join(', ')}: apt-get install openssh-server sudo python3 rpm, then run again.`,
    );
  }
  if (!existsSync('/usr/bin/sudo')) {
    throw new Error('The lab needs sudo inside its hosts: apt-get install sudo, then run again.');
  }
}

/**
 * Starts lab hosts: each an overlay of the machine's root in its own mount, PID and UTS
 * namespaces, chrooted, with its own hostname, host keys, users and `sshd -D` on its own
 * loopback address. Needs root. Resolves when every host answers SSH.
 */
export async function startLab(options: {
  hosts: number | LabHostOptions[];
  firstAddress?: number;
}): Promise<Lab> {
  const hostOptions: LabHostOptions[] =
    typeof options.hosts === 'number'
      ? Array.from({ length: options.hosts }, () => ({}))
      : options.hosts.map((option) => ({ ...option }));
  if (hostOptions.length === 0) throw new Error('A lab needs at least one host.');
  checkPrerequisites(hostOptions);

  const run = await createRunDir(hostOptions.length, options.firstAddress);
  const lab = new LabRunner(run);
  liveLabs.add(lab);
  installExitHandlers();
  try {
    await lab.prepare(hostOptions);
    await lab.bootAll();
  } catch (error) {
    await lab.stop();
    throw error;
  }
  return lab.api();
}

class LabRunner {
  private readonly runtimes: HostRuntime[] = [];
  private readonly byName = new Map<string, HostRuntime>();
  private stopping: Promise<void> | undefined;
  private readonly password = randomBytes(12).toString('base64url');

  constructor(private readonly run: RunDir) {}

  /** Client keys, per-host folders and the files each host's first boot needs. */
  async prepare(hostOptions: LabHostOptions[]): Promise<void> {
    const keys = join(this.run.dir, 'keys');
    mkdirSync(keys, { mode: 0o700 });
    const rootKeyPath = join(keys, 'root_ed25519');
    const userKeyPath = join(keys, 'patchsvc_ed25519');
    const encryptedUserKeyPath = join(keys, 'patchsvc_ed25519_encrypted');
    const rpmDir = join(this.run.dir, 'rpms');
    await Promise.all([
      generateClientKey(rootKeyPath, '', 'lab-root'),
      generateClientKey(userKeyPath, '', 'lab-patchsvc'),
      generateClientKey(encryptedUserKeyPath, LAB_KEY_PASSPHRASE, 'lab-patchsvc-encrypted'),
      hostOptions.some((option) => option.rpm === true)
        ? Promise.all(LAB_RPM_BASELINE.map((spec) => buildLabRpm(rpmDir, spec)))
        : Promise.resolve([]),
    ]);
    const rootPub = readFileSync(`${rootKeyPath}.pub`, 'utf8');
    const userPubs =
      readFileSync(`${userKeyPath}.pub`, 'utf8') +
      readFileSync(`${encryptedUserKeyPath}.pub`, 'utf8');

    hostOptions.forEach((option, index) => {
      const octet = this.run.octets[index];
      if (octet === undefined) throw new Error('Fewer addresses than hosts were allocated.');
      const name = `lab-${String(index + 1).padStart(2, '0')}`;
      const address = `127.0.0.${octet}`;
      const hostDir = join(this.run.dir, 'hosts', name);
      const paths: HostPaths = {
        hostDir,
        layerDir: join(hostDir, option.tinyDiskMiB === undefined ? 'layer' : 'disk'),
        rootDir: join(hostDir, 'root'),
        setupDir: join(hostDir, 'setup'),
      };
      mkdirSync(paths.setupDir, { recursive: true, mode: 0o700 });
      const write = (file: string, text: string, mode = 0o644): void =>
        writeFileSync(join(paths.setupDir, file), text, { mode });
      write('boot.sh', bootScript());
      write('start-sshd.sh', startSshdScript());
      write(
        'provision.sh',
        provisionScript({
          name,
          address,
          sudoNeedsPassword: option.sudoNeedsPassword === true,
          rpm: option.rpm === true,
        }),
      );
      write('sshd_config', sshdConfig(name, address, SSH_PORT));
      write('root.pub', rootPub);
      write('patchsvc.pub', userPubs);
      write('password', `patchsvc:${this.password}\n`, 0o600);
      if (option.rpm === true) {
        write('os-release', ROCKY_OS_RELEASE);
        mkdirSync(join(paths.setupDir, 'rpms'));
        for (const spec of LAB_RPM_BASELINE) {
          const arch = spec.arch ?? 'x86_64';
          const file = `${spec.name}-${spec.version}-${spec.release}.${arch}.rpm`;
          writeFileSync(join(paths.setupDir, 'rpms', file), readFileSync(join(rpmDir, file)));
        }
      }
      const runtime: HostRuntime = {
        host: {
          name,
          address,
          port: SSH_PORT,
          rootKeyPath,
          userKeyPath,
          encryptedUserKeyPath,
          user: 'patchsvc',
          userPassword: this.password,
          hostKeys: [],
          options: option,
        },
        paths,
        state: 'down',
      };
      this.runtimes.push(runtime);
      this.byName.set(name, runtime);
    });
  }

  async bootAll(): Promise<void> {
    await Promise.all(this.runtimes.map((runtime) => this.boot(runtime)));
    this.writeKnownHosts();
  }

  api(): Lab {
    return {
      hosts: this.runtimes.map((runtime) => runtime.host),
      exec: async (host, command) => this.exec(this.runtime(host), command),
      stopSshd: (host) => this.stopSshd(this.runtime(host)),
      startSshd: (host) => this.startSshd(this.runtime(host)),
      holdDpkgLock: (host) => this.holdDpkgLock(this.runtime(host)),
      reboot: (host, downMs) => this.reboot(this.runtime(host), downMs),
      waitUntilUp: (host, timeoutMs) => this.waitUntilUp(this.runtime(host), timeoutMs),
      regenerateHostKey: (host) => this.regenerateHostKey(this.runtime(host)),
      startImpostor: (host) => this.startImpostor(this.runtime(host)),
      knownHostsFile: () => join(this.run.dir, 'known_hosts'),
      stop: () => this.stop(),
    };
  }

  private runtime(host: LabHost): HostRuntime {
    const runtime = this.byName.get(host.name);
    if (runtime === undefined || runtime.host !== host) {
      throw new Error(`${host.name} is not a host of this lab.`);
    }
    if (this.stopping) throw new Error('The lab has been stopped.');
    return runtime;
  }

  /** Starts a detached process whose output goes to the host's console log; records its PID. */
  private spawnTracked(runtime: HostRuntime, label: string, argv: string[]): ChildProcess {
    const consoleFd = openSync(join(runtime.paths.hostDir, 'console.log'), 'a');
    try {
      const [file, ...args] = argv;
      if (file === undefined) throw new Error('Nothing to start.');
      const child = spawn(file, args, {
        detached: true,
        stdio: ['ignore', consoleFd, consoleFd],
      });
      child.on('error', () => undefined);
      child.unref();
      if (child.pid === undefined) throw new Error(`Could not start ${file} for ${label}.`);
      this.run.track(label, child.pid);
      return child;
    } finally {
      closeSync(consoleFd);
    }
  }

  private consoleTail(runtime: HostRuntime): string {
    try {
      return readFileSync(join(runtime.paths.hostDir, 'console.log'), 'utf8').slice(-2000);
    } catch {
      return '';
    }
  }

  /** A tiny-disk host's tmpfs lives in a holder namespace that outlives the host's reboots. */
  private async ensureDiskHolder(runtime: HostRuntime, sizeMiB: number): Promise<number> {
    if (runtime.holderPid !== undefined && isRunning(runtime.holderPid)) return runtime.holderPid;
    const ready = join(runtime.paths.hostDir, 'disk.ready');
    rmSync(ready, { force: true });
    const child = this.spawnTracked(runtime, `${runtime.host.name}-disk`, [
      'unshare',
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '/bin/sh',
      '-c',
      diskHolderScript(runtime.paths.layerDir, sizeMiB, ready),
    ]);
    let exited = false;
    child.on('exit', () => (exited = true));
    await waitFor(
      () => exited || existsSync(ready),
      BOOT_TIMEOUT_MS,
      () => `The disk of ${runtime.host.name} did not come up.`,
    );
    if (exited) {
      throw new Error(`The disk of ${runtime.host.name} failed:\n${this.consoleTail(runtime)}`);
    }
    runtime.holderPid = child.pid as number;
    return runtime.holderPid;
  }

  /** Boots (or reboots) a host and waits until its sshd answers. */
  private async boot(runtime: HostRuntime): Promise<void> {
    const { host, paths } = runtime;
    runtime.state = 'booting';
    delete runtime.bootError;
    try {
      const unshare = [
        'unshare',
        '--mount',
        '--pid',
        '--uts',
        '--fork',
        '--kill-child',
        '/bin/sh',
        '-c',
        initScript(paths, host.name),
      ];
      const tiny = host.options.tinyDiskMiB;
      const argv =
        tiny === undefined
          ? unshare
          : [
              'nsenter',
              `--mount=/proc/${await this.ensureDiskHolder(runtime, tiny)}/ns/mnt`,
              ...unshare,
            ];
      const child = this.spawnTracked(runtime, host.name, argv);
      runtime.unsharePid = child.pid as number;
      let exited = false;
      child.on('exit', () => (exited = true));
      await waitFor(
        async () => exited || (await probeSshPort(host.address, host.port, 500)) === 'ssh',
        BOOT_TIMEOUT_MS,
        () =>
          `${host.name} did not answer SSH within ${BOOT_TIMEOUT_MS} ms:\n${this.consoleTail(runtime)}`,
      );
      if (exited) throw new Error(`${host.name} failed to boot:\n${this.consoleTail(runtime)}`);
      const init = childPids(runtime.unsharePid)[0];
      if (init === undefined) throw new Error(`${host.name} has no init process.`);
      runtime.initPid = init;
      host.hostKeys = readHostKeys(this.hostRoot(runtime), 'etc/ssh');
      runtime.state = 'up';
    } catch (error) {
      runtime.state = 'down';
      runtime.bootError = error instanceof Error ? error : new Error(String(error));
      throw runtime.bootError;
    }
  }

  /** The host's root as the machine can read it (through its init's /proc entry). */
  private hostRoot(runtime: HostRuntime): string {
    if (runtime.initPid === undefined) throw new Error(`${runtime.host.name} is not running.`);
    return `/proc/${runtime.initPid}/root`;
  }

  private nsenterArgs(runtime: HostRuntime, argv: string[]): string[] {
    if (runtime.state !== 'up' || runtime.initPid === undefined) {
      throw new Error(`${runtime.host.name} is ${runtime.state}; it cannot run commands now.`);
    }
    return [
      '-t',
      String(runtime.initPid),
      '-m',
      '-u',
      '-p',
      '-r',
      '-w',
      '/usr/bin/env',
      '-i',
      `PATH=${EXEC_PATH}`,
      'HOME=/root',
      'USER=root',
      'LOGNAME=root',
      'LANG=C.UTF-8',
      ...argv,
    ];
  }

  private async exec(runtime: HostRuntime, command: string): Promise<CommandResult> {
    await Promise.resolve();
    const args = this.nsenterArgs(runtime, ['/bin/bash', '-c', command]);
    return runCommand('nsenter', args);
  }

  private async execChecked(runtime: HostRuntime, command: string): Promise<CommandResult> {
    const result = await this.exec(runtime, command);
    if (result.code !== 0) {
      throw new Error(
        `On ${runtime.host.name}, "${command}" exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`,
      );
    }
    return result;
  }

  private async waitPort(runtime: HostRuntime, want: 'ssh' | 'refused', timeoutMs = 10_000) {
    const { host } = runtime;
    await waitFor(
      async () => (await probeSshPort(host.address, host.port, 500)) === want,
      timeoutMs,
      () =>
        `${host.name} (${host.address}:${host.port}) did not become ${want} in ${timeoutMs} ms.`,
    );
  }

  private async stopSshd(runtime: HostRuntime): Promise<void> {
    await this.execChecked(
      runtime,
      'if [ -s /run/sshd.pid ]; then kill "$(cat /run/sshd.pid)" 2>/dev/null || true; rm -f /run/sshd.pid; fi',
    );
    await this.waitPort(runtime, 'refused');
  }

  private async startSshd(runtime: HostRuntime): Promise<void> {
    if ((await probeSshPort(runtime.host.address, runtime.host.port, 500)) === 'ssh') return;
    await this.execChecked(runtime, `bash ${SETUP_IN_HOST}/start-sshd.sh`);
    await this.waitPort(runtime, 'ssh');
  }

  private async holdDpkgLock(runtime: HostRuntime): Promise<() => Promise<void>> {
    // apt and dpkg take fcntl (POSIX) write locks on these files, frontend lock first.
    const script = [
      'import fcntl, sys',
      'held = []',
      "for path in ('/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock'):",
      "    f = open(path, 'a')",
      '    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)',
      '    held.append(f)',
      "print('locked', flush=True)",
      'sys.stdin.read()',
    ].join('\n');
    const child = spawn('nsenter', this.nsenterArgs(runtime, ['/usr/bin/python3', '-c', script]), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes('locked')) resolve();
      });
      child.on('close', (code) =>
        reject(
          new Error(`Could not take the dpkg lock on ${runtime.host.name} (${code}): ${stderr}`),
        ),
      );
      child.on('error', reject);
    });
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    };
  }

  private async reboot(runtime: HostRuntime, downMs: number): Promise<void> {
    if (runtime.state !== 'up' || runtime.unsharePid === undefined) {
      throw new Error(`${runtime.host.name} is ${runtime.state}; only a running host can reboot.`);
    }
    const { unsharePid, initPid } = runtime;
    runtime.state = 'down';
    killQuietly(unsharePid);
    await waitFor(
      () => !isRunning(unsharePid) && (initPid === undefined || !isRunning(initPid)),
      10_000,
      () => `${runtime.host.name} did not go down.`,
    );
    delete runtime.unsharePid;
    delete runtime.initPid;
    this.run.untrack(runtime.host.name);
    await this.waitPort(runtime, 'refused');
    runtime.rebootTimer = setTimeout(() => {
      delete runtime.rebootTimer;
      if (this.stopping) return;
      this.boot(runtime).then(
        () => this.writeKnownHosts(),
        () => undefined, // kept in runtime.bootError; waitUntilUp reports it
      );
    }, downMs);
  }

  private async waitUntilUp(runtime: HostRuntime, timeoutMs = BOOT_TIMEOUT_MS): Promise<void> {
    const { host } = runtime;
    await waitFor(
      async () => {
        if (runtime.bootError) throw runtime.bootError;
        return (
          runtime.state === 'up' && (await probeSshPort(host.address, host.port, 500)) === 'ssh'
        );
      },
      timeoutMs,
      () => `${host.name} was not up within ${timeoutMs} ms (it is ${runtime.state}).`,
      50,
    );
  }

  private async regenerateHostKey(runtime: HostRuntime): Promise<void> {
    const running = (await probeSshPort(runtime.host.address, runtime.host.port, 500)) === 'ssh';
    await this.execChecked(runtime, hostKeyScript(runtime.host.name));
    if (running) {
      await this.stopSshd(runtime);
      await this.startSshd(runtime);
    }
    runtime.host.hostKeys = readHostKeys(this.hostRoot(runtime), 'etc/ssh');
    this.writeKnownHosts();
  }

  private async startImpostor(runtime: HostRuntime): Promise<Impostor> {
    const { host } = runtime;
    const wasRunning = (await probeSshPort(host.address, host.port, 500)) === 'ssh';
    if (wasRunning) await this.stopSshd(runtime);
    const dir = '/run/impostor';
    await this.execChecked(
      runtime,
      [
        `mkdir -p -m 0700 ${dir}`,
        `rm -f ${dir}/sshd.log`,
        hostKeyScript(host.name, dir),
        `cat > ${dir}/sshd_config <<'CONFIG'`,
        impostorConfig(host.address, host.port, dir) + 'CONFIG',
        `/usr/sbin/sshd -t -f ${dir}/sshd_config`,
        `setsid /usr/sbin/sshd -D -f ${dir}/sshd_config -E ${dir}/sshd.log </dev/null >/dev/null 2>&1 &`,
      ].join('\n'),
    );
    await this.waitPort(runtime, 'ssh');
    const hostKeys = readHostKeys(this.hostRoot(runtime), dir.slice(1));
    const log = (): string => {
      try {
        return readFileSync(join(this.hostRoot(runtime), dir, 'sshd.log'), 'utf8');
      } catch {
        return '';
      }
    };
    let stopped = false;
    return {
      hostKeys,
      sawAuthAttempt: () =>
        Promise.resolve(/userauth-request for user|input_userauth_request/.test(log())),
      sawConnection: () => Promise.resolve(/Connection from /.test(log())),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await this.execChecked(
          runtime,
          `if [ -s ${dir}/sshd.pid ]; then kill "$(cat ${dir}/sshd.pid)" 2>/dev/null || true; rm -f ${dir}/sshd.pid; fi`,
        );
        await this.waitPort(runtime, 'refused');
        if (wasRunning) await this.startSshd(runtime);
      },
    };
  }

  private writeKnownHosts(): void {
    const lines = this.runtimes.flatMap(({ host }) => {
      const where = host.port === 22 ? host.address : `[${host.address}]:${host.port}`;
      return host.hostKeys.map((key) => `${where} ${key.publicKey}`);
    });
    writeFileSync(join(this.run.dir, 'known_hosts'), `${lines.join('\n')}\n`);
  }

  /** Kills every process the lab recorded (only if it still carries the run folder on its command line). */
  private killAll(): number[] {
    const waitOn: number[] = [];
    for (const runtime of this.runtimes) {
      if (runtime.rebootTimer) clearTimeout(runtime.rebootTimer);
      if (runtime.initPid !== undefined) waitOn.push(runtime.initPid);
      if (runtime.holderPid !== undefined) waitOn.push(...childPids(runtime.holderPid));
    }
    for (const { pid } of this.run.tracked()) {
      if (!processCommandLine(pid)?.includes(this.run.dir)) continue;
      killQuietly(pid);
      waitOn.push(pid);
    }
    return waitOn;
  }

  /** Synchronous last-resort cleanup for exit handlers. */
  stopSync(): void {
    if (this.stopping) return;
    this.stopping = Promise.resolve();
    this.killAll();
    rmSync(this.run.dir, { recursive: true, force: true });
    liveLabs.delete(this);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const waitOn = this.killAll();
      await waitFor(
        () => waitOn.every((pid) => !isRunning(pid)),
        10_000,
        () => `Lab processes did not end: ${waitOn.filter(isRunning).join(', ')}`,
      ).catch(async () => {
        // A process in uninterruptible sleep can take a moment longer; give it one more chance.
        await sleep(1000);
      });
      rmSync(this.run.dir, { recursive: true, force: true });
      liveLabs.delete(this);
    })();
    return this.stopping;
  }
}
