import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { manualClock } from '../../../electron/core/platform/clock';
import { collectFacts } from '../../../electron/core/remote/facts/collect';
import type { HostKeyPolicy } from '../../../electron/core/remote/host-keys';
import type { RemoteSession } from '../../../electron/core/remote/session';
import { connect } from '../../../electron/core/remote/ssh-connection';
import { HostFactsSchema } from '../../../shared/domain/host-facts';
import { startLab, type Lab, type LabHost } from '../../lab/lab';
import { LAB_RPM_BASELINE } from '../../lab/rpm-packages';

let lab: Lab;
let debianHost: LabHost;
let rpmHost: LabHost;

/** Trusts exactly the keys the lab generated for each host's address. */
const labKeys: HostKeyPolicy = {
  check: (key) =>
    lab.hosts.some(
      (host) =>
        host.address === key.address &&
        host.hostKeys.some((known) => known.fingerprint === key.fingerprint),
    )
      ? { status: 'trusted' }
      : { status: 'unknown' },
};

/** Connects as the unprivileged service account: collecting facts needs no root. */
function open(host: LabHost): Promise<RemoteSession> {
  return connect(
    {
      address: host.address,
      port: host.port,
      username: host.user,
      auth: { kind: 'key', privateKeyPath: host.userKeyPath },
      connectTimeoutMs: 15_000,
      keepaliveIntervalMs: 0,
    },
    { hostKeys: labKeys },
  );
}

async function inHost(host: LabHost, command: string): Promise<string> {
  const result = await lab.exec(host, command);
  if (result.code !== 0) throw new Error(`lab exec failed (${command}): ${result.stderr}`);
  return result.stdout;
}

const machine = (command: string, ...args: string[]) =>
  execFileSync(command, args, { encoding: 'utf8' }).trim();

beforeAll(async () => {
  lab = await startLab({ hosts: [{}, { rpm: true }] });
  [debianHost, rpmHost] = lab.hosts as [LabHost, LabHost];
});

afterAll(async () => {
  await lab?.stop();
});

describe('facts from a real Debian lab host over SSH', () => {
  it('sees the host itself: its name, its own dpkg state, its sshd, its reboot flag', async () => {
    // Per-host state: a package that exists only in this host's dpkg database.
    await inHost(
      debianHost,
      [
        'set -e',
        'rm -rf /tmp/pd-facts-probe && mkdir -p /tmp/pd-facts-probe/DEBIAN',
        "printf 'Package: pd-facts-probe\\nVersion: 1.2.3-4\\nArchitecture: all\\nMaintainer: PatchDeck <ops@example.invalid>\\nDescription: scan probe\\n' > /tmp/pd-facts-probe/DEBIAN/control",
        'dpkg-deb --build /tmp/pd-facts-probe /tmp/pd-facts-probe.deb >/dev/null',
        'dpkg -i /tmp/pd-facts-probe.deb >/dev/null',
        'rm -f /var/run/reboot-required /var/run/reboot-required.pkgs',
      ].join('\n'),
    );
    const session = await open(debianHost);
    try {
      const clock = manualClock('2026-05-04T03:02:01.000Z');
      const facts = await collectFacts(session, { clock });
      expect(HostFactsSchema.safeParse(facts).success).toBe(true);
      expect(facts.osFamily).toBe('debian');
      expect(facts.hostname).toBe(debianHost.name);
      // Lab hosts share the machine's kernel.
      expect(facts.kernel).toBe(machine('uname', '-r'));
      expect(facts.arch).toBe(machine('uname', '-m'));
      const machineUptime = Number(readFileSync('/proc/uptime', 'utf8').split('.')[0]);
      expect(Math.abs(facts.uptimeSeconds - machineUptime)).toBeLessThanOrEqual(5);
      expect(facts.collectedAt).toBe('2026-05-04T03:02:01.000Z');
      expect(facts.disks.find((d) => d.mount === '/')?.totalBytes).toBeGreaterThan(0);

      const dpkg = (
        await inHost(
          debianHost,
          "dpkg-query -W -f '${Package}\\t${Version}\\t${Architecture}\\t${Status}\\n'",
        )
      )
        .split('\n')
        .filter((line) => / (installed|triggers-pending|triggers-awaited)$/.test(line))
        .map((line) => line.split('\t').slice(0, 3).join('\t'))
        .sort();
      expect(facts.packages.map((p) => `${p.name}\t${p.version}\t${p.arch}`).sort()).toEqual(dpkg);
      expect(facts.packages).toContainEqual({
        name: 'pd-facts-probe',
        version: '1.2.3-4',
        arch: 'all',
        kind: 'deb',
      });
      expect(machine('sh', '-c', 'dpkg-query -W pd-facts-probe 2>&1 || true')).toMatch(
        /no packages found/,
      );

      expect(facts.services).toContainEqual(
        expect.objectContaining({ protocol: 'tcp', address: debianHost.address, port: 22 }),
      );
      expect(facts.rebootRequired).toBe(false);

      await inHost(
        debianHost,
        "echo '*** System restart required ***' > /var/run/reboot-required && echo libc6 > /var/run/reboot-required.pkgs",
      );
      const after = await collectFacts(session, { family: 'debian', clock });
      expect(after.rebootRequired).toBe(true);
      expect(after.rebootReason).toBe('restart requested by libc6');

      await inHost(debianHost, 'dpkg --purge pd-facts-probe >/dev/null');
      const removed = await collectFacts(session, { family: 'debian', clock });
      expect(removed.packages.map((p) => p.name)).not.toContain('pd-facts-probe');
      expect(removed.packages).toHaveLength(facts.packages.length - 1);
    } finally {
      await session.close();
    }
  });
});

describe('facts from the RPM-family lab host over SSH', () => {
  // Real: the rpm binary and the rpm database in the host, with packages built by rpmbuild and
  // installed with rpm -i. Staged: /etc/os-release, written into the host's layer as Rocky 9.3.
  it('detects rhel from os-release and lists the rpm database the lab installed', async () => {
    const session = await open(rpmHost);
    try {
      const facts = await collectFacts(session, { clock: manualClock() });
      expect(HostFactsSchema.safeParse(facts).success).toBe(true);
      expect(facts).toMatchObject({
        osFamily: 'rhel',
        osId: 'rocky',
        osName: 'Rocky Linux',
        osVersion: '9.3',
        osCodename: null,
        hostname: rpmHost.name,
        kernel: machine('uname', '-r'),
        arch: machine('uname', '-m'),
        rebootRequired: false,
      });
      const expected = LAB_RPM_BASELINE.map((spec) => ({
        name: spec.name,
        version: `0:${spec.version}-${spec.release}`,
        arch: spec.arch ?? 'x86_64',
        kind: 'rpm',
      }));
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect([...facts.packages].sort(byName)).toEqual(expected.sort(byName));
      const rpmQa = (await inHost(rpmHost, 'rpm -qa')).trim().split('\n').sort();
      expect(facts.packages.map((p) => `${p.name}-${p.version.slice(2)}.${p.arch}`).sort()).toEqual(
        rpmQa,
      );
      expect(facts.services).toContainEqual(
        expect.objectContaining({ protocol: 'tcp', address: rpmHost.address, port: 22 }),
      );
    } finally {
      await session.close();
    }
  });
});
