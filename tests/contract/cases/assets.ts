import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ApiClient } from '../../../shared/api/client';
import type { assetOperations } from '../../../shared/api/ops/assets';

import type { AreaCases, State } from './case';

/** Every operation of the assets area. */
type AssetOp = keyof typeof assetOperations;

/** The address of the contract's host: port 1 on a loopback address, which refuses at once. */
const REFUSING_HOST = { address: '127.0.0.99', port: 1 };

const VAULT_PASSPHRASE = 'contract-vault-passphrase';

/**
 * A real OpenSSH server that only shows its host key: each connection on a loopback port gets
 * its own `sshd -i` (as `nobody` when run as root, so no privilege-separation folder is needed).
 * The key it presents can be swapped to play a host whose key changed.
 */
type KeyServer = { address: string; port: number; useKey(index: 0 | 1): void; stop(): void };

const keyServers = new Set<KeyServer>();
process.once('exit', () => {
  for (const server of keyServers) server.stop();
});

async function startKeyServer(): Promise<KeyServer> {
  const dir = mkdtempSync(join(tmpdir(), 'patchdeck-contract-sshd-'));
  const keys = [join(dir, 'host_key_a'), join(dir, 'host_key_b')];
  for (const key of keys) {
    const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    if (made.status !== 0) throw new Error(`ssh-keygen failed: ${String(made.stderr)}`);
  }
  const config = (key: string) => {
    const path = `${key}.config`;
    writeFileSync(
      path,
      `HostKey ${key}\nPidFile none\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nAuthorizedKeysFile none\n`,
    );
    return path;
  };
  const configs = keys.map(config);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    for (const path of [dir, ...keys, ...configs]) chownSync(path, 65534, 65534);
  }
  let current = 0;
  const children = new Set<ChildProcess>();
  const server: Server = createServer((socket) => {
    const args = ['-i', '-f', configs[current]!];
    const child = asRoot
      ? spawn('setpriv', [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          '/usr/sbin/sshd',
          ...args,
        ])
      : spawn('/usr/sbin/sshd', args);
    children.add(child);
    child.once('exit', () => {
      children.delete(child);
      socket.destroy();
    });
    child.stdout?.pipe(socket);
    socket.pipe(child.stdin);
    socket.on('error', () => child.kill());
    child.stdin?.on('error', () => undefined);
  });
  const address = '127.0.0.98';
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as { port: number }).port;
  const handle: KeyServer = {
    address,
    port,
    useKey: (index) => {
      current = index;
    },
    stop: () => {
      keyServers.delete(handle);
      for (const child of children) child.kill();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  keyServers.add(handle);
  return handle;
}

/** The key server of each contract run, by the state object of the run. */
const serverOf = new WeakMap<State, KeyServer>();

/** A known_hosts file naming the refusing host, one malformed line and one revoked key. */
function knownHostsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchdeck-contract-kh-'));
  try {
    const key = join(dir, 'k');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const other = join(dir, 'r');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const pub = readFileSync(`${key}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const revoked = readFileSync(`${other}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const text = [
      `[${REFUSING_HOST.address}]:${REFUSING_HOST.port} ${pub}`,
      'this line is not a known_hosts entry',
      `@revoked * ${revoked}`,
      '',
    ].join('\n');
    return Buffer.from(text).toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitForRun(client: ApiClient, runId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const run = await client.call('scans.get', { runId });
    if (run.finishedAt !== null) return;
    if (Date.now() > deadline) throw new Error(`scan run ${runId} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const need = (state: State, name: string): string => {
  const value = state.vars[name];
  if (value === undefined) throw new Error(`an earlier case did not record ${name}`);
  return value;
};

/**
 * The assets area: vault, credentials, hosts, a scan (of a host that refuses connections, so it
 * finishes at once), host keys against a real sshd that shows its key, EOL, then imports.
 */
export const assetCases: AreaCases<AssetOp> = {
  'vault.status': { invalid: { open: true }, valid: () => ({}) },
  'vault.setup': {
    invalid: { passphrase: '' },
    valid: () => ({ passphrase: VAULT_PASSPHRASE }),
  },
  'vault.lock': { invalid: { now: true }, valid: () => ({}) },
  'vault.unlock': {
    invalid: { passphrase: 42 },
    valid: () => ({ passphrase: VAULT_PASSPHRASE }),
  },
  'credentials.create': {
    invalid: { name: 'x', kind: 'telepathy' },
    valid: () => ({
      name: 'contract service account',
      kind: 'password',
      password: 'contract-ssh-password',
      sudo: 'password',
      sudoPassword: 'contract-sudo-password',
    }),
    then: (credential, state) => {
      state.vars['credentialId'] = credential.id;
    },
  },
  'credentials.list': { invalid: { kind: 'key' }, valid: () => ({}) },
  'credentials.update': {
    invalid: { credentialId: '' },
    valid: (state) => ({ credentialId: need(state, 'credentialId'), name: 'contract account' }),
  },
  'hosts.create': {
    invalid: { address: '-oProxyCommand=calc', username: 'root' },
    valid: (state) => ({
      name: 'contract-host',
      address: REFUSING_HOST.address,
      port: REFUSING_HOST.port,
      username: 'patchsvc',
      credentialId: need(state, 'credentialId'),
      tier: 1,
      tags: ['contract'],
    }),
    then: (host, state) => {
      state.vars['hostId'] = host.id;
    },
  },
  'hosts.list': {
    invalid: { limit: 0 },
    valid: () => ({ filter: { tag: 'contract' }, sort: { key: 'tier', direction: 'asc' } }),
  },
  'hosts.get': { invalid: { hostId: '' }, valid: (state) => ({ hostId: need(state, 'hostId') }) },
  'hosts.update': {
    invalid: { hostId: 'x', tier: 7 },
    valid: (state) => ({ hostId: need(state, 'hostId'), owner: 'Contract Team' }),
  },
  'scans.start': {
    invalid: { concurrency: 0 },
    valid: (state) => ({ hostIds: [need(state, 'hostId')], concurrency: 2 }),
    then: async (started, state, client) => {
      state.vars['runId'] = started.runId;
      await waitForRun(client, started.runId);
    },
  },
  'scans.get': { invalid: { runId: 7 }, valid: (state) => ({ runId: need(state, 'runId') }) },
  'scans.active': { invalid: { all: true }, valid: () => ({}) },
  'hosts.scanHistory': {
    invalid: { hostId: 'x', limit: 501 },
    valid: (state) => ({ hostId: need(state, 'hostId') }),
    then: (records, state) => {
      const first = records[0];
      if (!first) throw new Error('the finished scan is not in the history');
      state.vars['scanId'] = first.id;
    },
  },
  'hosts.scanDiff': {
    invalid: { scanId: '' },
    valid: (state) => ({ scanId: need(state, 'scanId') }),
  },
  'hosts.packages': {
    invalid: { hostId: 'x', limit: 0 },
    valid: (state) => ({ hostId: need(state, 'hostId'), search: 'lib' }),
  },
  'hostKeys.list': { invalid: { hostId: 3 }, valid: () => ({}) },
  'hostKeys.pending': {
    invalid: { hostId: 'x' },
    valid: () => ({}),
    then: async (_pending, state, client) => {
      const server = await startKeyServer();
      serverOf.set(state, server);
      const host = await client.call('hosts.create', {
        name: 'contract-keyed-host',
        address: server.address,
        port: server.port,
        username: 'patchsvc',
      });
      state.vars['keyedHostId'] = host.id;
    },
  },
  'hostKeys.probe': {
    invalid: {},
    valid: (state) => ({ hostId: need(state, 'keyedHostId') }),
    then: (probe, state) => {
      state.vars['presentedFingerprint'] = probe.fingerprint;
    },
  },
  'hostKeys.accept': {
    invalid: { hostId: 'x', fingerprint: 'MD5:00:11' },
    valid: (state) => ({
      hostId: need(state, 'keyedHostId'),
      fingerprint: need(state, 'presentedFingerprint'),
    }),
    then: async (_pinned, state, client) => {
      // The host now shows another key: a probe records the change for an administrator.
      serverOf.get(state)?.useKey(1);
      const probe = await client.call('hostKeys.probe', { hostId: need(state, 'keyedHostId') });
      state.vars['changedFingerprint'] = probe.fingerprint;
    },
  },
  'hostKeys.repin': {
    invalid: { hostId: 'x', fingerprint: 'SHA256:short', reason: '' },
    valid: (state) => ({
      hostId: need(state, 'keyedHostId'),
      fingerprint: need(state, 'changedFingerprint'),
      reason: 'The host was rebuilt from its image.',
    }),
    then: (_pinned, state) => {
      serverOf.get(state)?.stop();
      serverOf.delete(state);
    },
  },
  'hostKeys.importKnownHosts': {
    invalid: { source: { path: '' } },
    valid: () => ({ source: { fileName: 'known_hosts', contentBase64: knownHostsFile() } }),
  },
  'hosts.importSshConfig': {
    invalid: { source: { fileName: 'config', contentBase64: '' }, credentialId: 7 },
    valid: () => ({
      source: {
        fileName: 'config',
        contentBase64: Buffer.from(
          'Host contract-bastion\n  HostName 10.77.1.1\n' +
            'Host contract-app\n  HostName 10.77.1.2\n  ProxyJump contract-bastion\n' +
            'Host *\n  User patchsvc\n',
        ).toString('base64'),
      },
    }),
  },
  'eol.info': { invalid: { product: 'debian' }, valid: () => ({}) },
  'imports.preview': {
    invalid: { format: 'pdf', source: { path: '' } },
    valid: () => ({
      format: 'csv',
      source: {
        fileName: 'cmdb.csv',
        contentBase64: Buffer.from('Hostname,IP\nimported-1,10.77.0.1\n').toString('base64'),
      },
    }),
    then: (preview, state) => {
      state.vars['importId'] = preview.importId;
    },
  },
  'imports.reconcile': {
    invalid: { importId: '', mapping: {} },
    valid: (state) => ({
      importId: need(state, 'importId'),
      mapping: { name: 'Hostname', address: 'IP' },
    }),
  },
  'imports.apply': {
    invalid: { importId: 'x', decisions: [{ key: 'new:2', decision: 'maybe' }] },
    valid: (state) => ({
      importId: need(state, 'importId'),
      decisions: [{ key: 'new:2', decision: 'skip' }],
    }),
  },
  'hosts.delete': {
    invalid: { hostIds: [] },
    valid: (state) => ({ hostIds: [need(state, 'hostId'), need(state, 'keyedHostId')] }),
  },
  'credentials.delete': {
    invalid: { credentialId: '' },
    valid: (state) => ({ credentialId: need(state, 'credentialId') }),
  },
};
