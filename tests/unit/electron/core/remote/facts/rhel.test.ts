import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ScanNotes } from '../../../../../../electron/core/remote/facts/parse-kit';
import {
  parseRhelReboot,
  parseRpmPackages,
  rhelAdapter,
} from '../../../../../../electron/core/remote/facts/rhel';
import { HostFactsSchema } from '../../../../../../shared/domain/host-facts';
import { buildLabRpm } from '../../../../../lab/rpm-packages';

import { runLocally } from './local-shell';

const NONCE = 'a1b2c3d4e5f60718';
let work: string;
let root: string;

/** Installs real RPMs, built with rpmbuild, into a private rpm database under `root`. */
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pd-rpm-facts-'));
  root = join(work, 'root');
  const rpms = await Promise.all(
    [
      { name: 'openssl-libs', version: '3.0.7', release: '24.el9' },
      { name: 'tzdata', version: '2023c', release: '1.el9', arch: 'noarch' },
      { name: 'kernel-core', version: '5.14.0', release: '362.8.1.el9_3' },
    ].map((spec) => buildLabRpm(work, spec)),
  );
  const install = await runLocally(
    `rpm --root '${root}' --initdb && rpm --root '${root}' -i --nodeps --nosignature ${rpms.map((r) => `'${r}'`).join(' ')}`,
  );
  if (install.code !== 0) throw new Error(`rpm install failed: ${install.stderr}`);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('RHEL-family facts over real rpm output', () => {
  it('reads every package of a real rpm database with epoch, version, release and arch', async () => {
    const query = await runLocally(
      `rpm --root '${root}' -qa --qf '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n'`,
    );
    const notes = new ScanNotes();
    const packages = parseRpmPackages(query.stdout.trim().split('\n'), notes);
    // rpm's own default rendering (NAME-VERSION-RELEASE.ARCH), as an independent check.
    const nvra = (await runLocally(`rpm --root '${root}' -qa`)).stdout.trim().split('\n').sort();
    expect(packages.map((p) => `${p.name}-${p.version.slice(2)}.${p.arch}`).sort()).toEqual(nvra);
    expect(packages.find((p) => p.name === 'tzdata')).toEqual({
      name: 'tzdata',
      version: '0:2023c-1.el9',
      arch: 'noarch',
      kind: 'rpm',
    });
    expect(notes.list()).toEqual([]);
  });

  it('flags a reboot when the newest installed kernel package is not the running kernel', async () => {
    const query = await runLocally(
      `rpm --root '${root}' -q --qf '%{INSTALLTIME}\\t%{VERSION}-%{RELEASE}.%{ARCH}\\n' kernel kernel-core`,
    );
    // rpm prints "package kernel is not installed" for the name that is absent.
    expect(query.stdout).toContain('package kernel is not installed');
    const lines = ['kernels', ...query.stdout.trim().split('\n')];
    const notes = new ScanNotes();
    expect(parseRhelReboot(lines, '5.14.0-284.30.1.el9_2.x86_64', notes)).toEqual({
      rebootRequired: true,
      rebootReason:
        'kernel 5.14.0-362.8.1.el9_3.x86_64 is installed but 5.14.0-284.30.1.el9_2.x86_64 is running',
    });
    expect(parseRhelReboot(lines, '5.14.0-362.8.1.el9_3.x86_64', notes).rebootRequired).toBe(false);
    expect(parseRhelReboot(['kernels', 'package kernel is not installed'], '6.1.0', notes)).toEqual(
      {
        rebootRequired: false,
        rebootReason: null,
      },
    );
  });

  it('follows needs-restarting -r: exit 1 is a reboot, 0 is none, anything else a warning', () => {
    const notes = new ScanNotes();
    const said = [
      'needs-restarting',
      'Core libraries or services have been updated since boot-up:',
      '  * kernel',
      '',
      'Reboot is required to fully utilize these updates.',
      'More information: https://access.redhat.com/solutions/27943',
    ];
    expect(parseRhelReboot([...said, 'rc=1'], 'x', notes)).toEqual({
      rebootRequired: true,
      rebootReason:
        'Core libraries or services have been updated since boot-up:; kernel; Reboot is required to fully utilize these updates.; More information: https://access.redhat.com/solutions/27943',
    });
    expect(
      parseRhelReboot(
        [
          'needs-restarting',
          'No core libraries or services have been updated since boot-up.',
          'rc=0',
        ],
        'x',
        notes,
      ).rebootRequired,
    ).toBe(false);
    expect(
      parseRhelReboot(['needs-restarting', 'Error: permission denied', 'rc=2'], 'x', notes)
        .rebootRequired,
    ).toBe(false);
    expect(notes.list()).toEqual([
      'reboot: needs-restarting -r failed (exit code 2): Error: permission denied',
    ]);
  });

  it('runs the whole RHEL script on this machine and produces valid facts', async () => {
    const result = await runLocally(rhelAdapter.command(NONCE));
    const facts = rhelAdapter.parse(result, {
      nonce: NONCE,
      collectedAt: new Date(),
      address: 'this machine',
    });
    const rpmArch = (await runLocally("rpm --eval '%{_arch}'")).stdout.trim();
    const installed = (await runLocally('rpm -qa')).stdout.trim().split('\n').filter(Boolean);
    expect(facts.osFamily).toBe('rhel');
    expect(facts.packageArch).toBe(rpmArch);
    expect(facts.packages).toHaveLength(installed.length);
    expect(facts.kernel).toBe((await runLocally('uname -r')).stdout.trim());
    expect(HostFactsSchema.safeParse(facts).success).toBe(true);
  });

  it('refuses lines that are not rpm query output', () => {
    const notes = new ScanNotes();
    const packages = parseRpmPackages(
      [
        'bash\t0:5.1.8-6.el9_1\tx86_64',
        'gpg-pubkey\t0:fd431d51-4ae0493b\t(none)',
        'bash 5.1',
        'x\t1.0-1\tx86_64\textra',
        '-rf\t0:1-1\tx86_64',
      ],
      notes,
    );
    expect(packages.map((p) => p.name)).toEqual(['bash', 'gpg-pubkey']);
    expect(notes.malformedCount('packages')).toBe(3);
  });
});
