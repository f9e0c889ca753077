import { describe, expect, it } from 'vitest';

import {
  diffPackages,
  uniquePackages,
} from '../../../../../electron/core/inventory/scans.repository';
import type { InstalledPackage } from '../../../../../shared/domain/host-facts';

const deb = (name: string, version: string, arch = 'amd64'): InstalledPackage => ({
  name,
  version,
  arch,
  kind: 'deb',
});
const rpm = (name: string, version: string): InstalledPackage => ({
  name,
  version,
  arch: 'x86_64',
  kind: 'rpm',
});

describe('diffPackages', () => {
  it('reports added, removed and changed packages', () => {
    const before = [deb('bash', '5.2.15-2'), deb('curl', '7.88.1-10'), deb('vim', '2:9.0-1')];
    const after = [deb('bash', '5.2.15-2'), deb('curl', '7.88.1-10+deb12u5'), deb('jq', '1.6-2.1')];
    expect(diffPackages(before, after)).toEqual({
      added: [deb('jq', '1.6-2.1')],
      removed: [deb('vim', '2:9.0-1')],
      changed: [
        { name: 'curl', arch: 'amd64', kind: 'deb', from: '7.88.1-10', to: '7.88.1-10+deb12u5' },
      ],
    });
  });

  it('keeps architectures apart (multiarch)', () => {
    const before = [deb('libc6', '2.36-9', 'amd64')];
    const after = [deb('libc6', '2.36-9', 'amd64'), deb('libc6', '2.36-9', 'i386')];
    expect(diffPackages(before, after)).toEqual({
      added: [deb('libc6', '2.36-9', 'i386')],
      removed: [],
      changed: [],
    });
  });

  it('treats side-by-side versions (kernels) as added and removed, not changed', () => {
    const before = [rpm('kernel', '5.14.0-1'), rpm('kernel', '5.14.0-2')];
    const after = [rpm('kernel', '5.14.0-2'), rpm('kernel', '5.14.0-3')];
    expect(diffPackages(before, after)).toEqual({
      added: [rpm('kernel', '5.14.0-3')],
      removed: [rpm('kernel', '5.14.0-1')],
      changed: [],
    });
  });

  it('finds nothing between equal lists', () => {
    const list = [deb('a', '1'), deb('b', '2')];
    expect(diffPackages(list, [...list].reverse())).toEqual({
      added: [],
      removed: [],
      changed: [],
    });
  });
});

describe('uniquePackages', () => {
  it('drops exact duplicates only', () => {
    expect(uniquePackages([deb('a', '1'), deb('a', '1'), deb('a', '2')])).toEqual([
      deb('a', '1'),
      deb('a', '2'),
    ]);
  });
});
