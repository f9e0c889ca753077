import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  parseControlFields,
  readDebControlFields,
} from '../../../../../electron/core/bundles/deb-control';

/*
 * Control data of real packages: built by dpkg-deb with each compression it offers, and the
 * Debian packages in this machine's apt cache, compared with `dpkg-deb -f`. PatchDeck reads them
 * all without dpkg (as on Windows and macOS): PATH is emptied while it reads.
 */

let work: string;
const savedPath = process.env['PATH'];

type Compression = 'gzip' | 'none' | 'xz' | 'zstd';

function buildDeb(compression: Compression): string {
  const root = join(work, `root-${compression}`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN', 'control'),
    [
      'Package: pd-control',
      `Version: 1:2.3-4+${compression}`,
      'Architecture: amd64',
      'Maintainer: PatchDeck Tests <tests@example.invalid>',
      'Description: control data test',
      ' a continuation line: Version: 0',
      '',
    ].join('\n'),
  );
  const out = join(work, `pd-control-${compression}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', root, out], {
    stdio: 'pipe',
  });
  return out;
}

const members = (deb: string) => execFileSync('ar', ['t', deb], { encoding: 'utf8' }).split('\n');

/** What `dpkg-deb -f` says, for comparison. */
function dpkgFields(deb: string): { name: string; version: string; arch: string } {
  const out = execFileSync('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Architecture'], {
    encoding: 'utf8',
  });
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(out)?.[1] ?? '';
  return { name: field('Package'), version: field('Version'), arch: field('Architecture') };
}

/** Reads with PATH emptied, so no dpkg-deb (or anything else) can be run behind our back. */
async function readWithoutDpkg(deb: string) {
  process.env['PATH'] = '';
  try {
    return await readDebControlFields(deb);
  } finally {
    process.env['PATH'] = savedPath;
  }
}

/**
 * A hand-made .deb (ar by hand) whose control member is `name`, holding `control` and a file of
 * `extraBytes` zeros, compressed by the real tool.
 */
function craftDeb(name: string, compress: string[], extraBytes: number): string {
  const dir = mkdtempSync(join(work, 'craft-'));
  writeFileSync(join(dir, 'control'), 'Package: bomb\nVersion: 1\nArchitecture: all\n');
  writeFileSync(join(dir, 'zeros'), Buffer.alloc(extraBytes));
  execFileSync('tar', ['-cf', join(dir, 'control.tar'), '-C', dir, 'control', 'zeros']);
  execFileSync('sh', ['-c', `${compress.join(' ')} < control.tar > ${name}`], { cwd: dir });
  writeFileSync(join(dir, 'debian-binary'), '2.0\n');
  const out = join(work, `${name}-${extraBytes}.deb`);
  execFileSync('ar', ['rc', out, 'debian-binary', name], { cwd: dir });
  return out;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'patchdeck-deb-control-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

afterEach(() => {
  process.env['PATH'] = savedPath;
});

describe('readDebControlFields', () => {
  it('reads a control.tar.gz package without dpkg-deb', async () => {
    const deb = buildDeb('gzip');
    expect(members(deb)).toContain('control.tar.gz');
    process.env['PATH'] = '';
    expect(await readDebControlFields(deb)).toEqual({
      name: 'pd-control',
      version: '1:2.3-4+gzip',
      arch: 'amd64',
    });
  });

  it('reads an uncompressed control.tar without dpkg-deb', async () => {
    const deb = buildDeb('none');
    expect(members(deb)).toContain('control.tar');
    process.env['PATH'] = '';
    expect(await readDebControlFields(deb)).toMatchObject({ version: '1:2.3-4+none' });
  });

  it.each(['xz', 'zstd'] as const)(
    'reads control.tar.%s (what Debian and Ubuntu ship) without dpkg-deb, as dpkg-deb does',
    async (compression) => {
      const deb = buildDeb(compression);
      expect(members(deb)).toContain(`control.tar.${compression === 'zstd' ? 'zst' : 'xz'}`);
      const expected = dpkgFields(deb);
      expect(expected.version).toBe(`1:2.3-4+${compression}`);
      expect(await readWithoutDpkg(deb)).toEqual(expected);
    },
  );

  it('reads the real Debian packages of the apt cache exactly as dpkg-deb -f does', async () => {
    const cache = '/var/cache/apt/archives';
    const debs = readdirSync(cache)
      .filter((n) => n.endsWith('.deb'))
      .map((n) => join(cache, n))
      // Smallest and largest first: both ends of what Debian ships.
      .sort((a, b) => statSync(a).size - statSync(b).size);
    expect(debs.length).toBeGreaterThan(0);
    const sample = [...debs.slice(0, 12), ...debs.slice(-3)];
    const kinds = new Set<string>();
    for (const deb of sample) {
      kinds.add(members(deb).find((m) => m.startsWith('control.tar')) ?? '');
      expect(await readWithoutDpkg(deb), deb).toEqual(dpkgFields(deb));
    }
    expect(kinds).toContain('control.tar.xz');
  });

  it('stops decompressing control data that expands past 16 MiB (xz and zstd bombs)', async () => {
    const xz = craftDeb('control.tar.xz', ['xz', '-9'], 20 << 20);
    expect(statSync(xz).size).toBeLessThan(1 << 20);
    await expect(readWithoutDpkg(xz)).rejects.toMatchObject({
      code: 'BUNDLE_PACKAGE_CONTROL_MISMATCH',
      details: { reason: 'control data expands past 16 MiB' },
    });
    const zst = craftDeb('control.tar.zst', ['zstd', '-q', '-19', '--no-content-size'], 20 << 20);
    await expect(readWithoutDpkg(zst)).rejects.toMatchObject({
      code: 'BUNDLE_PACKAGE_CONTROL_MISMATCH',
      details: { reason: 'control data expands past 16 MiB' },
    });
    // A frame that asks for a 128 MiB window is refused before fzstd allocates it.
    const wide = craftDeb(
      'control.tar.zst',
      ['zstd', '-q', '--long=27', '--no-content-size'],
      4096,
    );
    await expect(readWithoutDpkg(wide)).rejects.toMatchObject({
      details: { reason: 'control.tar.zst: its window is larger than control data may be' },
    });
    // Within the limit the same hand-made packages read fine.
    expect(await readWithoutDpkg(craftDeb('control.tar.xz', ['xz'], 1 << 20))).toEqual({
      name: 'bomb',
      version: '1',
      arch: 'all',
    });
    expect(await readWithoutDpkg(craftDeb('control.tar.zst', ['zstd', '-q'], 1 << 20))).toEqual({
      name: 'bomb',
      version: '1',
      arch: 'all',
    });
  });

  it('refuses a damaged control.tar.xz and control.tar.zst', async () => {
    for (const compression of ['xz', 'zstd'] as const) {
      const deb = buildDeb(compression);
      const bytes = readFileSync(deb);
      const member = bytes.indexOf('control.tar');
      // Flip bytes in the middle of the compressed control member (after its 60-byte header).
      const at = member + 60 + 40;
      for (let i = 0; i < 8; i += 1) bytes[at + i] = (bytes[at + i] ?? 0) ^ 0xff;
      const broken = join(work, `broken-${compression}.deb`);
      writeFileSync(broken, bytes);
      await expect(readWithoutDpkg(broken)).rejects.toMatchObject({
        code: 'BUNDLE_PACKAGE_CONTROL_MISMATCH',
      });
    }
  });

  it('refuses a file that is not an ar archive, and a truncated package', async () => {
    const text = join(work, 'not-a-deb.deb');
    writeFileSync(text, 'hello, I am a text file\n');
    await expect(readDebControlFields(text)).rejects.toMatchObject({
      code: 'BUNDLE_PACKAGE_CONTROL_MISMATCH',
      details: { reason: 'not an ar archive' },
    });
    const cut = join(work, 'cut.deb');
    writeFileSync(cut, readFileSync(buildDeb('gzip')).subarray(0, 200));
    await expect(readDebControlFields(cut)).rejects.toMatchObject({
      code: 'BUNDLE_PACKAGE_CONTROL_MISMATCH',
      details: { reason: 'ar member size out of range' },
    });
  });
});

describe('parseControlFields', () => {
  it('reads the first paragraph only and ignores continuation lines', () => {
    expect(
      parseControlFields(
        'Package: a\nVersion: 1\n  Version: 2\narchitecture: all\n\nPackage: b\nVersion: 3\n',
      ),
    ).toEqual({ name: 'a', version: '1', arch: 'all' });
  });

  it('gives empty fields when the control file lacks them, so they never match', () => {
    expect(parseControlFields('Description: x\n')).toEqual({ name: '', version: '', arch: '' });
  });
});
