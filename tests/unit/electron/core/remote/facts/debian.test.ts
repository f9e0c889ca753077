import { describe, expect, it } from 'vitest';

import {
  debianAdapter,
  parseDebianReboot,
  parseDpkgPackages,
} from '../../../../../../electron/core/remote/facts/debian';
import { ScanNotes } from '../../../../../../electron/core/remote/facts/parse-kit';
import { HostFactsSchema } from '../../../../../../shared/domain/host-facts';

import { runLocally } from './local-shell';

const NONCE = 'c0ffee0123456789';

async function scanThisMachine() {
  const result = await runLocally(debianAdapter.command(NONCE));
  const collectedAt = new Date();
  return {
    result,
    collectedAt,
    facts: debianAdapter.parse(result, { nonce: NONCE, collectedAt, address: 'this machine' }),
  };
}

/** dpkg's own view, through a different field (the long `Status`) than the scan uses. */
async function installedByDpkg(): Promise<string[]> {
  const { stdout } = await runLocally(
    "dpkg-query -W -f '${Package}\\t${Version}\\t${Architecture}\\t${Status}\\n'",
  );
  return stdout
    .split('\n')
    .filter((line) => / (installed|triggers-pending|triggers-awaited)$/.test(line))
    .map((line) => line.split('\t').slice(0, 3).join('\t'))
    .sort();
}

describe("Debian facts, from the real script run by this machine's /bin/sh", () => {
  it('lists exactly the packages dpkg says are installed', async () => {
    const { facts } = await scanThisMachine();
    const expected = await installedByDpkg();
    expect(expected.length).toBeGreaterThan(100);
    expect(facts.packages.map((p) => `${p.name}\t${p.version}\t${p.arch}`).sort()).toEqual(
      expected,
    );
    expect(new Set(facts.packages.map((p) => p.kind))).toEqual(new Set(['deb']));
  });

  it('reads the OS, kernel, machine, host name and uptime the machine reports', async () => {
    const { facts, collectedAt } = await scanThisMachine();
    const uname = (await runLocally('uname -r; uname -m; uname -n')).stdout.trim().split('\n');
    const release = (
      await runLocally('. /etc/os-release && echo "$ID|$VERSION_ID|$VERSION_CODENAME"')
    ).stdout.trim();
    const dpkgArch = (await runLocally('dpkg --print-architecture')).stdout.trim();
    const uptime = Number((await runLocally('cut -d. -f1 /proc/uptime')).stdout.trim());
    expect([facts.kernel, facts.arch, facts.hostname]).toEqual(uname);
    expect(`${facts.osId}|${facts.osVersion}|${facts.osCodename ?? ''}`).toBe(release);
    expect(facts.osFamily).toBe('debian');
    expect(facts.packageArch).toBe(dpkgArch);
    expect(Math.abs(facts.uptimeSeconds - uptime)).toBeLessThanOrEqual(2);
    const boot = Date.parse(facts.lastBoot ?? '');
    expect(Math.abs(collectedAt.getTime() - facts.uptimeSeconds * 1000 - boot)).toBeLessThan(5_000);
    expect(HostFactsSchema.safeParse(facts).success).toBe(true);
  });

  it('reports the free space df reports for /', async () => {
    const dfRoot = async () =>
      (await runLocally("df -P -B1 / | awk 'NR==2 {print $2, $4}'")).stdout
        .trim()
        .split(' ')
        .map(Number);
    // Other test files write to the same disk while this runs: read df just before and just
    // after the scan, and expect the scan's figure between the two, with 256 MiB of slack
    // (a unit or column mistake is off by far more).
    const [total, before = 0] = await dfRoot();
    const { facts } = await scanThisMachine();
    const [, after = 0] = await dfRoot();
    const root = facts.disks.find((d) => d.mount === '/');
    expect(root?.totalBytes).toBe(total);
    const slack = 256 * 1024 * 1024;
    expect(root?.freeBytes ?? 0).toBeGreaterThanOrEqual(Math.min(before, after) - slack);
    expect(root?.freeBytes ?? 0).toBeLessThanOrEqual(Math.max(before, after) + slack);
  });

  it('sees the sockets ss sees listening', async () => {
    const { facts } = await scanThisMachine();
    const { stdout } = await runLocally("ss -H -ltn | awk '{print $4}'");
    const ports = new Set(
      stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((a) => Number(a.slice(a.lastIndexOf(':') + 1))),
    );
    expect(new Set(facts.services.filter((s) => s.protocol === 'tcp').map((s) => s.port))).toEqual(
      ports,
    );
  });

  it('counts malformed and removed-but-configured lines instead of trusting them', () => {
    const notes = new ScanNotes();
    const packages = parseDpkgPackages(
      [
        'openssl\t3.0.11-1~deb12u2\tamd64\tii ',
        'oldpkg\t1.0-1\tamd64\trc ',
        'halfway\t2.0\tamd64\tiU ',
        'pending\t1.1\tall\tit ',
        'bad name\t1\tamd64\tii ',
        'too\tmany\tfields\there\tii ',
        'openssl\t$(id)\tamd64\tii ',
      ],
      notes,
    );
    expect(packages.map((p) => p.name)).toEqual(['openssl', 'pending']);
    expect(notes.malformedCount('packages')).toBe(3);
    expect(notes.list()).toContain('packages: ignored 3 malformed lines');
  });

  it("takes the reboot flag and its reason from apt's reboot-required files", () => {
    expect(parseDebianReboot(null)).toEqual({ rebootRequired: false, rebootReason: null });
    expect(parseDebianReboot([])).toEqual({ rebootRequired: false, rebootReason: null });
    expect(parseDebianReboot(['required', 'linux-image-6.1.0-18-amd64', 'libc6', 'libc6'])).toEqual(
      {
        rebootRequired: true,
        rebootReason: 'restart requested by linux-image-6.1.0-18-amd64, libc6',
      },
    );
    expect(parseDebianReboot(['required']).rebootReason).toMatch(/reboot-required is present/);
  });

  it('ignores section markers the host did not get from this scan', async () => {
    const { result } = await scanThisMachine();
    // A process name shown by ss could carry a marker with a guessed nonce and a fake package.
    const forged = result.stdout.replace(
      `@@${NONCE}@@ begin ss\n`,
      `@@${NONCE}@@ begin ss\n@@deadbeef@@ begin packages\nevil\t1\tamd64\tii \n`,
    );
    const facts = debianAdapter.parse(
      { ...result, stdout: forged },
      { nonce: NONCE, collectedAt: new Date(), address: 'this machine' },
    );
    expect(facts.packages.map((p) => p.name)).not.toContain('evil');
    expect(facts.packages.length).toBe((await installedByDpkg()).length);
    expect(facts.warnings).toContain('services: ignored 2 malformed lines');
  });

  it('fails clearly when the host has no dpkg-query', async () => {
    const { result } = await scanThisMachine();
    const withoutDpkg = result.stdout.replace(
      new RegExp(`@@${NONCE}@@ begin packages\\n[\\s\\S]*@@${NONCE}@@ end packages 0`),
      `@@${NONCE}@@ begin packages\n\n@@${NONCE}@@ end packages 127`,
    );
    const scan = () =>
      debianAdapter.parse(
        { ...result, stdout: withoutDpkg },
        { nonce: NONCE, collectedAt: new Date(), address: '10.0.0.5' },
      );
    expect(scan).toThrowError(/10\.0\.0\.5.*"packages" step found no such tool.*dpkg-query/);
    expect(scan).toThrowError(expect.objectContaining({ code: 'REMOTE_COMMAND_FAILED' }));
  });
});
