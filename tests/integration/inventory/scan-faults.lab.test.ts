import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../../electron/core/db/migrations/index';
import { openWorkspace, type DurableWorkspace } from '../../../electron/core/db/open-workspace';
import {
  createInventory,
  type Inventory,
} from '../../../electron/core/inventory/inventory.handlers';
import { systemClock } from '../../../electron/core/platform/clock';
import { createEventBus } from '../../../electron/core/platform/events';
import type { HandlerContext } from '../../../electron/core/platform/handlers';
import { countingIds } from '../../../electron/core/platform/ids';
import { memoryLogger } from '../../../electron/core/platform/logger';
import { operations, type OpName, type OpOutput } from '../../../shared/api/contract';
import type { ScanRun } from '../../../shared/domain/assets';
import { makeTempDir, removeTempDirs } from '../../helpers/db-test-kit';
import { LAB_KEY_PASSPHRASE, startLab, type Impostor, type Lab, type LabHost } from '../../lab/lab';

/*
 * Scans real lab hosts with every fault the scanner must tell apart, through the inventory's own
 * handlers over a real workspace. The unreachable host is a loopback listener that accepts TCP
 * and never speaks SSH (a silent host: nothing outside 127.0.0.0/8 is touched); the timeout is a
 * lab host whose package query hangs.
 */

const HOST_TIMEOUT_MS = 25_000;
const CONNECT_TIMEOUT_MS = 4_000;

type Outcome = NonNullable<ScanRun['hosts'][number]['outcome']>;

describe('scanning real hosts with faults', () => {
  let lab: Lab;
  let ws: DurableWorkspace;
  let inventory: Inventory;
  let silent: Server;
  const silentSockets = new Set<Socket>();
  let impostor: Impostor | undefined;
  let releaseLock: (() => Promise<void>) | undefined;
  const events: { event: string; payload: unknown }[] = [];
  const ids: Record<string, string> = {};
  let hosts: Record<string, LabHost>;

  const ctx = (): HandlerContext => ({
    actor: {
      operatorId: 'op_admin',
      username: 'admin',
      displayName: 'Administrator',
      roles: ['administrator'],
      approverTeams: [],
    },
    session: undefined,
    now: new Date(),
    commit: (fn) => ws.transaction(fn),
    describe: () => undefined,
    identify: () => undefined,
  });

  /** Calls a handler with its input validated (and defaulted) by the contract, as dispatch does. */
  async function call<N extends OpName>(op: N, input: unknown): Promise<OpOutput<N>> {
    const parsed = operations[op].input.parse(input) as never;
    const handler = (inventory.handlers as Record<string, unknown>)[op] as (
      i: never,
      c: HandlerContext,
    ) => Promise<OpOutput<N>>;
    return handler(parsed, ctx());
  }

  async function scan(hostIds: string[]): Promise<ScanRun> {
    const { runId } = await call('scans.start', { hostIds, concurrency: 12 });
    await inventory.scanner.whenFinished(runId);
    return call('scans.get', { runId });
  }

  const outcomeOf = (run: ScanRun, name: string): Outcome => {
    const entry = run.hosts.find((h) => h.hostId === ids[name]);
    if (!entry?.outcome) throw new Error(`no outcome for ${name}`);
    return entry.outcome;
  };

  async function addHost(name: string, address: string, port: number, credentialId: string) {
    const host = await call('hosts.create', {
      name,
      address,
      port,
      username: 'patchsvc',
      credentialId,
    });
    ids[name] = host.id;
  }

  beforeAll(async () => {
    lab = await startLab({
      hosts: [
        {}, // healthy
        { rpm: true }, // rpm
        {}, // sshd stopped
        {}, // unknown key
        {}, // regenerated key
        {}, // impostor
        {}, // auth refused (wrong key)
        { sudoNeedsPassword: true }, // sudo password, none stored
        {}, // hanging package query
        {}, // dpkg lock held
        { tinyDiskMiB: 16 }, // tiny disk
      ],
    });
    const [
      healthy,
      rpm,
      stopped,
      unknown,
      regenerated,
      mitm,
      wrongKey,
      sudoPw,
      hanging,
      locked,
      tiny,
    ] = lab.hosts as [
      LabHost,
      LabHost,
      LabHost,
      LabHost,
      LabHost,
      LabHost,
      LabHost,
      LabHost,
      LabHost,
      LabHost,
      LabHost,
    ];
    hosts = {
      healthy,
      rpm,
      stopped,
      unknown,
      regenerated,
      mitm,
      wrongKey,
      sudoPw,
      hanging,
      locked,
      tiny,
    };

    ws = await openWorkspace({
      dir: makeTempDir(),
      clock: systemClock,
      log: memoryLogger(),
      migrations: MIGRATIONS,
    });
    const bus = createEventBus(memoryLogger());
    bus.subscribe((event, payload) => events.push({ event, payload }));
    inventory = createInventory({
      workspace: ws,
      clock: systemClock,
      ids: countingIds(),
      events: bus,
      log: memoryLogger(),
      scryptParams: { N: 2 ** 10, r: 8, p: 1 },
      scanner: {
        hostTimeoutMs: HOST_TIMEOUT_MS,
        sudoTimeoutMs: 10_000,
        connection: {
          connectTimeoutMs: CONNECT_TIMEOUT_MS,
          keepaliveIntervalMs: 2_000,
          agentSocket: undefined,
        },
      },
    });

    // Credentials: the service key (no secret, works without the vault), a key nobody authorized.
    const service = await call('credentials.create', {
      name: 'patchsvc key',
      kind: 'key',
      keyPath: healthy.userKeyPath,
      sudo: 'nopasswd',
    });
    const stranger = await call('credentials.create', {
      name: 'root key of another host',
      kind: 'key',
      keyPath: healthy.rootKeyPath,
      sudo: 'nopasswd',
    });
    for (const [name, host] of Object.entries(hosts)) {
      await addHost(name, host.address, host.port, name === 'wrongKey' ? stranger.id : service.id);
    }
    // The wrong key: patchsvc@wrongKey does not accept root's key of another host.
    expect(wrongKey.rootKeyPath).not.toBe(wrongKey.userKeyPath);

    // A silent host: accepts TCP on a loopback address and never says anything.
    silent = createServer((socket) => {
      silentSockets.add(socket);
      socket.on('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.97', resolve));
    await addHost('silent', '127.0.0.97', (silent.address() as { port: number }).port, service.id);

    // Pin every lab host's keys from a known_hosts file, except the host left unknown.
    const knownHosts = readFileSync(lab.knownHostsFile(), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith(`${unknown.address} `))
      .join('\n');
    const imported = await call('hostKeys.importKnownHosts', {
      source: {
        fileName: 'known_hosts',
        contentBase64: Buffer.from(`${knownHosts}\n`).toString('base64'),
      },
    });
    expect(imported.pinned).toBe(2 * 10);
    expect(imported.conflicts).toEqual([]);

    // The faults.
    await lab.stopSshd(stopped);
    await lab.regenerateHostKey(regenerated);
    impostor = await lab.startImpostor(mitm);
    releaseLock = await lab.holdDpkgLock(locked);
    const hang = await lab.exec(
      hanging,
      `printf '#!/bin/sh\\nexec sleep 3600\\n' > /usr/local/bin/dpkg-query && chmod 0755 /usr/local/bin/dpkg-query`,
    );
    expect(hang.code).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await releaseLock?.();
    await impostor?.stop();
    for (const socket of silentSockets) socket.destroy();
    silent?.close();
    await inventory?.close();
    await ws?.close();
    await lab?.stop();
    removeTempDirs();
  }, 300_000);

  it('classifies every fault and scans the healthy hosts', async () => {
    const run = await scan(Object.values(ids));
    const kinds = Object.fromEntries(
      Object.keys(ids).map((name) => [name, outcomeOf(run, name).failureKind]),
    );
    expect(kinds).toEqual({
      healthy: null,
      rpm: null,
      stopped: 'connection-refused',
      unknown: 'host-key-unknown',
      regenerated: 'host-key-changed',
      mitm: 'host-key-changed',
      wrongKey: 'auth-refused',
      sudoPw: 'sudo-password-required',
      hanging: 'timeout',
      locked: null,
      tiny: null,
      silent: 'unreachable',
    });
    for (const name of Object.keys(ids)) {
      const outcome = outcomeOf(run, name);
      if (outcome.status === 'failed') {
        expect(outcome.message, name).toBeTruthy();
        expect(outcome.action, name).toBeTruthy();
      }
    }
    // The impostor never saw an authentication request: no credentials were sent.
    expect(await impostor!.sawConnection()).toBe(true);
    expect(await impostor!.sawAuthAttempt()).toBe(false);

    // Unknown and changed keys wait for a decision, with the fingerprint the host presented.
    const pending = await call('hostKeys.pending', {});
    const byHost = new Map(pending.map((p) => [p.hostId, p]));
    const unknownSighting = byHost.get(ids['unknown']!);
    expect(unknownSighting?.kind).toBe('unknown');
    expect(hosts['unknown']!.hostKeys.map((k) => k.fingerprint)).toContain(
      unknownSighting?.fingerprint,
    );
    expect(byHost.get(ids['regenerated']!)).toMatchObject({ kind: 'changed' });
    expect(hosts['regenerated']!.hostKeys.map((k) => k.fingerprint)).toContain(
      byHost.get(ids['regenerated']!)?.fingerprint,
    );
    expect(impostor!.hostKeys.map((k) => k.fingerprint)).toContain(
      byHost.get(ids['mitm']!)?.fingerprint,
    );
    // A changed key cannot be accepted, only re-pinned.
    await expect(
      call('hostKeys.accept', {
        hostId: ids['regenerated'],
        fingerprint: byHost.get(ids['regenerated']!)!.fingerprint,
      }),
    ).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });

    // The RPM host and the Debian hosts report their families; the locked host scanned read-only.
    const rpm = await call('hosts.get', { hostId: ids['rpm'] });
    expect(rpm.osFamily).toBe('rhel');
    const locked = await call('hosts.get', { hostId: ids['locked'] });
    expect(locked.osFamily).toBe('debian');
    expect(locked.packageCount).toBeGreaterThan(50);
    // The tiny disk shows up in the facts with its real size.
    const tiny = await call('hosts.get', { hostId: ids['tiny'] });
    const root = tiny.facts?.disks.find((d) => d.mount === '/');
    expect(root?.totalBytes).toBeLessThanOrEqual(16 * 1024 * 1024);

    // Progress events named every state change, and the run finished.
    const progress = events.filter((e) => e.event === 'scans.progress');
    expect(progress.length).toBeGreaterThanOrEqual(Object.keys(ids).length * 2);
    expect(events.some((e) => e.event === 'scans.finished')).toBe(true);
  }, 300_000);

  it('scans a host once its key is accepted, and its packages equal dpkg-query on the host', async () => {
    const host = hosts['unknown']!;
    const [sighting] = (await call('hostKeys.pending', {})).filter(
      (p) => p.hostId === ids['unknown'],
    );
    await expect(
      call('hostKeys.accept', { hostId: ids['unknown'], fingerprint: `SHA256:${'A'.repeat(43)}` }),
    ).rejects.toMatchObject({ code: 'HOST_KEY_FINGERPRINT_MISMATCH' });
    const pinned = await call('hostKeys.accept', {
      hostId: ids['unknown'],
      fingerprint: sighting!.fingerprint,
    });
    expect(pinned).toMatchObject({
      fingerprint: sighting!.fingerprint,
      source: 'accepted',
      pinnedBy: 'op_admin',
    });

    const run = await scan([ids['unknown']!]);
    expect(outcomeOf(run, 'unknown')).toMatchObject({ status: 'ok' });

    const listed = await call('hosts.packages', { hostId: ids['unknown'], limit: 5000 });
    const onHost = await lab.exec(
      host,
      "dpkg-query -W -f '${Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n'",
    );
    expect(onHost.code).toBe(0);
    const expected = onHost.stdout
      .split('\n')
      .map((line) => line.split('\t'))
      .filter((f) => f.length === 4 && /^.[itW]/.test(f[3]!))
      .map(([name, version, arch]) => `${name} ${version} ${arch}`)
      .sort();
    expect(listed.total).toBe(expected.length);
    expect(listed.packages.map((p) => `${p.name} ${p.version} ${p.arch}`).sort()).toEqual(expected);
  }, 300_000);

  it('records exactly what changed when packages are installed, upgraded and removed', async () => {
    const host = hosts['unknown']!;
    const build = (name: string, version: string) =>
      lab.exec(
        host,
        [
          `d=$(mktemp -d) && mkdir -p "$d/DEBIAN"`,
          `printf 'Package: ${name}\\nVersion: ${version}\\nArchitecture: all\\nMaintainer: lab <lab@localhost>\\nDescription: lab package\\n' > "$d/DEBIAN/control"`,
          `dpkg-deb --build "$d" /tmp/${name}_${version}.deb >/dev/null && dpkg -i /tmp/${name}_${version}.deb >/dev/null`,
        ].join(' && '),
      );
    expect((await build('pd-probe-a', '1.0')).code).toBe(0);
    expect((await build('pd-probe-b', '1.0')).code).toBe(0);
    expect(outcomeOf(await scan([ids['unknown']!]), 'unknown').status).toBe('ok');

    expect((await build('pd-probe-a', '2.0')).code).toBe(0);
    expect((await lab.exec(host, 'dpkg -r pd-probe-b >/dev/null')).code).toBe(0);
    expect((await build('pd-probe-c', '1.0')).code).toBe(0);
    expect(outcomeOf(await scan([ids['unknown']!]), 'unknown').status).toBe('ok');

    const [latest] = await call('hosts.scanHistory', { hostId: ids['unknown'], limit: 1 });
    expect(latest).toMatchObject({ added: 1, removed: 1, changed: 1 });
    const diff = await call('hosts.scanDiff', { scanId: latest!.id });
    expect(diff.added).toEqual([{ name: 'pd-probe-c', version: '1.0', arch: 'all', kind: 'deb' }]);
    expect(diff.removed).toEqual([
      { name: 'pd-probe-b', version: '1.0', arch: 'all', kind: 'deb' },
    ]);
    expect(diff.changed).toEqual([{ name: 'pd-probe-a', arch: 'all', from: '1.0', to: '2.0' }]);
    expect(diff.previousScanId).not.toBeNull();
  }, 300_000);

  it('fails cleanly when the host reboots mid-scan, and the next scan works', async () => {
    const host = hosts['hanging']!;
    // The package query now takes 20 s, long enough to reboot the host in the middle of it.
    await lab.exec(
      host,
      `printf '#!/bin/sh\\nsleep 20\\nexec /usr/bin/dpkg-query "$@"\\n' > /usr/local/bin/dpkg-query`,
    );
    const { runId } = await call('scans.start', { hostIds: [ids['hanging']], concurrency: 1 });
    await expect
      .poll(() => inventory.scanner.get(runId)?.hosts[0]?.state, { timeout: 20_000, interval: 100 })
      .toBe('collecting');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await lab.reboot(host, 2_000);
    await inventory.scanner.whenFinished(runId);
    const failed = await call('scans.get', { runId });
    expect(failed.hosts[0]?.outcome?.status).toBe('failed');
    expect(['unreachable', 'command-failed']).toContain(failed.hosts[0]?.outcome?.failureKind);

    await lab.waitUntilUp(host);
    await lab.exec(host, 'rm -f /usr/local/bin/dpkg-query');
    const again = await scan([ids['hanging']!]);
    expect(outcomeOf(again, 'hanging').status).toBe('ok');
  }, 300_000);

  it('scans with a passphrase-protected key only while the vault is unlocked', async () => {
    const host = hosts['healthy']!;
    await call('vault.setup', { passphrase: 'lab vault passphrase' });
    const sealedKey = await call('credentials.create', {
      name: 'encrypted patchsvc key',
      kind: 'key',
      keyPath: host.encryptedUserKeyPath,
      passphrase: LAB_KEY_PASSPHRASE,
      sudo: 'nopasswd',
    });
    await call('hosts.update', { hostId: ids['healthy'], credentialId: sealedKey.id });
    expect(outcomeOf(await scan([ids['healthy']!]), 'healthy').status).toBe('ok');
    await call('vault.lock', {});
    expect(outcomeOf(await scan([ids['healthy']!]), 'healthy')).toMatchObject({
      status: 'failed',
      failureKind: 'credentials-locked',
    });
  }, 300_000);
});
