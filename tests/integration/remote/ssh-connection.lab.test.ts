import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DurableWorkspace } from '../../../electron/core/db/open-workspace';
import { sh } from '../../../electron/core/remote/command';
import { RunPool } from '../../../electron/core/remote/pool';
import type { RemoteSession } from '../../../electron/core/remote/session';
import { connect, type Target } from '../../../electron/core/remote/ssh-connection';
import { LAB_KEY_PASSPHRASE, startLab, type Lab, type LabHost } from '../../lab/lab';

import {
  appErrorOf,
  commandLinesOn,
  openKeyWorkspace,
  policyOf,
  targetFor,
  trustLab,
} from './remote-kit';

let lab: Lab;
let ws: DurableWorkspace;
let plain: LabHost;
let other: LabHost;
let sudoPw: LabHost;
let scratch: string;
const sessions: RemoteSession[] = [];

async function open(target: Target): Promise<RemoteSession> {
  const session = await connect(target, { hostKeys: policyOf(ws) });
  sessions.push(session);
  return session;
}

beforeAll(async () => {
  lab = await startLab({ hosts: [{}, {}, { sudoNeedsPassword: true }] });
  [plain, other, sudoPw] = lab.hosts as [LabHost, LabHost, LabHost];
  ws = await openKeyWorkspace();
  const imported = trustLab(ws, lab);
  expect(imported.malformed).toEqual([]);
  scratch = mkdtempSync(join(tmpdir(), 'patchdeck-agent-'));
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await ws?.close();
  await lab?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('authentication', () => {
  it('logs in with a plain key file and runs a command', async () => {
    const session = await open(targetFor(plain));
    const result = await session.runChecked(sh`id -un; hostname`);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual(['patchsvc', plain.name]);
  });

  it('logs in with a passphrase-protected key, and refuses a wrong passphrase before connecting', async () => {
    const session = await open(
      targetFor(plain, {
        kind: 'key',
        privateKeyPath: plain.encryptedUserKeyPath,
        passphrase: LAB_KEY_PASSPHRASE,
      }),
    );
    expect((await session.runChecked(sh`id -un`)).stdout.trim()).toBe('patchsvc');
    const wrong = await appErrorOf(
      open(
        targetFor(plain, {
          kind: 'key',
          privateKeyPath: plain.encryptedUserKeyPath,
          passphrase: 'not-the-passphrase',
        }),
      ),
    );
    expect(wrong.code).toBe('HOST_AUTH_REFUSED');
    expect(wrong.message).toMatch(/passphrase/);
  });

  it('logs in through an ssh-agent, and never forwards the agent', async () => {
    const socket = join(scratch, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await waitForSocket(socket);
      execFileSync('ssh-add', [plain.userKeyPath], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
        stdio: 'pipe',
      });
      const session = await open(targetFor(plain, { kind: 'agent', socketPath: socket }));
      const result = await session.runChecked(sh`printf '[%s]' "$SSH_AUTH_SOCK"`);
      expect(result.stdout).toBe('[]');
    } finally {
      if (agent.pid !== undefined) process.kill(agent.pid, 'SIGTERM');
    }
  });

  it('logs in with a password', async () => {
    const session = await open(
      targetFor(plain, { kind: 'password', password: plain.userPassword }),
    );
    expect((await session.runChecked(sh`id -un`)).stdout.trim()).toBe('patchsvc');
  });

  it('reports a wrong password as auth-refused', async () => {
    const error = await appErrorOf(
      open(targetFor(plain, { kind: 'password', password: 'wrong-pw' })),
    );
    expect(error.code).toBe('HOST_AUTH_REFUSED');
  });
});

describe('exit codes, timeouts and stdin', () => {
  it('returns the exit code and treats exit 1 with empty stderr as a failure', async () => {
    const session = await open(targetFor(plain));
    const result = await session.run(sh`exit 1`);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: '' });
    const error = await appErrorOf(session.runChecked(sh`exit 1`));
    expect(error.code).toBe('REMOTE_COMMAND_FAILED');
    expect(error.details).toMatchObject({ exitCode: 1, stderrTail: '' });
    const failing = await appErrorOf(session.runChecked(sh`echo one >&2; echo two >&2; exit 3`));
    expect(failing.details).toMatchObject({ exitCode: 3, stderrTail: 'one\ntwo' });
  });

  it('feeds stdin to the command', async () => {
    const session = await open(targetFor(plain));
    const result = await session.runChecked(sh`wc -c`, { stdin: 'x'.repeat(100_000) });
    expect(result.stdout.trim()).toBe('100000');
  });

  it('stops `sleep 100` at the time limit and leaves no sleep behind', async () => {
    const session = await open(targetFor(plain));
    const started = Date.now();
    const error = await appErrorOf(session.run(sh`sleep 100`, { timeoutMs: 1000 }));
    const took = Date.now() - started;
    expect(error.code).toBe('REMOTE_TIMEOUT');
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(5000);
    const left = await lab.exec(plain, 'pgrep -x sleep -a || true');
    expect(left.stdout).not.toMatch(/sleep 100/);
    // The connection is still usable afterwards.
    expect((await session.runChecked(sh`echo ok`)).stdout).toBe('ok\n');
  });

  it('stops a command running as root under sudo at the time limit', async () => {
    const session = await open(targetFor(plain));
    const error = await appErrorOf(
      session.run(sh`sleep 101`, { timeoutMs: 1000, sudo: { kind: 'nopasswd' } }),
    );
    expect(error.code).toBe('REMOTE_TIMEOUT');
    await new Promise((r) => setTimeout(r, 300));
    const left = await lab.exec(plain, 'pgrep -x sleep -a || true');
    expect(left.stdout).not.toMatch(/sleep 101/);
  });
});

describe('sudo', () => {
  it('runs as root with sudo -n on a NOPASSWD host, with stdin passed through', async () => {
    const session = await open(targetFor(plain));
    const result = await session.runChecked(sh`id -u; cat`, {
      sudo: { kind: 'nopasswd' },
      stdin: 'from stdin\n',
    });
    expect(result.stdout).toBe('0\nfrom stdin\n');
    expect(result.stderr).toBe('');
  });

  it('feeds the sudo password on stdin, never on a command line', async () => {
    const session = await open(targetFor(sudoPw));
    const running = session.runChecked(sh`sleep 3; id -u; cat`, {
      sudo: { kind: 'password', password: sudoPw.userPassword },
      stdin: 'after the password\n',
    });
    let seenSleep = false;
    for (let i = 0; i < 20 && !seenSleep; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      const lines = await commandLinesOn(lab, sudoPw);
      expect(lines).not.toContain(sudoPw.userPassword);
      seenSleep = /sleep 3/.test(lines);
    }
    expect(seenSleep).toBe(true);
    const result = await running;
    expect(result.stdout).toBe('0\nafter the password\n');
    expect(result.stderr).not.toContain(sudoPw.userPassword);
  });

  it('reports SUDO_PASSWORD_REQUIRED at once for sudo -n on the password host', async () => {
    const session = await open(targetFor(sudoPw));
    const started = Date.now();
    const error = await appErrorOf(
      session.run(sh`id -u`, { sudo: { kind: 'nopasswd' }, timeoutMs: 20_000 }),
    );
    expect(error.code).toBe('SUDO_PASSWORD_REQUIRED');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a wrong sudo password as SUDO_REFUSED without hanging', async () => {
    const session = await open(targetFor(sudoPw));
    const error = await appErrorOf(
      session.run(sh`id -u`, {
        sudo: { kind: 'password', password: 'not-the-password' },
        timeoutMs: 30_000,
      }),
    );
    expect(error.code).toBe('SUDO_REFUSED');
    expect(error.message).toMatch(/stored sudo password/);
  });

  it('never writes the password to a host whose sudo does not ask for it', async () => {
    const session = await open(targetFor(plain));
    const result = await session.runChecked(sh`cat`, {
      sudo: { kind: 'password', password: 'must-not-arrive' },
      stdin: 'only this\n',
    });
    expect(result.stdout).toBe('only this\n');
  });
});

describe('jump hosts', () => {
  it('reaches a host through a bastion, and the bastion carries the session', async () => {
    const target = targetFor(other, undefined, { jump: targetFor(plain) });
    const session = await open(target);
    const result = await session.runChecked(sh`hostname`);
    expect(result.stdout.trim()).toBe(other.name);
    const onBastion = await lab.exec(plain, 'pgrep -a -u patchsvc sshd || true');
    expect(onBastion.stdout).toMatch(/sshd/);
    await session.close();
    expect(session.isOpen).toBe(false);
  });

  it('fails through a stopped bastion while the target itself is up', async () => {
    await lab.stopSshd(plain);
    try {
      const error = await appErrorOf(open(targetFor(other, undefined, { jump: targetFor(plain) })));
      expect(error.code).toBe('HOST_CONNECTION_REFUSED');
      expect(error.details).toMatchObject({ address: plain.address });
      const direct = await open(targetFor(other));
      expect((await direct.runChecked(sh`hostname`)).stdout.trim()).toBe(other.name);
    } finally {
      await lab.startSshd(plain);
    }
  });
});

describe('connection pool', () => {
  it('runs N commands over one TCP connection per host', async () => {
    const pool = new RunPool({
      connect: (t) => connect(t, { hostKeys: policyOf(ws) }),
      concurrency: 4,
    });
    try {
      const ports = new Set<string>();
      for (let i = 0; i < 8; i += 1) {
        const session = await pool.session(targetFor(plain));
        const out = await session.runChecked(sh`printf '%s' "$SSH_CONNECTION"`);
        ports.add(out.stdout.split(' ')[1] ?? '');
      }
      expect(ports.size).toBe(1);
      expect(pool.openedCount).toBe(1);
      await Promise.all([pool.session(targetFor(other)), pool.session(targetFor(other))]);
      expect(pool.openedCount).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('never has more hosts in flight than the limit', async () => {
    const pool = new RunPool({
      connect: (t) => connect(t, { hostKeys: policyOf(ws) }),
      concurrency: 2,
    });
    let inFlight = 0;
    let maxInFlight = 0;
    const items = [plain, other, plain, other, plain, other];
    const started = Date.now();
    try {
      const outcomes = await pool.forEachHost(items, async (host) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          const session = await pool.session(targetFor(host));
          return (await session.runChecked(sh`sleep 0.4; hostname`)).stdout.trim();
        } finally {
          inFlight -= 1;
        }
      });
      expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill('fulfilled'));
      expect(maxInFlight).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 400);
      expect(pool.openedCount).toBe(2);
    } finally {
      await pool.close();
    }
  });
});

async function waitForSocket(path: string): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    if (existsSync(path)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ssh-agent did not create ${path}`);
}
