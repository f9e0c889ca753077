import { describe, expect, it } from 'vitest';

import {
  keyFingerprint,
  normaliseFingerprint,
  PatchSchema,
  RootSchema,
} from '../../../../shared/domain/bundle-manifest';

const KEY = 'a'.repeat(64);
const PUBLIC = {
  keytype: 'ed25519',
  scheme: 'ed25519',
  public: Buffer.alloc(32, 1).toString('base64'),
};

const root = (over: Record<string, unknown> = {}) => ({
  _type: 'root',
  formatVersion: 1,
  publisher: 'acme',
  version: 1,
  created: '2026-01-01T00:00:00Z',
  keys: { [KEY]: PUBLIC },
  roles: { root: { keyids: [KEY], threshold: 1 }, targets: { keyids: [KEY], threshold: 1 } },
  ...over,
});

const patch = (over: Record<string, unknown> = {}) => ({
  id: 'DSA-1-1',
  title: 't',
  vendor: 'Debian',
  severity: 'high',
  releasedAt: '2026-01-01',
  os: { family: 'debian' },
  packages: [{ name: 'n', version: '1', arch: 'all', file: 'n.deb', kind: 'deb' }],
  ...over,
});

describe('RootSchema', () => {
  it('accepts a minimal root', () => {
    expect(RootSchema.safeParse(root()).success).toBe(true);
  });

  it('refuses a threshold above the number of distinct keys', () => {
    const bad = root({
      roles: {
        root: { keyids: [KEY, KEY], threshold: 2 },
        targets: { keyids: [KEY], threshold: 1 },
      },
    });
    expect(RootSchema.safeParse(bad).success).toBe(false);
  });

  it('refuses a role naming a key the root does not list', () => {
    const other = 'b'.repeat(64);
    const bad = root({
      roles: { root: { keyids: [KEY], threshold: 1 }, targets: { keyids: [other], threshold: 1 } },
    });
    expect(RootSchema.safeParse(bad).success).toBe(false);
  });

  it('refuses unknown fields', () => {
    expect(RootSchema.safeParse(root({ expiresNever: true })).success).toBe(false);
  });
});

describe('PatchSchema', () => {
  it('fills defaults for the optional lists', () => {
    const parsed = PatchSchema.parse(patch());
    expect(parsed).toMatchObject({ cves: [], supersedes: [], preSteps: [], rebootRequired: false });
  });

  it('takes steps by identifier only, never shell text', () => {
    expect(PatchSchema.safeParse(patch({ preSteps: [{ step: 'rm -rf /' }] })).success).toBe(false);
    expect(
      PatchSchema.safeParse(
        patch({ postSteps: [{ step: 'check-service-health', args: { service: 'x; reboot' } }] }),
      ).success,
    ).toBe(false);
    expect(
      PatchSchema.safeParse(
        patch({ postSteps: [{ step: 'check-service-health', args: { service: 'nginx' } }] }),
      ).success,
    ).toBe(true);
  });

  it('knows the package kinds and CVE ids', () => {
    const pkg = { name: 'n', version: '1', arch: 'all', file: 'n.exe', kind: 'exe' };
    expect(PatchSchema.safeParse(patch({ packages: [pkg] })).success).toBe(false);
    expect(PatchSchema.safeParse(patch({ cves: ['CVE-24-1'] })).success).toBe(false);
  });
});

describe('fingerprints', () => {
  it('groups a key id and reads it back however it was typed', () => {
    const id = '0123456789abcdef'.repeat(4);
    const printed = keyFingerprint(id);
    expect(printed.split(' ')).toHaveLength(16);
    expect(normaliseFingerprint(printed)).toBe(id);
    expect(normaliseFingerprint(printed.replace(/ /g, ':').toLowerCase())).toBe(id);
  });
});
