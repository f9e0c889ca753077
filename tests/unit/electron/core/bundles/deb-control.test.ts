import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  parseControlFields,
  readDebControlFields,
} from '../../../../../electron/core/bundles/deb-control';

/*
 * Control data of real packages built by dpkg-deb with each compression it offers. The gzip and
 * uncompressed ones are read without dpkg (as on Windows and macOS): PATH is emptied for them.
 */

let work: string;
const savedPath = process.env['PATH'];

function buildDeb(compression: 'gzip' | 'none' | 'xz'): string {
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

  it('reads control.tar.xz (what Debian ships) through dpkg-deb', async () => {
    const deb = buildDeb('xz');
    expect(members(deb)).toContain('control.tar.xz');
    expect(await readDebControlFields(deb)).toMatchObject({ version: '1:2.3-4+xz' });
  });

  it('refuses control.tar.xz where dpkg-deb is missing, never lets it through', async () => {
    const deb = buildDeb('xz');
    process.env['PATH'] = '';
    await expect(readDebControlFields(deb)).rejects.toMatchObject({
      code: 'BUNDLE_PACKAGE_CONTROL_MISMATCH',
      details: { reason: 'control.tar.xz needs dpkg-deb, which could not read it' },
    });
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
