import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { referenceData } from '../../../../helpers/reference-data';

/*
 * The real tools the version comparators are checked against: dpkg itself for Debian versions,
 * rpm's own library (through Debian's python3-rpm) for RPM versions. Each oracle runs once per
 * batch of pairs, not once per pair, so thousands of pairs take seconds.
 */

const run = promisify(execFile);

/** One comparison to put to an oracle. */
export type Pair = { a: string; b: string; source: string };

/** An oracle's answer: -1, 0, 1, or 'E' when the tool refused an input. */
export type Verdict = -1 | 0 | 1 | 'E';

/**
 * Reference vectors published by dpkg/apt and osv-scalibr, kept outside the repository (their
 * licences differ from ours); PATCHDECK_REFERENCE_DATA points elsewhere if needed.
 */
export function referenceDataDir(): string {
  return referenceData();
}

/** A small deterministic generator (mulberry32), so every run checks the same pairs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks `count` items (with repetition) using `random`. */
export function pick<T>(items: readonly T[], count: number, random: () => number): T[] {
  return Array.from({ length: count }, () => items[Math.floor(random() * items.length)]!);
}

/** Adjacent pairs of a list sorted with `compare`: the closest, hardest comparisons. */
export function sortedNeighbours(
  versions: readonly string[],
  compare: (a: string, b: string) => number,
  source: string,
): Pair[] {
  const sorted = [...versions].sort(compare);
  return sorted.slice(1).map((b, i) => ({ a: sorted[i]!, b, source }));
}

/** Every version this machine's dpkg has installed. */
export function installedDebianVersions(): string[] {
  const out = execFileSync('dpkg-query', ['-W', '-f', '${Version}\n'], { encoding: 'utf8' });
  return unique(out.split('\n'));
}

/**
 * Versions from the package lists apt knows (Version fields and the versions in relation
 * fields such as `Depends: libc6 (>= 2.34)`); empty when apt has no lists.
 */
export function availableDebianVersions(): string[] {
  const result = spawnSync('apt-cache', ['dumpavail'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0 || !result.stdout) return [];
  const found: string[] = [];
  for (const line of result.stdout.split('\n')) {
    if (line.startsWith('Version: ')) found.push(line.slice('Version: '.length));
    else if (/^(Pre-)?Depends|^Breaks|^Conflicts|^Replaces|^Recommends/.test(line)) {
      for (const m of line.matchAll(/\((?:<<|<=|=|>=|>>) *([^)\s]+)\)/g)) found.push(m[1]!);
    }
  }
  return unique(found);
}

/** Drops empty strings and duplicates, keeping first-seen order. */
export function unique(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
}

/** Splits a list into `parts` contiguous chunks. */
function chunks<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` with a fresh temp folder, removed afterwards. */
async function withTempDir<R>(fn: (dir: string) => Promise<R>): Promise<R> {
  const dir = mkdtempSync(join(tmpdir(), 'patchdeck-oracle-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One shell loop per chunk: `dpkg --compare-versions` for each pair, lt first, then gt. */
const DPKG_LOOP = `
while IFS="$(printf '\\t')" read -r a b; do
  dpkg --compare-versions "$a" lt "$b" 2>/dev/null; rc=$?
  if [ "$rc" -eq 0 ]; then echo -1; continue; fi
  if [ "$rc" -ne 1 ]; then echo E; continue; fi
  dpkg --compare-versions "$a" gt "$b" 2>/dev/null; rc=$?
  if [ "$rc" -eq 0 ]; then echo 1; elif [ "$rc" -eq 1 ]; then echo 0; else echo E; fi
done < "$1"
`;

/** Asks dpkg to compare every pair; two shell loops run side by side. */
export async function dpkgVerdicts(pairs: readonly Pair[]): Promise<Verdict[]> {
  for (const { a, b } of pairs) {
    if (/[\t\n]/.test(a + b) || a.startsWith('-') || b.startsWith('-')) {
      throw new Error(`Pair cannot be passed to the shell loop: ${a} / ${b}`);
    }
  }
  return withTempDir(async (dir) => {
    const parts = chunks(pairs, 2);
    const outputs = await Promise.all(
      parts.map(async (part, index) => {
        const file = join(dir, `pairs-${index}.tsv`);
        writeFileSync(file, part.map(({ a, b }) => `${a}\t${b}\n`).join(''));
        const { stdout } = await run('sh', ['-c', DPKG_LOOP, 'dpkg-oracle', file], {
          maxBuffer: 64 << 20,
        });
        return parseVerdicts(stdout, part.length);
      }),
    );
    return outputs.flat();
  });
}

/** What dpkg says of a version's syntax: accepted, accepted with a warning, or refused. */
export type SyntaxVerdict = { kind: 'ok' } | { kind: 'warning' | 'error'; message: string };

/** Asks dpkg to parse each version (`--compare-versions v eq v`) and reads its diagnostics. */
export function dpkgSyntaxVerdicts(versions: readonly string[]): SyntaxVerdict[] {
  return versions.map((version) => {
    const result = spawnSync('dpkg', ['--compare-versions', version, 'eq', version], {
      encoding: 'utf8',
    });
    const match = /(warning|error): version '.*' has bad syntax: (.*)$/s.exec(result.stderr);
    if (result.status === 0 && !match) return { kind: 'ok' };
    if (!match) throw new Error(`dpkg answered ${result.status} for ${version}: ${result.stderr}`);
    const kind = match[1] === 'error' ? 'error' : 'warning';
    // dpkg names each bad version once per parse; the first reason is the one that counts.
    return { kind, message: match[2]!.split('\n')[0]!.trim() };
  });
}

const PYTHON = '/usr/bin/python3';

/**
 * The RPM oracle: rpm's library through Debian's python3-rpm. `evr` compares whole
 * `[epoch:]version[-release]` values (rpm.ver, that is rpmverCmp); `vercmp` compares bare
 * strings with rpmvercmp (labelCompare with only a version).
 */
const RPM_SCRIPT = `
import sys, rpm
mode = sys.argv[1]
out = []
for line in open(sys.argv[2], encoding='utf-8'):
    a, b = line.rstrip('\\n').split('\\t')
    try:
        if mode == 'evr':
            x, y = rpm.ver(a), rpm.ver(b)
            r = -1 if x < y else (1 if x > y else 0)
        else:
            r = rpm.labelCompare((None, a, None), (None, b, None))
        out.append(str(r))
    except Exception:
        out.append('E')
sys.stdout.write('\\n'.join(out) + '\\n')
`;

/** Fails with what to install when rpm's Python binding is missing; tests/run-all.sh installs it. */
export function assertRpmOracle(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import rpm'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `The RPM oracle needs rpm's Python binding for ${PYTHON}: run ` +
        '`apt-get install -y rpm python3-rpm` (tests/run-all.sh does this).',
    );
  }
}

/** Asks rpm to compare every pair in one Python process. */
export async function rpmVerdicts(
  pairs: readonly Pair[],
  mode: 'evr' | 'vercmp',
): Promise<Verdict[]> {
  return withTempDir(async (dir) => {
    const file = join(dir, 'pairs.tsv');
    writeFileSync(file, pairs.map(({ a, b }) => `${a}\t${b}\n`).join(''));
    const { stdout } = await run(PYTHON, ['-c', RPM_SCRIPT, mode, file], {
      maxBuffer: 64 << 20,
    });
    return parseVerdicts(stdout, pairs.length);
  });
}

function parseVerdicts(stdout: string, expected: number): Verdict[] {
  const lines = stdout.trim() === '' ? [] : stdout.trim().split('\n');
  if (lines.length !== expected) {
    throw new Error(`Oracle answered ${lines.length} of ${expected} pairs.`);
  }
  return lines.map((line) => {
    if (line === 'E') return 'E';
    const n = Number(line);
    if (n !== -1 && n !== 0 && n !== 1) throw new Error(`Oracle answered ${line}`);
    return n;
  });
}

/** Reads a text file of the reference data. */
export function readReference(...path: string[]): string {
  return readFileSync(join(referenceDataDir(), ...path), 'utf8');
}

/** A pair whose comparator and oracle disagree, for a readable failure. */
export type Disagreement = Pair & { ours: Verdict; oracle: Verdict };

/** Runs `compare` over the pairs and lists where it differs from the oracle's verdicts. */
export function disagreements(
  pairs: readonly Pair[],
  verdicts: readonly Verdict[],
  compare: (a: string, b: string) => -1 | 0 | 1,
): Disagreement[] {
  const out: Disagreement[] = [];
  pairs.forEach((pair, i) => {
    let ours: Verdict;
    try {
      ours = compare(pair.a, pair.b);
    } catch {
      ours = 'E';
    }
    const oracle = verdicts[i]!;
    if (ours !== oracle) out.push({ ...pair, ours, oracle });
  });
  return out;
}
