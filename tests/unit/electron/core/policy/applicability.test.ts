import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import {
  evaluateHost,
  hostStatuses,
  osMatches,
  ownApplicability,
  prepareCatalog,
  supersedersOf,
  supersessionIndex,
  type HostState,
  type ApplicabilityPatch,
} from '../../../../../electron/core/policy/applicability';
import type { InstalledPackage } from '../../../../../shared/domain/host-facts';

/** A Debian 12 host with the packages given. */
function debianHost(packages: InstalledPackage[]): HostState {
  return {
    osFamily: 'debian',
    osId: 'debian',
    osName: 'Debian GNU/Linux',
    osVersion: '12',
    osCodename: 'bookworm',
    packages,
  };
}

const deb = (name: string, version: string, arch = 'amd64'): InstalledPackage => ({
  name,
  version,
  arch,
  kind: 'deb',
});

/** A Debian patch of the packages given (name, version, arch). */
function debPatch(
  patchId: string,
  packages: [string, string, string?][],
  extra: Partial<ApplicabilityPatch> = {},
): ApplicabilityPatch {
  return {
    patchId,
    os: { family: 'debian', releases: ['12'] },
    packages: packages.map(([name, version, arch]) => ({
      name,
      version,
      arch: arch ?? 'amd64',
      kind: 'deb',
      file: `${name}_${version}_${arch ?? 'amd64'}.deb`,
    })),
    supersedes: [],
    ...extra,
  };
}

describe('ownApplicability on Debian packages', () => {
  const host = debianHost([
    deb('openssl', '3.0.11-1~deb12u2'),
    deb('libssl3', '3.0.11-1~deb12u2'),
    deb('libc6', '2.36-9+deb12u4'),
    deb('libc6', '2.36-9+deb12u1', 'i386'),
    deb('tzdata', '2024a-0+deb12u1', 'all'),
  ]);

  it('is missing when an installed package is below the patch, naming package and versions', () => {
    const result = ownApplicability(
      debPatch('DSA-5678-1', [
        ['openssl', '3.0.13-1~deb12u1'],
        ['libssl3', '3.0.13-1~deb12u1'],
        ['libssl-dev', '3.0.13-1~deb12u1'],
      ]),
      host,
    );
    expect(result.status).toBe('missing');
    expect(result.reason).toBe('openssl 3.0.11-1~deb12u2 (amd64) is below 3.0.13-1~deb12u1.');
    expect(result.decidedBy).toMatchObject({ name: 'openssl', installed: '3.0.11-1~deb12u2' });
    // libssl-dev is not on the host: it neither makes the patch apply nor keeps it missing.
    expect(result.packages.map((p) => p.satisfied)).toEqual([false, false, null]);
  });

  it('is installed when every package the host has is at or above, equal versions included', () => {
    const result = ownApplicability(
      debPatch('DSA-1', [
        ['openssl', '3.0.11-1~deb12u2'],
        ['libssl3', '3.0.11-1~deb12u1'],
      ]),
      host,
    );
    expect(result.status).toBe('installed');
    expect(result.reason).toContain('at or above 3.0.11-1~deb12u2');
  });

  it('orders versions as dpkg does (a tilde release is older than the release)', () => {
    const result = ownApplicability(debPatch('T', [['openssl', '3.0.11-1~deb12u2~']]), host);
    expect(result.status).toBe('installed');
    const newer = ownApplicability(debPatch('T', [['openssl', '3.0.11-1~deb12u2+b1']]), host);
    expect(newer.status).toBe('missing');
  });

  it('is not applicable when none of its packages is installed', () => {
    const result = ownApplicability(debPatch('X', [['nginx', '1.22.1-9']]), host);
    expect(result).toMatchObject({
      status: 'not-applicable',
      reason: "None of the patch's packages (nginx) is installed on this host.",
    });
  });

  it('matches architectures exactly, with all and noarch fitting any', () => {
    // Only the i386 libc6 is compared for an i386 package.
    expect(
      ownApplicability(debPatch('A', [['libc6', '2.36-9+deb12u3', 'i386']]), host).status,
    ).toBe('missing');
    expect(ownApplicability(debPatch('A', [['libc6', '2.36-9+deb12u3']]), host).status).toBe(
      'installed',
    );
    expect(
      ownApplicability(debPatch('A', [['libc6', '2.36-9+deb12u3', 'arm64']]), host).status,
    ).toBe('not-applicable');
    expect(
      ownApplicability(debPatch('A', [['tzdata', '2024b-0+deb12u1', 'all']]), host).status,
    ).toBe('missing');
  });

  it('treats a patch version dpkg would refuse as not proven installed', () => {
    const result = ownApplicability(debPatch('BAD', [['openssl', '1:']]), host);
    expect(result.status).toBe('missing');
  });
});

describe('osMatches', () => {
  const patch = (family: ApplicabilityPatch['os']['family'], releases: string[]) => ({
    os: { family, releases },
  });

  it('tells Debian from Ubuntu and matches the release by version, major version or codename', () => {
    const bookworm = debianHost([]);
    expect(osMatches(patch('debian', []), bookworm)).toBe(true);
    expect(osMatches(patch('debian', ['12']), bookworm)).toBe(true);
    expect(osMatches(patch('debian', ['bookworm']), bookworm)).toBe(true);
    expect(osMatches(patch('debian', ['11', 'bullseye']), bookworm)).toBe(false);
    expect(osMatches(patch('ubuntu', []), bookworm)).toBe(false);
    const jammy = { ...bookworm, osId: 'ubuntu', osVersion: '22.04', osCodename: 'jammy' };
    expect(osMatches(patch('ubuntu', ['22.04']), jammy)).toBe(true);
    expect(osMatches(patch('ubuntu', ['22']), jammy)).toBe(true);
    expect(osMatches(patch('ubuntu', ['22.10']), jammy)).toBe(false);
  });

  it('takes every RHEL rebuild as rhel and a major release for its minors', () => {
    const rocky: HostState = {
      osFamily: 'rhel',
      osId: 'rocky',
      osName: 'Rocky Linux',
      osVersion: '9.3',
      osCodename: null,
      packages: [],
    };
    expect(osMatches(patch('rhel', ['9']), rocky)).toBe(true);
    expect(osMatches(patch('rhel', ['8']), rocky)).toBe(false);
    expect(osMatches(patch('rhel', ['9.3']), rocky)).toBe(true);
  });
});

describe('ownApplicability on RPM packages', () => {
  const host: HostState = {
    osFamily: 'rhel',
    osId: 'rhel',
    osName: 'Red Hat Enterprise Linux',
    osVersion: '9.3',
    osCodename: null,
    packages: [
      { name: 'kernel', version: '0:5.14.0-284.11.1.el9_2', arch: 'x86_64', kind: 'rpm' },
      { name: 'kernel', version: '0:5.14.0-362.8.1.el9_3', arch: 'x86_64', kind: 'rpm' },
      { name: 'curl', version: '0:7.76.1-26.el9_3.2', arch: 'x86_64', kind: 'rpm' },
      { name: 'tzdata', version: '0:2023c-1.el9', arch: 'noarch', kind: 'rpm' },
    ],
  };
  const rpmPatch = (name: string, version: string, arch = 'x86_64'): ApplicabilityPatch => ({
    patchId: `RHSA-${name}`,
    os: { family: 'rhel', releases: ['9'] },
    packages: [{ name, version, arch, kind: 'rpm', file: `${name}.rpm` }],
    supersedes: [],
  });

  it('counts the newest of several installed kernels', () => {
    expect(ownApplicability(rpmPatch('kernel', '5.14.0-362.8.1.el9_3'), host).status).toBe(
      'installed',
    );
    expect(ownApplicability(rpmPatch('kernel', '5.14.0-362.13.1.el9_3'), host)).toMatchObject({
      status: 'missing',
      reason: 'kernel 0:5.14.0-362.8.1.el9_3 (x86_64) is below 5.14.0-362.13.1.el9_3.',
    });
  });

  it('compares with rpm rules: no epoch is epoch 0, and the epoch outweighs the version', () => {
    expect(ownApplicability(rpmPatch('curl', '7.76.1-26.el9_3.2'), host).status).toBe('installed');
    expect(ownApplicability(rpmPatch('curl', '1:7.0-1.el9'), host).status).toBe('missing');
    expect(ownApplicability(rpmPatch('curl', '7.76.1-26.el9_3.10'), host).status).toBe('missing');
    expect(ownApplicability(rpmPatch('tzdata', '2024a-1.el9', 'noarch'), host).status).toBe(
      'missing',
    );
  });
});

describe('ownApplicability on Windows and macOS facts (no Windows or macOS host exists here)', () => {
  const windows: HostState = {
    osFamily: 'windows',
    osId: 'windows',
    osName: 'Microsoft Windows Server 2022 Datacenter',
    osVersion: '10.0.20348',
    osCodename: null,
    packages: [
      { name: 'KB5034439', version: '', arch: '', kind: 'msu' },
      { name: 'KB5031364', version: '', arch: '', kind: 'msu' },
      { name: '7-Zip 23.01 (x64)', version: '23.01.00.0', arch: 'x64', kind: 'msi' },
    ],
  };
  const update = (name: string, file: string, advisories: { id: string; kind: string }[] = []) => ({
    patchId: `MS-${name}`,
    os: { family: 'windows' as const, releases: ['Server 2022'] },
    packages: [{ name, version: '1', arch: 'x64', kind: 'msu' as const, file }],
    supersedes: [],
    advisories,
  });

  it('is installed when the KB is among the hotfixes, found in the name, file or advisory', () => {
    expect(ownApplicability(update('KB5034439', 'a.msu'), windows).status).toBe('installed');
    expect(
      ownApplicability(update('Cumulative', 'windows10.0-kb5031364-x64.msu'), windows).status,
    ).toBe('installed');
    expect(
      ownApplicability(
        update('Cumulative', 'update.msu', [{ id: 'KB5034439', kind: 'KB' }]),
        windows,
      ).status,
    ).toBe('installed');
  });

  it('is missing when the KB is absent, and not applicable on another Windows release', () => {
    expect(ownApplicability(update('KB5035857', 'a.msu'), windows)).toMatchObject({
      status: 'missing',
      reason: "KB5035857 is not among the host's installed updates.",
    });
    const desktop = { ...windows, osName: 'Microsoft Windows 11 Pro', osVersion: '10.0.22631' };
    expect(ownApplicability(update('KB5035857', 'a.msu'), desktop).status).toBe('not-applicable');
  });

  it('compares MSI products and macOS receipts by dotted version', () => {
    const msi: ApplicabilityPatch = {
      patchId: '7zip',
      os: { family: 'windows', releases: [] },
      packages: [{ name: '7-zip 23.01 (x64)', version: '24.08', arch: 'x64', kind: 'msi' }],
      supersedes: [],
    };
    expect(ownApplicability(msi, windows).status).toBe('missing');
    const mac: HostState = {
      osFamily: 'macos',
      osId: 'macos',
      osName: 'macOS',
      osVersion: '14.2.1',
      osCodename: 'Sonoma',
      packages: [{ name: 'com.apple.pkg.XProtect', version: '2.0.10', arch: '', kind: 'pkg' }],
    };
    const xprotect = (version: string): ApplicabilityPatch => ({
      patchId: 'xp',
      os: { family: 'macos', releases: ['14'] },
      packages: [{ name: 'com.apple.pkg.XProtect', version, arch: 'universal', kind: 'pkg' }],
      supersedes: [],
    });
    expect(ownApplicability(xprotect('2.0.9'), mac).status).toBe('installed');
    expect(ownApplicability(xprotect('2.0.10'), mac).status).toBe('installed');
    expect(ownApplicability(xprotect('2.0.11'), mac).status).toBe('missing');
  });
});

describe('evaluateHost with supersession', () => {
  const host = debianHost([deb('openssl', '3.0.11-1~deb12u2'), deb('curl', '7.88.1-10+deb12u5')]);

  it('marks a patch superseded by the newest replacement that applies, through a chain', () => {
    const catalog = [
      debPatch('A', [['openssl', '3.0.9-1']]),
      debPatch('B', [['openssl', '3.0.11-1~deb12u1']], { supersedes: ['A'] }),
      debPatch('C', [['openssl', '3.0.13-1~deb12u1']], { supersedes: ['B'] }),
    ];
    const byId = Object.fromEntries(evaluateHost(host, catalog).map((r) => [r.patchId, r]));
    expect(byId.C).toMatchObject({ status: 'missing', supersededBy: null });
    expect(byId.B).toMatchObject({
      status: 'superseded',
      ownStatus: 'installed',
      supersededBy: 'C',
    });
    expect(byId.A).toMatchObject({
      status: 'superseded',
      ownStatus: 'installed',
      supersededBy: 'C',
    });
    expect(byId.A!.reason).toMatch(/^Superseded by C, which is missing on this host; openssl/);
  });

  it('keeps a patch missing when its replacement does not apply, and stops at the last that does', () => {
    const catalog = [
      debPatch('A', [['openssl', '3.0.13-1']]),
      debPatch('B', [['openssl', '3.0.14-1']], { supersedes: ['A'] }),
      // C replaces B but is for another release: it does not apply here.
      {
        ...debPatch('C', [['openssl', '3.0.15-1']], { supersedes: ['B'] }),
        os: { family: 'debian' as const, releases: ['11'] },
      },
    ];
    const byId = Object.fromEntries(evaluateHost(host, catalog).map((r) => [r.patchId, r]));
    expect(byId.C!.status).toBe('not-applicable');
    expect(byId.B).toMatchObject({ status: 'missing', supersededBy: null });
    expect(byId.A).toMatchObject({ status: 'superseded', ownStatus: 'missing', supersededBy: 'B' });

    const alone = evaluateHost(host, [catalog[0]!, catalog[2]!]);
    expect(alone[0]).toMatchObject({ patchId: 'A', status: 'missing' });
  });

  it('leaves a patch that does not apply as not applicable, whatever replaces it', () => {
    const catalog = [
      debPatch('OLD', [['nginx', '1.0-1']]),
      debPatch('NEW', [['openssl', '3.0.13-1']], { supersedes: ['OLD'] }),
    ];
    expect(evaluateHost(host, catalog)[0]!.status).toBe('not-applicable');
  });

  it('survives a supersession cycle', () => {
    const catalog = [
      debPatch('X', [['curl', '7.88.1-10+deb12u6']], { supersedes: ['Y'] }),
      debPatch('Y', [['curl', '7.88.1-10+deb12u7']], { supersedes: ['X'] }),
    ];
    const index = supersessionIndex(catalog);
    expect(supersedersOf('X', index)).toEqual(['Y']);
    const result = evaluateHost(host, catalog);
    expect(result.map((r) => r.status)).toEqual(['superseded', 'superseded']);
  });
});

describe('hostStatuses', () => {
  it("agrees with evaluateHost on every verdict, over this machine's real packages", () => {
    const out = execFileSync(
      'dpkg-query',
      ['-W', '-f', '${Package}\t${Version}\t${Architecture}\n'],
      {
        encoding: 'utf8',
      },
    );
    const installed = out
      .trim()
      .split('\n')
      .map((line) => {
        const [name, version, arch] = line.split('\t');
        return deb(name!, version!, arch);
      });
    const host = debianHost(installed);
    const suffixes = ['~pd', '', '+pd'];
    const catalog: ApplicabilityPatch[] = installed.slice(0, 600).map((p, i) =>
      debPatch(`P${i}`, [[p.name, `${p.version}${suffixes[i % 3]!}`, p.arch]], {
        // Every seventh patch replaces the one before it, so chains of every kind occur.
        supersedes: i % 7 === 0 && i > 0 ? [`P${i - 1}`] : [],
        ...(i % 11 === 0 ? { os: { family: 'ubuntu' as const, releases: [] } } : {}),
      }),
    );
    const prepared = prepareCatalog(catalog);
    const full = evaluateHost(host, prepared).map((r) => r.status);
    expect(hostStatuses(host, prepared)).toEqual(full);
    expect(new Set(full)).toEqual(
      new Set(['missing', 'installed', 'not-applicable', 'superseded']),
    );
  });
});
