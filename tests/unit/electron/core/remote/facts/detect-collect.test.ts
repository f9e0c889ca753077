import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { manualClock } from '../../../../../../electron/core/platform/clock';
import { collectFacts } from '../../../../../../electron/core/remote/facts/collect';
import {
  DETECT_COMMAND,
  familyFromProbe,
} from '../../../../../../electron/core/remote/facts/detect';
import { ScanNotes } from '../../../../../../electron/core/remote/facts/parse-kit';
import { parseProcNet, parseSs } from '../../../../../../electron/core/remote/facts/posix';

import { localShellSession, runLocally } from './local-shell';

const recorded = (name: string) =>
  readFileSync(new URL(`../../../../../fixtures/facts/${name}`, import.meta.url), 'utf8');

describe('detecting the OS family with one probe', () => {
  it('answers debian for this machine, from the real probe run by /bin/sh', async () => {
    expect(familyFromProbe(await runLocally(DETECT_COMMAND))).toBe('debian');
  });

  it('fake Windows host: recorded cmd.exe and PowerShell answers are windows', () => {
    expect(familyFromProbe({ stdout: recorded('probe-windows-cmd.out') })).toBe('windows');
    expect(familyFromProbe({ stdout: recorded('probe-windows-powershell.out') })).toBe('windows');
  });

  it('fake macOS host: recorded answer is macos; a Rocky os-release is rhel', () => {
    expect(familyFromProbe({ stdout: recorded('probe-macos.out') })).toBe('macos');
    expect(familyFromProbe({ stdout: recorded('probe-rocky.out') })).toBe('rhel');
  });

  it('answers unknown for a Linux it has no adapter for, or nothing at all', () => {
    expect(
      familyFromProbe({ stdout: '%OS% :OS\nLinux\nID=opensuse-leap\nID_LIKE="suse opensuse"\n' }),
    ).toBe('unknown');
    expect(familyFromProbe({ stdout: '' })).toBe('unknown');
    expect(familyFromProbe({ stdout: '%OS% :OS\nFreeBSD\n' })).toBe('unknown');
  });
});

describe('listening sockets', () => {
  it('reads the same TCP listeners from /proc/net as from ss on this machine', async () => {
    // One shell reads both, back to back: other tests start and stop listeners meanwhile.
    const both = await runLocally(
      'for f in /proc/net/tcp /proc/net/tcp6; do printf \'# %s\\n\' "$f"; cat "$f"; done; echo SPLIT; ss -H -ltnu',
    );
    const [proc = '', ss = ''] = both.stdout.split('SPLIT\n');
    const fromProc = parseProcNet(proc.split('\n'), new ScanNotes());
    const fromSs = parseSs(ss.trim().split('\n'), new ScanNotes()).filter(
      (s) => s.protocol === 'tcp',
    );
    const key = (s: { address: string; port: number }) =>
      `${s.address.replace(/^\*$/, '0.0.0.0')}:${s.port}`;
    expect(fromProc.map(key).sort()).toEqual(fromSs.map(key).sort());
    expect(fromProc.length).toBeGreaterThan(0);
  });

  it('parses ss lines of both protocols and v6, zone and wildcard addresses', () => {
    const notes = new ScanNotes();
    const services = parseSs(
      [
        'udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=412,fd=13))',
        'tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:(("sshd",pid=733,fd=3))',
        'tcp   LISTEN 0      128             [::]:22           [::]:*    users:(("sshd",pid=733,fd=4))',
        'tcp   LISTEN 0      4096               *:9100            *:*',
        'tcp   LISTEN 0      128    [fe80::1%eth0]:8080         [::]:*',
        'garbage',
      ],
      notes,
    );
    expect(services).toEqual([
      { protocol: 'udp', address: '127.0.0.53', port: 53, process: 'systemd-resolve' },
      { protocol: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd' },
      { protocol: 'tcp', address: '::', port: 22, process: 'sshd' },
      { protocol: 'tcp', address: '*', port: 9100, process: null },
      { protocol: 'tcp', address: 'fe80::1', port: 8080, process: null },
    ]);
    expect(notes.malformedCount('services')).toBe(1);
  });
});

describe('collectFacts through a shell session on this machine', () => {
  it('detects the family, sends one probe and one script, and stamps the clock', async () => {
    const session = localShellSession();
    const clock = manualClock('2026-03-01T12:00:00.000Z');
    const facts = await collectFacts(session, { clock });
    expect(session.sent).toHaveLength(2);
    expect(session.sent[0]).toBe(DETECT_COMMAND.text);
    expect(session.sent[1]).toMatch(/^\/bin\/sh -c 'M='\\''[0-9a-f]{24}'\\''/);
    expect(facts.osFamily).toBe('debian');
    expect(facts.collectedAt).toBe('2026-03-01T12:00:00.000Z');
    const dpkgCount = (
      await runLocally("dpkg-query -W -f '${db:Status-Abbrev}\\n' | grep -c '^.[itW]'")
    ).stdout.trim();
    expect(facts.packages).toHaveLength(Number(dpkgCount));
  });

  it('skips the probe when the family is known, and refuses an unknown one', async () => {
    const session = localShellSession();
    const facts = await collectFacts(session, {
      family: 'rhel',
      clock: manualClock(),
      nonce: 'fixednonce',
    });
    expect(session.sent).toHaveLength(1);
    expect(session.sent[0]).toContain("M='\\''fixednonce'\\''");
    expect(facts.osFamily).toBe('rhel');

    const unknown = localShellSession();
    unknown.run = (command) => {
      unknown.sent.push(command.text);
      return Promise.resolve({ code: 0, signal: null, stdout: '%OS% :OS\nHaiku\n', stderr: '' });
    };
    const scan = collectFacts(unknown, { clock: manualClock() });
    await expect(scan).rejects.toThrowError(/could not tell which operating system/);
    await expect(scan).rejects.toMatchObject({ code: 'REMOTE_COMMAND_FAILED' });
    expect(unknown.sent).toHaveLength(1);
  });
});
