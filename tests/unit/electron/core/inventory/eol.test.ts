import { describe, expect, it } from 'vitest';

import {
  eolHorizon,
  eolStatus,
  matchEol,
  matchEolByName,
  shippedEolDataset,
  type EolDataset,
} from '../../../../../electron/core/inventory/eol';

const TODAY = new Date('2026-11-26T12:00:00Z');

describe('the shipped end-of-life dataset', () => {
  it('names its capture date and source and covers every product family', () => {
    const data = shippedEolDataset();
    expect(data.capturedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(data.source).toMatch(/endoflife\.date/);
    expect(data.products.map((p) => p.id).sort()).toEqual(
      [
        'almalinux',
        'centos',
        'centos-stream',
        'debian',
        'macos',
        'opensuse-leap',
        'oracle-linux',
        'rhel',
        'rocky',
        'sles',
        'ubuntu',
        'windows',
        'windows-server',
      ].sort(),
    );
  });
});

describe('matchEol', () => {
  const os = (
    osId: string,
    osVersion: string,
    osName = '',
    osFamily: 'debian' | 'rhel' | 'windows' | 'macos' | 'unknown' = 'unknown',
  ) => ({
    osFamily,
    osId,
    osName,
    osVersion,
  });

  it('matches Linux releases by os-release ID and version', () => {
    expect(matchEol(os('debian', '12', 'Debian GNU/Linux', 'debian'))).toEqual({
      product: 'Debian 12',
      eolDate: '2028-06-30',
    });
    expect(matchEol(os('debian', '11.9'))?.product).toBe('Debian 11');
    expect(matchEol(os('ubuntu', '22.04'))).toEqual({
      product: 'Ubuntu 22.04',
      eolDate: '2027-06-01',
    });
    expect(matchEol(os('rhel', '9.4'))?.product).toBe('Red Hat Enterprise Linux 9');
    expect(matchEol(os('rocky', '8.10'))?.product).toBe('Rocky Linux 8');
    expect(matchEol(os('almalinux', '9.3'))?.product).toBe('AlmaLinux 9');
    expect(matchEol(os('ol', '8.9'))?.product).toBe('Oracle Linux 8');
    expect(matchEol(os('centos', '7'))?.product).toBe('CentOS Linux 7');
    expect(matchEol(os('centos', '9', 'CentOS Stream'))?.product).toBe('CentOS Stream 9');
    expect(matchEol(os('sles', '15.5'))).toEqual({
      product: 'SUSE Linux Enterprise Server 15.5',
      eolDate: '2024-12-31',
    });
  });

  it('matches Windows by build and edition, and never guesses LTSC', () => {
    const server = os('windows', '10.0.20348', 'Microsoft Windows Server 2022 Standard', 'windows');
    expect(matchEol(server)).toEqual({ product: 'Windows Server 2022', eolDate: '2031-10-14' });
    const pro = os('windows', '10.0.22631', 'Microsoft Windows 11 Pro', 'windows');
    const enterprise = os(
      'windows',
      '10.0.22631.3880',
      'Microsoft Windows 11 Enterprise',
      'windows',
    );
    expect(matchEol(pro)?.eolDate).toBe('2025-11-11');
    expect(matchEol(enterprise)?.eolDate).toBe('2026-11-10');
    expect(
      matchEol(os('windows', '10.0.19044', 'Windows 10 Enterprise LTSC 2021', 'windows')),
    ).toBeNull();
  });

  it('matches macOS by major version (10.x by major.minor)', () => {
    expect(matchEol(os('macos', '12.7.4', 'macOS', 'macos'))?.product).toBe('macOS 12');
    expect(matchEol(os('macos', '10.15.7', 'macOS', 'macos'))?.product).toBe('macOS 10.15');
    expect(matchEol(os('macos', '15.1', 'macOS', 'macos'))).toEqual({
      product: 'macOS 15',
      eolDate: null,
    });
  });

  it('returns null for releases the dataset does not know', () => {
    expect(matchEol(os('debian', ''))).toBeNull();
    expect(matchEol(os('fedora', '40'))).toBeNull();
    expect(matchEol(os('ubuntu', '26.04'))).toBeNull();
  });

  it('uses the dataset it is given', () => {
    const data: EolDataset = {
      capturedAt: '2026-01-01',
      source: 'test',
      products: [
        { id: 'debian', product: 'Debian', cycles: [{ cycle: '14', eolDate: '2033-06-30' }] },
      ],
    };
    expect(matchEol(os('debian', '14'), data)).toEqual({
      product: 'Debian 14',
      eolDate: '2033-06-30',
    });
    expect(matchEol(os('debian', '12'), data)).toBeNull();
  });
});

describe('matchEolByName', () => {
  it.each([
    ['Ubuntu 20.04.6 LTS', 'Ubuntu 20.04'],
    ['Debian GNU/Linux 12 (bookworm)', 'Debian 12'],
    ['Red Hat Enterprise Linux 8.9 (Ootpa)', 'Red Hat Enterprise Linux 8'],
    ['RHEL 9', 'Red Hat Enterprise Linux 9'],
    ['Windows Server 2019 Datacenter', 'Windows Server 2019'],
    ['Microsoft Windows Server 2012 R2 Standard', 'Windows Server 2012 R2'],
    ['SUSE Linux Enterprise Server 15 SP6', 'SUSE Linux Enterprise Server 15.6'],
    ['CentOS Stream 9', 'CentOS Stream 9'],
    ['Oracle Linux 7.9', 'Oracle Linux 7'],
  ])('reads %s as %s', (name, product) => {
    expect(matchEolByName(name)?.product).toBe(product);
  });

  it('returns null for names it cannot place', () => {
    expect(matchEolByName('Linux 5.X')).toBeNull();
    expect(matchEolByName('Cisco IOS 15')).toBeNull();
  });
});

describe('eolStatus', () => {
  const horizon = eolHorizon(TODAY);

  it('judges past, within 180 days, later and unknown', () => {
    expect(horizon).toEqual({ today: '2026-11-26', soonUntil: '2027-05-25' });
    expect(eolStatus({ product: 'Debian 11', eolDate: '2026-08-31' }, horizon).status).toBe('eol');
    expect(eolStatus({ product: 'Windows 11 23H2', eolDate: '2026-11-26' }, horizon).status).toBe(
      'soon',
    );
    expect(
      eolStatus({ product: 'Windows Server 2016', eolDate: '2027-01-12' }, horizon).status,
    ).toBe('soon');
    expect(eolStatus({ product: 'x', eolDate: '2027-05-25' }, horizon).status).toBe('soon');
    expect(eolStatus({ product: 'x', eolDate: '2027-05-26' }, horizon).status).toBe('supported');
    expect(eolStatus({ product: 'macOS 15', eolDate: null }, horizon)).toEqual({
      status: 'unknown',
      product: 'macOS 15',
      eolDate: null,
    });
    expect(eolStatus(null, horizon)).toEqual({ status: 'unknown', product: null, eolDate: null });
  });
});
