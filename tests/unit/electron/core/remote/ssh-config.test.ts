import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  parseSshConfig,
  resolveSshConfigHost,
} from '../../../../../electron/core/remote/ssh-config';
import { AppError } from '../../../../../shared/api/errors';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const scratch = mkdtempSync(join(tmpdir(), 'patchdeck-sshconfig-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const defaults = { homeDir: '/home/tech', connectTimeoutMs: 10_000, keepaliveIntervalMs: 15_000 };

const CONFIG = `
# Site A
Host bastion
  HostName 10.1.0.1
  User jump
  Port 2222
  IdentityFile ~/.ssh/id_bastion

Host inner-bastion
  HostName 10.2.0.1
  User jump2
  IdentityFile /keys/inner

Host web01
  HostName 10.1.0.21
  User patchsvc
  IdentityFile ~/.ssh/id_patch
  IdentityFile ~/.ssh/id_other
  ProxyJump bastion

Host db01
  HostName %h.site-a.example
  ProxyJump bastion,inner-bastion

Host direct
  HostName 10.1.0.30
  ProxyJump none

Host agent-host
  HostName 10.1.0.31
  IdentityAgent /run/agent.sock

Host *
  User defaultuser
  IdentityFile ~/.ssh/id_default
`;

describe('resolveSshConfigHost', () => {
  const config = parseSshConfig(CONFIG);

  it('resolves HostName, User, Port, the first IdentityFile and a one-hop ProxyJump', () => {
    const target = resolveSshConfigHost(config, 'web01', defaults);
    expect(target).toMatchObject({
      address: '10.1.0.21',
      port: 22,
      username: 'patchsvc',
      auth: { kind: 'key', privateKeyPath: '/home/tech/.ssh/id_patch' },
      jump: {
        address: '10.1.0.1',
        port: 2222,
        username: 'jump',
        auth: { kind: 'key', privateKeyPath: '/home/tech/.ssh/id_bastion' },
      },
    });
    expect(target.jump?.jump).toBeUndefined();
  });

  it('resolves a chain: the first hop is reached first, the target through the last', () => {
    const target = resolveSshConfigHost(config, 'db01', defaults);
    expect(target.address).toBe('db01.site-a.example');
    expect(target.username).toBe('defaultuser');
    expect(target.jump?.address).toBe('10.2.0.1');
    expect(target.jump?.username).toBe('jump2');
    expect(target.jump?.jump?.address).toBe('10.1.0.1');
    expect(target.jump?.jump?.jump).toBeUndefined();
  });

  it('honours ProxyJump none, user@host:port hops and IdentityAgent', () => {
    expect(resolveSshConfigHost(config, 'direct', defaults).jump).toBeUndefined();
    const hop = resolveSshConfigHost(
      parseSshConfig(
        'Host t\n  HostName 10.9.0.1\n  User a\n  IdentityFile /k\n  ProxyJump ops@10.9.0.254:2200\n',
      ),
      't',
      defaults,
    );
    expect(hop.jump).toMatchObject({ address: '10.9.0.254', port: 2200, username: 'ops' });
    const agent = resolveSshConfigHost(
      parseSshConfig('Host a\n  HostName 10.1.0.31\n  User u\n  IdentityAgent /run/agent.sock\n'),
      'a',
      defaults,
    );
    expect(agent.auth).toEqual({ kind: 'agent', socketPath: '/run/agent.sock' });
  });

  it('refuses ProxyCommand instead of running it', () => {
    const marker = join(scratch, 'proxycommand-ran');
    const text = `Host evil\n  HostName 10.0.0.9\n  User u\n  IdentityFile /k\n  ProxyCommand touch ${marker}\n`;
    const error = errorOf(() => resolveSshConfigHost(parseSshConfig(text), 'evil', defaults));
    expect(error.code).toBe('SSH_CONFIG_UNSUPPORTED');
    expect(error.message).toMatch(/ProxyCommand/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses Match exec without running its command, and Include', () => {
    const marker = join(scratch, 'match-exec-ran');
    const text = `Match exec "touch ${marker}"\n  User x\nHost h\n  User u\n`;
    expect(() => parseSshConfig(text)).toThrowError(
      expect.objectContaining({ code: 'SSH_CONFIG_UNSUPPORTED' }),
    );
    expect(existsSync(marker)).toBe(false);
    expect(() => parseSshConfig('Include ~/.ssh/config.d/*\n')).toThrowError(
      expect.objectContaining({ code: 'SSH_CONFIG_UNSUPPORTED' }),
    );
  });

  it('refuses CanonicalizeHostName, which would look names up in DNS, and allows "no"', () => {
    const text = 'CanonicalizeHostName yes\nCanonicalDomains plant.example\nHost h\n  User u\n';
    expect(() => parseSshConfig(text)).toThrowError(
      expect.objectContaining({ code: 'SSH_CONFIG_UNSUPPORTED' }),
    );
    const off = parseSshConfig(
      'CanonicalizeHostName no\nHost h\n  HostName 127.0.0.1\n  User u\n  IdentityFile /k\n',
    );
    expect(resolveSshConfigHost(off, 'h', defaults).address).toBe('127.0.0.1');
  });

  it('refuses hostile host names, ports and ProxyJump loops', () => {
    const hostile = parseSshConfig(
      'Host h\n  HostName -oProxyCommand=calc\n  User u\n  IdentityFile /k\n',
    );
    expect(() => resolveSshConfigHost(hostile, 'h', defaults)).toThrowError(
      expect.objectContaining({ code: 'UNSAFE_REMOTE_ARGUMENT' }),
    );
    const port = parseSshConfig(
      'Host h\n  HostName 10.0.0.1\n  User u\n  Port 70000\n  IdentityFile /k\n',
    );
    expect(() => resolveSshConfigHost(port, 'h', defaults)).toThrowError(
      expect.objectContaining({ code: 'SSH_CONFIG_UNSUPPORTED' }),
    );
    const loop = parseSshConfig(
      'Host a\n  User u\n  IdentityFile /k\n  ProxyJump b\nHost b\n  User u\n  IdentityFile /k\n  ProxyJump a\n',
    );
    const looped = errorOf(() => resolveSshConfigHost(loop, 'a', defaults));
    expect(looped.code).toBe('SSH_CONFIG_UNSUPPORTED');
    expect(looped.message).toMatch(/loop/);
  });

  it('says what is missing when there is no user or key', () => {
    const noUser = errorOf(() =>
      resolveSshConfigHost(parseSshConfig('Host h\n  HostName 10.0.0.1\n'), 'h', defaults),
    );
    expect(noUser.message).toMatch(/No User/);
    const noKey = errorOf(() =>
      resolveSshConfigHost(
        parseSshConfig('Host h\n  HostName 10.0.0.1\n  User u\n'),
        'h',
        defaults,
      ),
    );
    expect(noKey.message).toMatch(/IdentityFile/);
  });
});
