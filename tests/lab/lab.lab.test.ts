import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LAB_KEY_PASSPHRASE, startLab, type Lab, type LabHost } from './lab';
import { isRunning, probeSshPort, runCommand, sleep, type CommandResult } from './processes';
import { buildLabRpm, LAB_RPM_BASELINE } from './rpm-packages';

/** Client options every call uses: only the lab's known_hosts, strict checking, no prompts. */
function sshOptions(knownHosts: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=10',
  ];
}

/** Every process whose command line or root directory lies in the lab's run folder. */
function processesOf(runDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const root = readlinkSync(`/proc/${pid}/root`);
      if ((cmdline.includes(runDir) || root.startsWith(runDir)) && isRunning(pid)) found.push(pid);
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

describe('the lab of real SSH hosts', () => {
  let lab: Lab;
  let scratch: string;
  let plain: LabHost; // lab-01: connectivity, isolation, sshd stop/start, dpkg lock
  let faulty: LabHost; // lab-02: reboot, regenerated key, impostor
  let passwordSudo: LabHost; // lab-03
  let tiny: LabHost; // lab-04
  let rpmHost: LabHost; // lab-05

  const ssh = (
    host: LabHost,
    user: 'root' | 'patchsvc',
    command: string,
    extra: { knownHosts?: string; input?: string; key?: string; options?: string[] } = {},
  ): Promise<CommandResult> =>
    runCommand(
      'ssh',
      [
        // ssh keeps the first value of an option: extra options go first to override.
        ...(extra.options ?? []),
        ...sshOptions(extra.knownHosts ?? lab.knownHostsFile()),
        '-i',
        extra.key ?? (user === 'root' ? host.rootKeyPath : host.userKeyPath),
        '-p',
        String(host.port),
        `${user}@${host.address}`,
        command,
      ],
      { timeoutMs: 30_000, ...(extra.input === undefined ? {} : { input: extra.input }) },
    );

  /** ssh that answers its prompts (password, key passphrase) through SSH_ASKPASS. */
  const sshWithSecret = (
    host: LabHost,
    secret: string,
    args: string[],
    command: string,
  ): Promise<CommandResult> =>
    new Promise((resolve, reject) => {
      const askpass = join(scratch, 'askpass.sh');
      writeFileSync(askpass, '#!/bin/sh\nprintf "%s\\n" "$LAB_TEST_SECRET"\n', { mode: 0o700 });
      const child = spawn(
        'ssh',
        [
          '-F',
          '/dev/null',
          '-o',
          `UserKnownHostsFile=${lab.knownHostsFile()}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          'NumberOfPasswordPrompts=1',
          ...args,
          `patchsvc@${host.address}`,
          command,
        ],
        {
          env: {
            ...process.env,
            SSH_ASKPASS: askpass,
            SSH_ASKPASS_REQUIRE: 'force',
            DISPLAY: 'none',
            LAB_TEST_SECRET: secret,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'patchdeck-lab-test-'));
    lab = await startLab({
      hosts: [{}, {}, { sudoNeedsPassword: true }, { tinyDiskMiB: 8 }, { rpm: true }],
    });
    [plain, faulty, passwordSudo, tiny, rpmHost] = lab.hosts as [
      LabHost,
      LabHost,
      LabHost,
      LabHost,
      LabHost,
    ];
  });

  afterAll(async () => {
    await lab?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reaches every host as root and as patchsvc by key, each with its own name and host keys', async () => {
    for (const host of lab.hosts) {
      const asRoot = await ssh(host, 'root', 'hostname; id -u');
      expect(asRoot.stderr).toBe('');
      expect(asRoot.stdout).toBe(`${host.name}\n0\n`);
      const asUser = await ssh(host, 'patchsvc', 'hostname; id -un');
      expect(asUser.stdout).toBe(`${host.name}\npatchsvc\n`);
      expect(host.hostKeys.map((key) => key.type)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
      // The fingerprint we report is the one OpenSSH computes for the key sshd really serves.
      const scanned = await runCommand('ssh-keyscan', ['-t', 'ed25519', host.address]);
      const scannedFile = join(scratch, `${host.name}.scan`);
      writeFileSync(scannedFile, scanned.stdout);
      const printed = await runCommand('ssh-keygen', ['-l', '-f', scannedFile]);
      expect(printed.stdout).toContain(host.hostKeys[0]?.fingerprint);
    }
    const fingerprints = lab.hosts.flatMap((host) => host.hostKeys.map((key) => key.fingerprint));
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    expect(new Set(lab.hosts.map((host) => host.address)).size).toBe(lab.hosts.length);
  });

  it('lets patchsvc in with its password and with the passphrase-protected key', async () => {
    const byPassword = await sshWithSecret(
      plain,
      plain.userPassword,
      ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password'],
      'id -un',
    );
    expect(byPassword.stdout).toBe('patchsvc\n');
    const wrongPassword = await sshWithSecret(
      plain,
      'not-the-password',
      ['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password'],
      'id -un',
    );
    expect(wrongPassword.code).toBe(255);
    expect(wrongPassword.stderr).toContain('Permission denied');
    const byEncryptedKey = await sshWithSecret(
      plain,
      LAB_KEY_PASSPHRASE,
      [
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'PasswordAuthentication=no',
        '-i',
        plain.encryptedUserKeyPath,
      ],
      'id -un',
    );
    expect(byEncryptedKey.stdout).toBe('patchsvc\n');
    const noPassphrase = await runCommand('ssh-keygen', [
      '-y',
      '-P',
      '',
      '-f',
      plain.encryptedUserKeyPath,
    ]);
    expect(noPassphrase.code).not.toBe(0);
  });

  it('keeps what a host writes inside that host', async () => {
    const marker = `/root/isolation-${Date.now()}`;
    expect((await ssh(plain, 'root', `echo here > ${marker}`)).code).toBe(0);
    expect((await ssh(plain, 'root', `cat ${marker}`)).stdout).toBe('here\n');
    expect((await ssh(faulty, 'root', `test -e ${marker}`)).code).toBe(1);
    expect(existsSync(marker)).toBe(false);
    // The host's /tmp is its own: the machine's /tmp (where the lab keeps its layers) is hidden.
    const runDir = dirname(lab.knownHostsFile());
    expect((await ssh(plain, 'root', `test -e ${runDir}`)).code).toBe(1);
    expect((await lab.exec(plain, `test -e ${marker} && hostname`)).stdout).toBe(`${plain.name}\n`);
  });

  it('has a real dpkg database: the machine’s, copied on write', async () => {
    const query = "dpkg-query -W -f '${Package} ${Version}\\n' openssh-server sudo";
    const inHost = await ssh(plain, 'root', query);
    const onMachine = await runCommand('bash', ['-c', query]);
    expect(inHost.code).toBe(0);
    expect(inHost.stdout).toBe(onMachine.stdout);
    expect(inHost.stdout).toMatch(/^openssh-server \S+\nsudo \S+\n$/);
  });

  it('gives patchsvc passwordless sudo, except on the host that asks for a password', async () => {
    expect((await ssh(plain, 'patchsvc', 'sudo -n id -u')).stdout).toBe('0\n');
    const refused = await ssh(passwordSudo, 'patchsvc', 'sudo -n id -u');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('a password is required');
    const withPassword = await ssh(passwordSudo, 'patchsvc', "sudo -S -p '' id -u", {
      input: `${passwordSudo.userPassword}\n`,
    });
    expect(withPassword.stdout).toBe('0\n');
    const wrongPassword = await ssh(passwordSudo, 'patchsvc', "sudo -S -p '' id -u", {
      input: 'wrong\n',
    });
    expect(wrongPassword.code).not.toBe(0);
    expect(wrongPassword.stdout).toBe('');
  });

  it('stops sshd on demand: the port refuses while the host stays up', async () => {
    await lab.stopSshd(plain);
    const refused = await ssh(plain, 'root', 'true');
    expect(refused.code).toBe(255);
    expect(refused.stderr).toContain('Connection refused');
    expect((await lab.exec(plain, 'hostname')).stdout).toBe(`${plain.name}\n`);
    await lab.startSshd(plain);
    expect((await ssh(plain, 'root', 'hostname')).stdout).toBe(`${plain.name}\n`);
  });

  it('holds the dpkg lock as apt does, until released', async () => {
    const release = await lab.holdDpkgLock(plain);
    try {
      const dpkg = await ssh(plain, 'root', 'dpkg --configure -a');
      expect(dpkg.code).not.toBe(0);
      expect(dpkg.stderr).toMatch(/dpkg frontend lock.*locked by another process/);
      const apt = await ssh(plain, 'root', 'apt-get -o DPkg::Lock::Timeout=0 -y install sudo');
      expect(apt.code).not.toBe(0);
      expect(apt.stderr).toContain('Could not get lock /var/lib/dpkg/lock-frontend');
    } finally {
      await release();
    }
    const free = await ssh(plain, 'root', 'dpkg --configure -a');
    expect(free.stderr).toBe('');
    expect(free.code).toBe(0);
  });

  it('fills a tiny disk: writes fail with No space left on device', async () => {
    const full = await ssh(tiny, 'root', 'dd if=/dev/zero of=/root/fill bs=1M count=32');
    expect(full.code).not.toBe(0);
    expect(full.stderr).toContain('No space left on device');
    // The same write fits on an ordinary host.
    const fits = await ssh(
      plain,
      'root',
      'dd if=/dev/zero of=/root/fill bs=1M count=32 && rm /root/fill',
    );
    expect(fits.code).toBe(0);
    expect((await ssh(tiny, 'root', 'rm /root/fill && echo freed')).stdout).toBe('freed\n');
  });

  it('reboots: every process ends, the host is unreachable, then back with its files and host key', async () => {
    const keysBefore = faulty.hostKeys.map((key) => key.fingerprint);
    await ssh(faulty, 'root', 'echo kept > /root/survives; echo lost > /run/vanishes');
    const sleeper = await lab.exec(faulty, 'setsid sleep 600 >/dev/null 2>&1 & echo $!');
    expect(sleeper.stdout).toMatch(/^\d+\n$/);
    expect((await lab.exec(faulty, 'pgrep -a -x sleep')).stdout).toContain('sleep 600');

    await lab.reboot(faulty, 1500);
    const down = await ssh(faulty, 'root', 'true');
    expect(down.code).toBe(255);
    expect(down.stderr).toContain('Connection refused');
    await expect(lab.exec(faulty, 'true')).rejects.toThrow(/down/);

    const begun = Date.now();
    await lab.waitUntilUp(faulty, 30_000);
    expect(Date.now() - begun).toBeGreaterThanOrEqual(1000);
    const after = await ssh(
      faulty,
      'root',
      'cat /root/survives; test -e /run/vanishes || echo gone; pgrep -x sleep -a | grep -c "sleep 600" || true',
    );
    expect(after.stdout).toBe('kept\ngone\n0\n');
    expect(faulty.hostKeys.map((key) => key.fingerprint)).toEqual(keysBefore);
  });

  it('regenerates the host key: the old known_hosts fails verification, the new one works', async () => {
    const oldKnownHosts = join(scratch, 'known_hosts.old');
    copyFileSync(lab.knownHostsFile(), oldKnownHosts);
    const before = faulty.hostKeys.map((key) => key.fingerprint);
    await lab.regenerateHostKey(faulty);
    expect(faulty.hostKeys.map((key) => key.fingerprint)).not.toEqual(
      expect.arrayContaining(before),
    );
    const stale = await ssh(faulty, 'root', 'true', { knownHosts: oldKnownHosts });
    expect(stale.code).toBe(255);
    expect(stale.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(stale.stderr).toContain('Host key verification failed');
    expect((await ssh(faulty, 'root', 'hostname')).stdout).toBe(`${faulty.name}\n`);
  });

  it('puts an impostor on the address: the client sees another key and sends no credentials', async () => {
    const impostor = await lab.startImpostor(faulty);
    try {
      expect(impostor.hostKeys[0]?.fingerprint).not.toBe(faulty.hostKeys[0]?.fingerprint);
      const refused = await ssh(faulty, 'root', 'true');
      expect(refused.code).toBe(255);
      expect(refused.stderr).toContain('Host key verification failed');
      expect(await impostor.sawConnection()).toBe(true);
      expect(await impostor.sawAuthAttempt()).toBe(false);
      // A client that accepts any key does try to authenticate, and the impostor notices.
      const careless = await ssh(faulty, 'root', 'true', {
        knownHosts: '/dev/null',
        options: ['-o', 'StrictHostKeyChecking=no'],
      });
      expect(careless.code).toBe(255);
      expect(careless.stderr).toContain('Permission denied');
      expect(await impostor.sawAuthAttempt()).toBe(true);
    } finally {
      await impostor.stop();
    }
    expect((await ssh(faulty, 'root', 'hostname')).stdout).toBe(`${faulty.name}\n`);
  });

  it('has an RPM-family host with a real rpm database that rpm -U updates', async () => {
    const release = await ssh(rpmHost, 'root', '. /etc/os-release && echo "$ID $VERSION_ID"');
    expect(release.stdout).toBe('rocky 9.3\n');
    const listed = await ssh(
      rpmHost,
      'root',
      "rpm -qa --qf '%{NAME}-%{VERSION}-%{RELEASE}\\n' | sort",
    );
    const baseline = LAB_RPM_BASELINE.map((spec) => `${spec.name}-${spec.version}-${spec.release}`);
    expect(listed.stdout).toBe(`${[...baseline].sort().join('\n')}\n`);
    expect((await ssh(rpmHost, 'root', 'command -v dpkg || echo none')).stdout).toBe('none\n');

    const newer = await buildLabRpm(scratch, {
      name: 'curl',
      version: '7.76.1',
      release: '29.el9',
    });
    const upload = await runCommand('scp', [
      ...sshOptions(lab.knownHostsFile()),
      '-i',
      rpmHost.rootKeyPath,
      newer,
      `root@${rpmHost.address}:/root/`,
    ]);
    expect(upload.code).toBe(0);
    const update = await ssh(
      rpmHost,
      'root',
      'rpm -U --nodeps /root/curl-7.76.1-29.el9.x86_64.rpm; rpm -q curl; cat /usr/share/doc/curl/VERSION',
    );
    expect(update.stdout).toBe('curl-7.76.1-29.el9.x86_64\n7.76.1-29.el9\n');
    // The machine's own rpm database is untouched.
    expect(
      (await runCommand('rpm', ['-q', 'curl', '--dbpath', '/var/lib/rpm'])).stdout,
    ).not.toContain('el9');
  });

  it('leaves nothing behind after stop(): no process, no mount, no files', async () => {
    const runDir = dirname(lab.knownHostsFile());
    const before = processesOf(runDir);
    expect(before.length).toBeGreaterThanOrEqual(lab.hosts.length * 2);
    await lab.stop();
    expect(processesOf(runDir)).toEqual([]);
    expect(before.filter(isRunning)).toEqual([]);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(runDir);
    expect(mounts).not.toMatch(/ overlay patchdeck-lab /);
    expect(existsSync(runDir)).toBe(false);
    for (const host of lab.hosts)
      expect(await probeSshPort(host.address, host.port)).toBe('refused');
    await lab.stop();
  });
});

describe('a lab whose process died', () => {
  it('keeps its hosts running, and the next startLab reclaims them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchdeck-lab-crash-'));
    const script = join(dir, 'crashing-owner.mts');
    writeFileSync(
      script,
      [
        `import { startLab } from ${JSON.stringify(join(import.meta.dirname, 'lab.ts'))};`,
        'const lab = await startLab({ hosts: 1 });',
        'console.log(JSON.stringify({ address: lab.hosts[0].address, runDir: lab.knownHostsFile() }));',
        'setInterval(() => undefined, 1000);',
      ].join('\n'),
    );
    const owner = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await new Promise<{ address: string; runDir: string }>((resolve, reject) => {
      let out = '';
      let err = '';
      owner.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((text) => text.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { address: string; runDir: string });
      });
      owner.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      owner.on('close', (code) => reject(new Error(`owner exited ${code}: ${err}`)));
    });
    const runDir = dirname(started.runDir);
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.on('close', resolve));
    await sleep(200);
    // The owner is gone, its host is not.
    expect(await probeSshPort(started.address, 22)).toBe('ssh');
    expect(processesOf(runDir).length).toBeGreaterThan(0);

    const next = await startLab({ hosts: 1, firstAddress: Number(started.address.split('.')[3]) });
    try {
      expect(existsSync(runDir)).toBe(false);
      expect(processesOf(runDir)).toEqual([]);
      expect(next.hosts[0]?.address).toBe(started.address);
      expect(await probeSshPort(started.address, 22)).toBe('ssh');
    } finally {
      await next.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
