import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  parseWindowsFacts,
  WINDOWS_FACTS_SCRIPT,
  windowsAdapter,
} from '../../../../../../electron/core/remote/facts/windows';
import { HostFactsSchema } from '../../../../../../shared/domain/host-facts';

const FIXTURE = new URL('../../../../../fixtures/facts/windows-server-2022.json', import.meta.url);
const context = {
  nonce: 'unused',
  collectedAt: new Date('2024-04-04T10:34:26.000Z'),
  address: '10.20.0.31',
};

function decodeEncodedCommand(commandLine: string): string {
  const match =
    /^powershell\.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(
      commandLine,
    );
  if (!match) throw new Error(`not an encoded PowerShell command: ${commandLine.slice(0, 120)}`);
  return Buffer.from(match[1]!, 'base64').toString('utf16le');
}

describe('Windows facts (fake Windows host: recorded PowerShell output)', () => {
  it('sends one powershell.exe -EncodedCommand whose UTF-16LE text is the documented script', () => {
    const script = decodeEncodedCommand(windowsAdapter.command('any').text);
    expect(script).toBe(WINDOWS_FACTS_SCRIPT.text);
    for (const documented of [
      'Get-CimInstance -ClassName Win32_OperatingSystem',
      '$os.Caption',
      '$os.Version',
      '$os.BuildNumber',
      '$os.LastBootUpTime',
      '$os.OSArchitecture',
      'Get-HotFix',
      '$_.HotFixID',
      '$_.InstalledOn',
      "Get-ItemProperty -Path 'HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*', 'HKLM:\\Software\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*'",
      '$_.DisplayName',
      '$_.DisplayVersion',
      '$_.Publisher',
      "Test-Path -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending'",
      "Test-Path -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired'",
      "Get-CimInstance -ClassName Win32_LogicalDisk -Filter 'DriveType=3'",
      'Get-NetTCPConnection -State Listen',
      'ConvertTo-Json -InputObject $facts -Depth 4 -Compress',
    ]) {
      expect(script).toContain(documented);
    }
  });

  it('turns the recorded JSON into facts: hotfixes as msu, programs as msi or program', () => {
    const facts = parseWindowsFacts(readFileSync(FIXTURE, 'utf8'), context);
    expect(HostFactsSchema.safeParse(facts).success).toBe(true);
    expect(facts).toMatchObject({
      osFamily: 'windows',
      osId: 'windows',
      osName: 'Microsoft Windows Server 2022 Standard',
      osVersion: '10.0.20348',
      osCodename: '21H2',
      kernel: '10.0.20348.2340',
      arch: 'x86_64',
      packageArch: 'x64',
      hostname: 'WSUS-EDGE-01',
      uptimeSeconds: 187394,
      lastBoot: '2024-04-02T06:31:12Z',
      rebootRequired: true,
      rebootReason: 'restart pending (Windows Update)',
      collectedAt: '2024-04-04T10:34:26.000Z',
      containers: [],
    });
    expect(facts.packages).toEqual([
      { name: 'KB5034439', version: '', arch: 'x64', kind: 'msu' },
      { name: 'KB5035857', version: '', arch: 'x64', kind: 'msu' },
      { name: 'KB5034770', version: '', arch: 'x64', kind: 'msu' },
      {
        name: '7-Zip 23.01 (x64)',
        version: '23.01',
        arch: 'x64',
        kind: 'program',
        publisher: 'Igor Pavlov',
      },
      {
        name: 'Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.38.33135',
        version: '14.38.33135.0',
        arch: 'x86',
        kind: 'program',
        publisher: 'Microsoft Corporation',
      },
      {
        name: 'Microsoft Visual C++ 2022 X64 Minimum Runtime - 14.38.33135',
        version: '14.38.33135',
        arch: 'x64',
        kind: 'msi',
        publisher: 'Microsoft Corporation',
      },
    ]);
    expect(facts.disks).toEqual([
      { mount: 'C:', totalBytes: 136912334848, freeBytes: 81234567168 },
      { mount: 'D:', totalBytes: 536854720512, freeBytes: 402653184000 },
    ]);
    expect(facts.services).toEqual([
      { protocol: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd' },
      { protocol: 'tcp', address: '::', port: 22, process: 'sshd' },
      { protocol: 'tcp', address: '0.0.0.0', port: 135, process: 'svchost' },
      { protocol: 'tcp', address: '0.0.0.0', port: 445, process: 'System' },
      { protocol: 'tcp', address: '0.0.0.0', port: 8530, process: null },
    ]);
    // The program entry without a DisplayName is counted, not kept.
    expect(facts.warnings).toEqual(['programs: ignored 1 malformed line']);
  });

  it("accepts a single hotfix written as an object and passes on the script's own warnings", () => {
    const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
    const facts = parseWindowsFacts(
      JSON.stringify({
        ...recorded,
        HotFixes: { HotFixID: 'KB5035857', InstalledOn: null },
        Programs: [],
        RebootPending: [],
        Warnings: ['listeners: Access is denied.'],
      }),
      context,
    );
    expect(facts.packages).toEqual([{ name: 'KB5035857', version: '', arch: 'x64', kind: 'msu' }]);
    expect(facts.rebootRequired).toBe(false);
    expect(facts.rebootReason).toBeNull();
    expect(facts.warnings).toEqual(['listeners: Access is denied.']);
  });

  it('refuses output that is not the expected JSON, and a failed PowerShell run', () => {
    const scan = () =>
      parseWindowsFacts("'uname' is not recognized as an internal or external command", context);
    expect(scan).toThrowError(/10\.20\.0\.31/);
    expect(scan).toThrowError(expect.objectContaining({ code: 'REMOTE_COMMAND_FAILED' }));
    expect(() =>
      windowsAdapter.parse(
        { code: 1, signal: null, stdout: '', stderr: 'Get-CimInstance : Access denied' },
        context,
      ),
    ).toThrowError(/Access denied/);
  });
});
