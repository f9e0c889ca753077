import { describe, expect, it } from 'vitest';

import { compareDottedVersions } from '../../../../../shared/domain/versions/dotted';
import { kbNumber, kbSet } from '../../../../../shared/domain/versions/windows-kb';

describe('compareDottedVersions (macOS receipts, Windows programs)', () => {
  it.each([
    ['14.2.1', '14.10', -1],
    ['10.0.19041.3803', '10.0.19041.3803', 0],
    ['10.0.19041.3803', '10.0.19041.4291', -1],
    ['1.0', '1.0.0', 0],
    ['1.0.1', '1.0', 1],
    ['1.0b1', '1.0', -1],
    ['1.0b2', '1.0b10', -1],
    ['1.0B2', '1.0b2', 0],
    ['2.0.10', '2.0.9', 1],
    ['23.01.00.0', '24.08', -1],
    ['007', '7', 0],
    ['1.0.a', '1.0.1', -1],
  ] as const)('%s vs %s is %i, and the reverse is its opposite', (a, b, expected) => {
    expect(compareDottedVersions(a, b)).toBe(expected);
    expect(compareDottedVersions(b, a)).toBe(expected === 0 ? 0 : -expected);
  });
});

describe('kbNumber', () => {
  it('finds the KB in hotfix ids, file names and bare numbers, and nowhere else', () => {
    expect(kbNumber('KB5034441')).toBe('KB5034441');
    expect(kbNumber('kb5034441')).toBe('KB5034441');
    expect(kbNumber('windows10.0-kb5034441-x64_abc.msu')).toBe('KB5034441');
    expect(kbNumber('5034441')).toBe('KB5034441');
    expect(kbNumber('2024-01 Cumulative Update (KB5034441)')).toBe('KB5034441');
    expect(kbNumber('KB50344410000')).toBeNull();
    expect(kbNumber('BKB5034441')).toBeNull();
    expect(kbNumber('Security Update')).toBeNull();
    expect([...kbSet(['KB1234567', 'Update', 'kb7654321'])]).toEqual(['KB1234567', 'KB7654321']);
  });
});
