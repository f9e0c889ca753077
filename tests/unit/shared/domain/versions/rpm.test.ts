import { beforeAll, describe, expect, it } from 'vitest';

import {
  compareRpmEvr,
  formatRpmEvr,
  parseRpmEvr,
  rpmvercmp,
} from '../../../../../shared/domain/versions/rpm';

import {
  assertRpmOracle,
  availableDebianVersions,
  disagreements,
  installedDebianVersions,
  pick,
  readReference,
  rpmVerdicts,
  seededRandom,
  sortedNeighbours,
  unique,
  type Pair,
  type Verdict,
} from './oracles';

/*
 * rpmvercmp and compareRpmEvr against rpm's own library (4.18, through python3-rpm): the
 * vectors osv-scalibr collected (rpm's tests/rpmvercmp.at plus its own edge cases), real
 * Red Hat EVRs from published CSAF VEX documents and an image's RPM manifest, and thousands
 * of bare version strings. rpm's answer is the truth; the vectors' own expectations are checked
 * against it too.
 */

const ARCHES = 'x86_64|noarch|src|i686|aarch64|ppc64le|s390x|ppc64|s390';

/** osv-scalibr's redhat-versions.txt: `a <|=|> b`, `#` comments. */
function scalibrVectors(): { pair: Pair; expected: number }[] {
  const sign = { '<': -1, '=': 0, '>': 1 } as const;
  return readReference('version-compare-osv-scalibr', 'redhat-versions.txt')
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

/** EVRs of real Red Hat packages: NEVRA strings and rpm package URLs in the reference data. */
function realRpmEvrs(): string[] {
  const files = [
    ['redhat-csaf-vex', 'cve-2023-38545.json'],
    ['redhat-csaf-vex', 'cve-2023-4154.json'],
    ['host-inventory-claircore', 'bdb.rpm-manifest.json'],
  ];
  const nevra = new RegExp(`"[^"]*?-((?:\\d+:)?[^"\\s:-]+-[^"\\s:-]+)\\.(?:${ARCHES})"`, 'g');
  const found: string[] = [];
  for (const path of files) {
    const text = readReference(...path);
    for (const m of text.matchAll(nevra)) found.push(m[1]!);
    for (const m of text.matchAll(/pkg:rpm\/[^@"]+@([^?"]+)(?:\?([^"]*))?/g)) {
      const epoch = /epoch=(\d+)/.exec(m[2] ?? '');
      found.push(`${epoch ? `${epoch[1]}:` : ''}${m[1]!}`);
    }
  }
  return unique(found);
}

/** Close variants in the styles Fedora and RHEL use: pre-releases, snapshots, rebuilds. */
function variants(evr: string): string[] {
  const { epoch, version, release } = parseRpmEvr(evr);
  const at = (v: string, r: string | null) => formatRpmEvr({ epoch, version: v, release: r });
  const out = [
    at(`${version}~rc1`, release),
    at(`${version}^20240101git1a2b3c`, release),
    at(version, release === null ? '1' : `${release}.1`),
    at(version, null),
    at(`${version}.0`, release),
    formatRpmEvr({ epoch: String(Number(epoch ?? '0') + 1), version, release }),
    formatRpmEvr({ epoch: null, version, release }),
  ];
  const bumped = version.replace(/(\d+)(?!.*\d)/, (d) => `0${String(Number(d) + 1)}`);
  if (bumped !== version) out.push(at(bumped, release));
  return out;
}

describe('rpm comparisons against rpm 4.18', () => {
  const vectors = scalibrVectors();
  let evrs: string[];
  let strings: string[];

  beforeAll(() => {
    assertRpmOracle();
    evrs = realRpmEvrs();
    strings = unique([...installedDebianVersions(), ...availableDebianVersions()]);
  });

  it('compareRpmEvr agrees with rpm on every osv-scalibr vector', async () => {
    const pairs = vectors.map((v) => v.pair);
    expect(pairs.length).toBeGreaterThan(150);
    const verdicts = await rpmVerdicts(pairs, 'evr');
    expect(disagreements(pairs, verdicts, compareRpmEvr)).toEqual([]);

    const published = vectors.filter((v, i) => v.expected !== verdicts[i]);
    expect(published).toEqual([]);
  });

  it('compareRpmEvr agrees with rpm on thousands of pairs of real Red Hat EVRs and variants', async () => {
    expect(evrs.length).toBeGreaterThan(150);
    const random = seededRandom(0x4a5);
    const pairs: Pair[] = [
      ...sortedNeighbours(evrs, compareRpmEvr, 'sorted neighbours'),
      ...Array.from({ length: 1000 }, () => {
        const [a, b] = pick(evrs, 2, random);
        return { a: a!, b: b!, source: 'random pair' };
      }),
      ...evrs.flatMap((a) => variants(a).map((b) => ({ a, b, source: 'variant' }))),
    ];
    const verdicts = await rpmVerdicts(pairs, 'evr');
    expect(pairs.length).toBeGreaterThan(2500);
    expect(disagreements(pairs, verdicts, compareRpmEvr)).toEqual([]);
    expect([...new Set<Verdict>(verdicts)].sort()).toEqual([-1, 0, 1]);
  });

  it('rpmvercmp agrees with rpm on thousands of bare version strings of every shape', async () => {
    const random = seededRandom(0xbea7);
    const all = sortedNeighbours(strings, rpmvercmp, 'sorted neighbours');
    const pairs: Pair[] = [
      ...pick(all, 4000, random),
      ...Array.from({ length: 3000 }, () => {
        const [a, b] = pick(strings, 2, random);
        return { a: a!, b: b!, source: 'random pair' };
      }),
      ...pick(strings, 500, random).flatMap((a) =>
        [`${a}~`, `${a}^`, `${a}^1`, `0${a}`, `${a}.a`, `${a}a`, `${a}.`].map((b) => ({
          a,
          b,
          source: 'variant',
        })),
      ),
      ...['1.1.α', '1.0^git1~pre', '1.0~rc1^git1', 'ε', '~', '^', '..'].flatMap((a) =>
        ['1.1.β', '1.0^git1', '1.0~rc1', '1', '~~', '^^', '.'].map((b) => ({
          a,
          b,
          source: 'edge',
        })),
      ),
    ];
    const started = performance.now();
    const verdicts = await rpmVerdicts(pairs, 'vercmp');
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.info(`rpm oracle: ${pairs.length} bare pairs in ${seconds} s`);
    expect(pairs.length).toBeGreaterThan(9000);
    expect(disagreements(pairs, verdicts, rpmvercmp)).toEqual([]);
    expect([...new Set<Verdict>(verdicts)].sort()).toEqual([-1, 0, 1]);
  });
});

describe('parseRpmEvr', () => {
  it('takes the epoch only from leading digits before a colon and the release after the last hyphen', () => {
    expect(parseRpmEvr('1:2.4.57-7.el9_3.1')).toEqual({
      epoch: '1',
      version: '2.4.57',
      release: '7.el9_3.1',
    });
    expect(parseRpmEvr('a:1')).toEqual({ epoch: null, version: 'a:1', release: null });
    expect(parseRpmEvr(':1-2')).toEqual({ epoch: '0', version: '1', release: '2' });
    expect(parseRpmEvr('1.0-')).toEqual({ epoch: null, version: '1.0', release: '' });
  });
});
