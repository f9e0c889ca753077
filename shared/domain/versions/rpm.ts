/**
 * RPM versions, ordered exactly as rpm 4.18 does it (`rpmio/rpmvercmp.c` rpmvercmp,
 * `lib/rpmver.c` parseEVR and rpmverCmp).
 *
 * A version string is split into runs of ASCII letters and runs of ASCII digits; everything
 * else only separates runs. Digits beat letters, numbers compare without leading zeros, `~`
 * sorts before anything (even the end), and `^` sorts after the end but before anything else.
 */

/** Epoch, version and release as rpm keeps them; a missing part is null. */
export type RpmEvr = {
  epoch: string | null;
  version: string;
  release: string | null;
};

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlnum = (c: string) => isDigit(c) || isAlpha(c);

/** Compares two version (or release) strings as rpm's rpmvercmp does: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let one = 0;
  let two = 0;
  // Past the end reads as '', like the terminating NUL.
  const ch = (s: string, i: number) => s[i] ?? '';

  while (one < a.length || two < b.length) {
    while (one < a.length && !isAlnum(a[one]!) && a[one] !== '~' && a[one] !== '^') one++;
    while (two < b.length && !isAlnum(b[two]!) && b[two] !== '~' && b[two] !== '^') two++;

    const c1 = ch(a, one);
    const c2 = ch(b, two);
    if (c1 === '~' || c2 === '~') {
      if (c1 !== '~') return 1;
      if (c2 !== '~') return -1;
      one++;
      two++;
      continue;
    }
    if (c1 === '^' || c2 === '^') {
      if (c1 === '') return -1;
      if (c2 === '') return 1;
      if (c1 !== '^') return 1;
      if (c2 !== '^') return -1;
      one++;
      two++;
      continue;
    }
    if (c1 === '' || c2 === '') break;

    const numeric = isDigit(c1);
    const inSegment = numeric ? isDigit : isAlpha;
    let end1 = one;
    let end2 = two;
    while (end1 < a.length && inSegment(a[end1]!)) end1++;
    while (end2 < b.length && inSegment(b[end2]!)) end2++;

    // The segments are of different kinds: a number is newer than letters.
    if (end2 === two) return numeric ? 1 : -1;

    let seg1 = a.slice(one, end1);
    let seg2 = b.slice(two, end2);
    if (numeric) {
      seg1 = seg1.replace(/^0+/, '');
      seg2 = seg2.replace(/^0+/, '');
      if (seg1.length !== seg2.length) return seg1.length > seg2.length ? 1 : -1;
    }
    if (seg1 !== seg2) return seg1 > seg2 ? 1 : -1;
    one = end1;
    two = end2;
  }

  const rest1 = one < a.length;
  const rest2 = two < b.length;
  if (!rest1 && !rest2) return 0;
  return rest1 ? 1 : -1;
}

/**
 * Splits `[epoch:]version[-release]` as rpm's parseEVR does.
 *
 * The epoch is the run of leading digits when a colon follows it (an empty one counts as "0");
 * the release is what follows the last hyphen.
 */
export function parseRpmEvr(text: string): RpmEvr {
  let digitsEnd = 0;
  while (digitsEnd < text.length && isDigit(text[digitsEnd]!)) digitsEnd++;
  const hyphen = text.lastIndexOf('-');
  const release = hyphen >= digitsEnd ? text.slice(hyphen + 1) : null;
  const upToRelease = hyphen >= digitsEnd ? text.slice(0, hyphen) : text;
  if (text[digitsEnd] === ':') {
    const epoch = text.slice(0, digitsEnd);
    return {
      epoch: epoch === '' ? '0' : epoch,
      version: upToRelease.slice(digitsEnd + 1),
      release,
    };
  }
  return { epoch: null, version: upToRelease, release };
}

/**
 * Compares two `[epoch:]version[-release]` values as rpm does (rpmverCmp): -1, 0 or 1.
 *
 * A missing epoch is 0. When the versions are equal, a value without a release is older than
 * one with a release, even an empty one.
 */
export function compareRpmEvr(a: string | RpmEvr, b: string | RpmEvr): -1 | 0 | 1 {
  const left = typeof a === 'string' ? parseRpmEvr(a) : a;
  const right = typeof b === 'string' ? parseRpmEvr(b) : b;
  const byEpoch = rpmvercmp(left.epoch ?? '0', right.epoch ?? '0');
  if (byEpoch !== 0) return byEpoch;
  const byVersion = rpmvercmp(left.version, right.version);
  if (byVersion !== 0) return byVersion;
  if (left.release !== null && right.release !== null) {
    return rpmvercmp(left.release, right.release);
  }
  if (left.release !== null) return 1;
  if (right.release !== null) return -1;
  return 0;
}

/** Writes an EVR back as text, leaving out what is missing. */
export function formatRpmEvr(evr: RpmEvr): string {
  const epoch = evr.epoch === null ? '' : `${evr.epoch}:`;
  const release = evr.release === null ? '' : `-${evr.release}`;
  return `${epoch}${evr.version}${release}`;
}
