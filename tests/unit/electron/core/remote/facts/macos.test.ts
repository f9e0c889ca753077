import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { macosAdapter, macosCodename } from '../../../../../../electron/core/remote/facts/macos';
import { HostFactsSchema } from '../../../../../../shared/domain/host-facts';

const FIXTURE = new URL('../../../../../fixtures/facts/macos-sonoma.out', import.meta.url);
const context = {
  nonce: 'f1x7ure',
  collectedAt: new Date('2024-04-05T08:00:00.000Z'),
  address: '10.20.0.77',
};

describe('macOS facts (fake macOS host: recorded command output)', () => {
  it('sends one batched /bin/sh script with the documented commands', () => {
    const text = macosAdapter.command('f1x7ure').text;
    expect(text.startsWith("/bin/sh -c 'M='\\''f1x7ure'\\''")).toBe(true);
    for (const documented of [
      'sw_vers',
      'uname -r',
      'uname -m',
      'sysctl -n kern.boottime',
      'df -P -k /',
      'pkgutil --pkgs',
      'pkgutil --pkg-info "$p"',
      'lsof -nP -iTCP -sTCP:LISTEN',
    ]) {
      expect(text).toContain(documented);
    }
  });

  it('parses the recorded output into facts', () => {
    const stdout = readFileSync(FIXTURE, 'utf8');
    const facts = macosAdapter.parse({ code: 0, signal: null, stdout, stderr: '' }, context);
    expect(HostFactsSchema.safeParse(facts).success).toBe(true);
    expect(facts).toEqual({
      osFamily: 'macos',
      osId: 'macos',
      osName: 'macOS',
      osVersion: '14.4.1',
      osCodename: 'Sonoma',
      kernel: '23.4.0',
      arch: 'arm64',
      packageArch: null,
      hostname: 'build-mac-07.local',
      uptimeSeconds: 86400,
      lastBoot: '2024-04-04T08:14:38.000Z',
      disks: [{ mount: '/', totalBytes: 482797652 * 1024, freeBytes: 253429152 * 1024 }],
      rebootRequired: false,
      rebootReason: null,
      packages: [
        {
          name: 'com.apple.pkg.MobileAssets',
          version: '14.4.1.1.1712101240',
          arch: '',
          kind: 'pkg',
        },
        { name: 'com.microsoft.teams2', version: '24060.2623.2790.8046', arch: '', kind: 'pkg' },
        {
          name: 'org.python.Python.PythonFramework-3.12',
          version: '3.12.2',
          arch: '',
          kind: 'pkg',
        },
      ],
      services: [
        { protocol: 'tcp', address: '*', port: 22, process: 'launchd' },
        { protocol: 'tcp', address: '*', port: 49152, process: 'rapportd' },
        { protocol: 'tcp', address: '::1', port: 7000, process: 'ControlCe' },
        { protocol: 'tcp', address: '127.0.0.1', port: 631, process: 'cupsd' },
      ],
      containers: [],
      collectedAt: '2024-04-05T08:00:00.000Z',
      warnings: [],
    });
  });

  it('fails clearly without pkgutil, and names releases it knows', () => {
    const stdout = readFileSync(FIXTURE, 'utf8').replace(/(@@f1x7ure@@ end packages) 0/, '$1 127');
    const scan = () => macosAdapter.parse({ code: 0, signal: null, stdout, stderr: '' }, context);
    expect(scan).toThrowError(/pkgutil/);
    expect(scan).toThrowError(expect.objectContaining({ code: 'REMOTE_COMMAND_FAILED' }));
    expect(macosCodename('15.1')).toBe('Sequoia');
    expect(macosCodename('10.15.7')).toBeNull();
  });
});
