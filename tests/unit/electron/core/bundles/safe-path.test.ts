import { describe, expect, it } from 'vitest';

import {
  collisionKey,
  findCollision,
  unsafePathReason,
} from '../../../../../electron/core/bundles/safe-path';

describe('unsafePathReason', () => {
  it.each([
    ['pool/main/n/nginx_1.2_all.deb', null],
    ['KB5034441.msu', null],
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['../x', 'dot-segment'],
    ['a/./b', 'dot-segment'],
    ['a//b', 'empty-segment'],
    ['a\\b', 'backslash'],
    ['C:/Windows/x', 'drive-or-stream'],
    ['file.txt:stream', 'drive-or-stream'],
    ['a\u0000b', 'control-character'],
    ['a\nb', 'control-character'],
    ['what?.deb', 'windows-invalid-character'],
    ['CON', 'windows-reserved-name'],
    ['dir/nul.txt', 'windows-reserved-name'],
    ['lpt1.deb', 'windows-reserved-name'],
    ['name.', 'trailing-dot-or-space'],
    ['name ', 'trailing-dot-or-space'],
    ['cafe\u0301.deb', 'not-normalised'],
    ['manifest.json', 'metadata-name'],
    ['2.root.json', 'metadata-name'],
    [`${'a'.repeat(256)}.deb`, 'too-long'],
    [Array.from({ length: 33 }, () => 'd').join('/'), 'too-deep'],
  ])('%j -> %s', (path, reason) => {
    expect(unsafePathReason(path)).toBe(reason);
  });

  it('allows metadata names below the top of the bundle', () => {
    expect(unsafePathReason('docs/manifest.json')).toBeNull();
  });
});

describe('findCollision', () => {
  it('finds names one file on NTFS or APFS', () => {
    expect(findCollision(['Readme.txt', 'README.TXT'])).toEqual(['Readme.txt', 'README.TXT']);
    expect(findCollision(['straße.deb', 'STRASSE.deb'])).toEqual(['straße.deb', 'STRASSE.deb']);
    expect(collisionKey('caf\u00e9')).toBe(collisionKey('cafe\u0301'));
  });

  it('lets distinct names through', () => {
    expect(findCollision(['a.deb', 'b.deb', 'a/b.deb'])).toBeNull();
  });
});
