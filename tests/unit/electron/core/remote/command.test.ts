import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  asShellWord,
  checkHostname,
  checkKbId,
  checkPackageName,
  checkPackageVersion,
  checkRemotePath,
  encodePowerShell,
  joinCommands,
  powerShellCommand,
  ps,
  quotePowerShell,
  RemoteCommand,
  sh,
} from '../../../../../electron/core/remote/command';
import { AppError } from '../../../../../shared/api/errors';

const scratch = mkdtempSync(join(tmpdir(), 'patchdeck-quote-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs a built command with the machine's real POSIX shell and returns its stdout. */
function runLocally(command: RemoteCommand): string {
  return execFileSync('/bin/sh', ['-c', command.text], { cwd: scratch, encoding: 'utf8' });
}

function refusal(fn: () => unknown): { code: string; field: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, field: error.details?.['field'] };
    throw error;
  }
  throw new Error('expected a refusal');
}

const marker = join(scratch, 'pwned');
const TRICKY_VALUES = [
  `a'b`,
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `x; touch ${marker}`,
  `line1\nline2; touch ${marker}`,
  `"double" and 'single' and \\ backslash`,
  '/opt/dir with spaces/$HOME/*.deb',
  '',
  'glob * ? [a-z]',
  `'`,
  `''''`,
  'tab\there',
  'ünïcödé ✓',
];

describe('sh template', () => {
  it.each(TRICKY_VALUES)('passes %j to a real shell verbatim, interpreting nothing', (value) => {
    const out = runLocally(sh`printf '%s' ${value}`);
    expect(out).toBe(value);
    expect(existsSync(marker)).toBe(false);
  });

  it('quotes each interpolation as exactly one argument', () => {
    const out = runLocally(sh`printf '<%s>' ${'a b'} ${'c'} ${42}`);
    expect(out).toBe('<a b><c><42>');
  });

  it('splices a command built earlier instead of quoting it', () => {
    const inner = sh`printf '%s' ${'x y'}`;
    expect(runLocally(sh`${inner} && printf '!'`)).toBe('x y!');
    expect(joinCommands([inner, sh`printf '%s' ${'z'}`], ';').text).toBe(
      `printf '%s' 'x y' ; printf '%s' 'z'`,
    );
  });

  it('makes a whole command one word for sh -c', () => {
    const inner = sh`printf '%s|' ${"it's"} ${'$(id)'}`;
    expect(runLocally(sh`sh -c ${asShellWord(inner)}`)).toBe("it's|$(id)|");
  });

  it('refuses data that starts with "-" so it can never become an option', () => {
    for (const value of ['--force-all', '-oProxyCommand=touch /tmp/pwned', '-']) {
      expect(refusal(() => sh`dpkg -i -- ${value}`).code).toBe('UNSAFE_REMOTE_ARGUMENT');
    }
    expect(refusal(() => sh`echo ${-1}`).code).toBe('UNSAFE_REMOTE_ARGUMENT');
  });

  it('refuses a NUL byte, which no shell argument can carry', () => {
    expect(refusal(() => sh`echo ${'a\0b'}`).code).toBe('UNSAFE_REMOTE_ARGUMENT');
  });

  it('rejects at compile time and at run time anything but text, numbers and commands', () => {
    // @ts-expect-error -- objects are not shell data
    expect(() => sh`echo ${{ toString: () => '$(id)' }}`).toThrow(/cannot interpolate/);
    // @ts-expect-error -- booleans are not shell data
    expect(() => sh`echo ${true}`).toThrow(/cannot interpolate/);
    expect(() => sh`echo ${Number.NaN}`).toThrow(/cannot interpolate/);
  });

  it('cannot be forged from a plain string', () => {
    const forged = { text: 'id' };
    // @ts-expect-error -- a look-alike object is not a RemoteCommand
    const check: RemoteCommand = forged;
    expect(check instanceof RemoteCommand).toBe(false);
  });
});

describe('validators', () => {
  const hostile = [
    'foo;touch pwned',
    '$(id)',
    '`id`',
    'a\nb',
    '--force-all',
    '-oProxyCommand=x',
    "a'b",
    'a b',
    '',
  ];

  it.each(hostile)('refuse the package name %j, naming the field', (value) => {
    expect(refusal(() => checkPackageName(value))).toEqual({
      code: 'UNSAFE_REMOTE_ARGUMENT',
      field: 'packageName',
    });
    expect(refusal(() => checkPackageName(value, { flavor: 'rpm', field: 'name' }))).toEqual({
      code: 'UNSAFE_REMOTE_ARGUMENT',
      field: 'name',
    });
  });

  it('accept real Debian and RPM package names', () => {
    for (const name of ['libssl3', 'g++-12', 'libstdc++6', 'python3.11', 'openssh-server']) {
      expect(checkPackageName(name)).toBe(name);
    }
    for (const name of ['NetworkManager', 'perl-Data_Dumper', 'Xorg_x11']) {
      expect(checkPackageName(name, { flavor: 'rpm' })).toBe(name);
      expect(refusal(() => checkPackageName(name)).code).toBe('UNSAFE_REMOTE_ARGUMENT');
    }
    expect(refusal(() => checkPackageName('a')).code).toBe('UNSAFE_REMOTE_ARGUMENT');
  });

  it('accept real versions and refuse hostile ones', () => {
    for (const v of ['1:2.36.1-8+deb12u1', '3.0.11-1~deb12u2', '9.2p1-2+deb12u3', '1.0_rc1']) {
      expect(checkPackageVersion(v)).toBe(v);
    }
    for (const v of ['-1', '1.0;id', '1.0 2', '$(id)', '1\n2', '']) {
      expect(refusal(() => checkPackageVersion(v))).toEqual({
        code: 'UNSAFE_REMOTE_ARGUMENT',
        field: 'packageVersion',
      });
    }
  });

  it('accept RFC 1123 names and IP literals; refuse everything else', () => {
    for (const h of ['web01', 'db-1.site.example', '127.0.0.11', '::1', 'fe80::1', 'a.b.']) {
      expect(checkHostname(h)).toBe(h);
    }
    for (const h of [
      '-oProxyCommand=calc',
      'host;id',
      'host id',
      'a..b',
      '-web',
      'web-',
      `${'a'.repeat(64)}.example`,
      'fe80::1%eth0',
      'host\nother',
      '$(id)',
    ]) {
      expect(refusal(() => checkHostname(h))).toEqual({
        code: 'UNSAFE_REMOTE_ARGUMENT',
        field: 'hostname',
      });
    }
  });

  it('accept absolute paths without .. and refuse the rest', () => {
    for (const p of ['/tmp/patchdeck.x1/pkg.deb', '/opt/dir with spaces/$x', '/a/..b/c']) {
      expect(checkRemotePath(p)).toBe(p);
    }
    for (const p of ['relative/x', '-rf', '/a/../etc/shadow', '/a/..', '/a\nb', '/a\0b', '']) {
      expect(refusal(() => checkRemotePath(p))).toEqual({
        code: 'UNSAFE_REMOTE_ARGUMENT',
        field: 'remotePath',
      });
    }
  });

  it('accept KB ids and refuse look-alikes', () => {
    expect(checkKbId('KB5034441')).toBe('KB5034441');
    for (const id of ['KB12345', 'KB123456789', 'kb5034441', 'KB5034441;x', ' KB5034441']) {
      expect(refusal(() => checkKbId(id)).code).toBe('UNSAFE_REMOTE_ARGUMENT');
    }
  });

  it('refuse non-text values', () => {
    expect(refusal(() => checkPackageName(42)).code).toBe('UNSAFE_REMOTE_ARGUMENT');
    expect(refusal(() => checkRemotePath(undefined)).code).toBe('UNSAFE_REMOTE_ARGUMENT');
  });
});

describe('PowerShell', () => {
  it('doubles single quotes, including the typographic ones PowerShell also accepts', () => {
    expect(quotePowerShell(`it's`)).toBe(`'it''s'`);
    expect(quotePowerShell('a\u2019b')).toBe(`'a\u2019\u2019b'`);
    expect(quotePowerShell('$env:PATH; Remove-Item C:\\')).toBe(`'$env:PATH; Remove-Item C:\\'`);
  });

  it('builds a script and encodes it as UTF-16LE base64 for -EncodedCommand', () => {
    const script = ps`Get-HotFix -Id ${checkKbId('KB5034441')}; Write-Output ${"a'b"}`;
    expect(script.text).toBe(`Get-HotFix -Id 'KB5034441'; Write-Output 'a''b'`);
    const encoded = encodePowerShell(script);
    expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(script.text);
    const command = powerShellCommand(script);
    expect(command.text).toMatch(/^powershell\.exe [A-Za-z -]+ -EncodedCommand [A-Za-z0-9+/=]+$/);
    expect(command.text.endsWith(encoded)).toBe(true);
  });
});
