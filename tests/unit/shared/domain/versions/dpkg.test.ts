import { beforeAll, describe, expect, it } from 'vitest';

import {
  compareDebianVersions,
  DebianVersionSyntaxError,
  parseDebianVersion,
} from '../../../../../shared/domain/versions/dpkg';

import {
  availableDebianVersions,
  disagreements,
  dpkgSyntaxVerdicts,
  dpkgVerdicts,
  installedDebianVersions,
  pick,
  readReference,
  seededRandom,
  sortedNeighbours,
  unique,
  type Pair,
  type Verdict,
} from './oracles';

/*
 * compareDebianVersions against dpkg itself: the published vectors of apt and osv-scalibr, and
 * thousands of pairs built from the versions of this machine's packages and of every package
 * apt knows. dpkg's answer is the truth; the vectors' own expectations are checked against it
 * too.
 */

/** apt's test/libapt/versions.lst: `a b expected`, `#` comments. */
function aptVectors(): { pair: Pair; expected: number }[] {
  return readReference('debian-version-compare', 'apt-versions.lst')
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '')
    .map((line, i) => {
      const [a, b, expected] = line.split(/\s+/);
      return { pair: { a: a!, b: b!, source: `apt vector ${i}` }, expected: Number(expected) };
    });
}

/** osv-scalibr's debian-versions.txt: `a <|=|> b`, `#` comments. */
function scalibrVectors(): { pair: Pair; expected: number }[] {
  const sign = { '<': -1, '=': 0, '>': 1 } as const;
  return readReference('version-compare-osv-scalibr', 'debian-versions.txt')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line, i) => {
      const [a, op, b] = line.trim().split(/\s+/);
      return {
        pair: { a: a!, b: b!, source: `osv-scalibr vector ${i}` },
        expected: sign[op as keyof typeof sign],
      };
    });
}

/** Close variants of real versions: the edits packaging actually makes. */
function variants(version: string): string[] {
  const out = [
    `${version}~`,
    `${version}~rc1`,
    `${version}+b1`,
    `${version}.0`,
    `${version}+deb12u1`,
    `1:${version}`,
  ];
  if (!version.includes('-')) out.push(`${version}-0`, `${version}-1`);
  const bumped = version.replace(/(\d+)(?!.*\d)/, (d) => String(Number(d) + 1));
  if (bumped !== version) out.push(bumped);
  const padded = version.replace(/(\d+)(?!.*\d)/, (d) => `0${d}`);
  if (padded !== version) out.push(padded);
  return out;
}

describe('compareDebianVersions against dpkg --compare-versions', () => {
  const vectors = [...aptVectors(), ...scalibrVectors()];
  let corpus: string[];
  let installed: string[];

  beforeAll(() => {
    installed = installedDebianVersions();
    corpus = unique([...installed, ...availableDebianVersions()]);
  });

  it('agrees with dpkg, and dpkg with the published expectations, on every reference vector', async () => {
    const pairs = vectors.map((v) => v.pair);
    expect(pairs.length).toBeGreaterThan(90);
    const verdicts = await dpkgVerdicts(pairs);
    expect(disagreements(pairs, verdicts, compareDebianVersions)).toEqual([]);
    const published = vectors.filter((v, i) => v.expected !== verdicts[i]);
    expect(published).toEqual([]);
  });

  it('agrees with dpkg on thousands of pairs of real package versions', async () => {
    expect(installed.length).toBeGreaterThan(100);
    const random = seededRandom(0x5eed);
    const all = sortedNeighbours(corpus, compareDebianVersions, 'sorted neighbours');
    const pairs: Pair[] = [
      ...sortedNeighbours(installed, compareDebianVersions, 'installed, sorted neighbours'),
      ...pick(all, 2500, random),
      ...Array.from({ length: 1500 }, () => {
        const [a, b] = pick(corpus, 2, random);
        return { a: a!, b: b!, source: 'random pair' };
      }),
      ...pick(corpus, 250, random).flatMap((a) =>
        variants(a).map((b) => ({ a, b, source: 'variant' })),
      ),
    ];
    const started = performance.now();
    const verdicts = await dpkgVerdicts(pairs);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.info(
      `dpkg oracle: ${pairs.length} pairs from ${corpus.length} versions in ${seconds} s`,
    );

    expect(pairs.length).toBeGreaterThan(5000);
    expect(disagreements(pairs, verdicts, compareDebianVersions)).toEqual([]);
    // The pairs exercise every outcome, so a comparator stuck on one answer could not pass.
    const seen = new Set<Verdict>(verdicts);
    expect([...seen].sort()).toEqual([-1, 0, 1]);
  });

  it('orders bytes outside ASCII where dpkg does: after letters, before punctuation', async () => {
    const pairs: Pair[] = [
      { a: '1.0ä', b: '1.0a', source: 'utf-8' },
      { a: '1.0ä', b: '1.0.', source: 'utf-8' },
      { a: '1.0ä', b: '1.0~', source: 'utf-8' },
      { a: '1.0ä', b: '1.0é', source: 'utf-8' },
      { a: '1.0€', b: '1.0z', source: 'utf-8' },
    ];
    const verdicts = await dpkgVerdicts(pairs);
    expect(disagreements(pairs, verdicts, compareDebianVersions)).toEqual([]);
  });
});

describe('parseDebianVersion against dpkg parseversion', () => {
  const malformed = [
    ' ',
    '1.0 1',
    '1 .0',
    ':1.0',
    'a:1.0',
    '1a:1.0',
    // A leading blank keeps dpkg's option parser away from a leading '-'; parseversion trims it.
    ' -1:1.0',
    '+1:1.0',
    ' -0:1.0',
    '2147483647:1.0',
    '2147483648:1.0',
    '99999999999999999999:1.0',
    '1:',
    '1:-1',
    '1.0-',
    'a1.0',
    '1.0_1',
    '1.0-1_2',
    '1.0-1:2',
    '1.0-a-b',
    ' -1',
    '1:1.0:2-3',
    '1.0ä',
    '  1.0-1  ',
    '\t2:1.0\t',
    '1.0!',
    '~1',
    '0',
  ];

  it('accepts, warns about or refuses each version exactly as dpkg does, with its message', () => {
    const dpkg = dpkgSyntaxVerdicts(malformed);
    const ours = malformed.map((v) => {
      const parsed = parseDebianVersion(v);
      if (!parsed.ok) return { kind: 'error', message: parsed.error };
      return parsed.warning ? { kind: 'warning', message: parsed.warning } : { kind: 'ok' };
    });
    expect(ours.map((o, i) => ({ version: malformed[i], ...o }))).toEqual(
      dpkg.map((d, i) => ({ version: malformed[i], ...d })),
    );
    const kinds = new Set(dpkg.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['error', 'ok', 'warning']);
  });

  it('accepts every version installed on this machine without a warning', () => {
    const rejected = installedDebianVersions().filter((v) => {
      const parsed = parseDebianVersion(v);
      return !parsed.ok || parsed.warning !== null;
    });
    expect(rejected).toEqual([]);
  });

  it('splits epoch, upstream and revision at the first colon and the last hyphen', () => {
    expect(parseDebianVersion('1:2.30-3+deb12u1-4')).toEqual({
      ok: true,
      version: { epoch: 1, upstream: '2.30-3+deb12u1', revision: '4' },
      warning: null,
    });
    expect(parseDebianVersion('1.2.3')).toEqual({
      ok: true,
      version: { epoch: 0, upstream: '1.2.3', revision: '' },
      warning: null,
    });
  });

  it('refuses to compare a version dpkg refuses, naming it and the reason', () => {
    expect(() => compareDebianVersions('1:', '1.0')).toThrowError(DebianVersionSyntaxError);
    expect(() => compareDebianVersions('1.0', '1.0-')).toThrowError(
      "Version '1.0-' has bad syntax: revision number is empty.",
    );
  });
});
