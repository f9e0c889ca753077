/**
 * Debian package versions, parsed and ordered exactly as dpkg 1.21 does it
 * (`lib/dpkg/parsehelp.c` parseversion, `lib/dpkg/version.c` verrevcmp).
 *
 * A version is `[epoch:]upstream[-revision]`. The epoch is a decimal number; the revision is
 * everything after the last hyphen. Upstream and revision are compared piecewise: a run of
 * non-digits character by character (`~` before the end of the string, the end before letters,
 * letters before everything else), then a run of digits numerically.
 */

/** The three parts of a Debian version. */
export type DebianVersion = {
  /** 0 when the version has none. */
  epoch: number;
  upstream: string;
  /** Empty when the version has none (a native package). */
  revision: string;
};

/**
 * The outcome of parsing a version as dpkg does.
 *
 * dpkg refuses a version with an `error`; one with a `warning` (upstream not starting with a
 * digit, a character outside the allowed set) it still parses and compares, and so does this
 * module.
 */
export type DebianVersionParse =
  { ok: true; version: DebianVersion; warning: string | null } | { ok: false; error: string };

/** Thrown when a version dpkg would refuse is compared. */
export class DebianVersionSyntaxError extends Error {
  constructor(
    readonly text: string,
    readonly reason: string,
  ) {
    super(`Version '${text}' has bad syntax: ${reason}.`);
    this.name = 'DebianVersionSyntaxError';
  }
}

const INT_MAX = 2 ** 31 - 1;

const isBlank = (c: string) => c === ' ' || c === '\t';
/** C isspace in the C locale: what strtol skips before the number. */
const isCSpace = (c: string) => c === ' ' || (c >= '\t' && c <= '\r');
const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** Parses a version the way dpkg's parseversion does, with its messages. */
export function parseDebianVersion(text: string): DebianVersionParse {
  let start = 0;
  while (start < text.length && isBlank(text[start]!)) start++;
  if (start === text.length) return { ok: false, error: 'version string is empty' };

  let end = start;
  while (end < text.length && !isBlank(text[end]!)) end++;
  let after = end;
  while (after < text.length && isBlank(text[after]!)) after++;
  if (after < text.length) return { ok: false, error: 'version string has embedded spaces' };

  let epoch = 0;
  const colon = text.indexOf(':', start);
  if (colon !== -1 && colon < end) {
    const parsed = strtol(text, start);
    if (parsed.end === start) return { ok: false, error: 'epoch in version is empty' };
    if (parsed.end !== colon) return { ok: false, error: 'epoch in version is not number' };
    if (parsed.value < 0) return { ok: false, error: 'epoch in version is negative' };
    if (parsed.value > INT_MAX) return { ok: false, error: 'epoch in version is too big' };
    if (colon + 1 === end) return { ok: false, error: 'nothing after colon in version number' };
    epoch = parsed.value;
    start = colon + 1;
  }

  const full = text.slice(start, end);
  const hyphen = full.lastIndexOf('-');
  const upstream = hyphen === -1 ? full : full.slice(0, hyphen);
  const revision = hyphen === -1 ? '' : full.slice(hyphen + 1);
  if (hyphen !== -1 && revision === '') return { ok: false, error: 'revision number is empty' };
  if (upstream === '') return { ok: false, error: 'version number is empty' };

  const version = { epoch, upstream, revision };
  return { ok: true, version, warning: syntaxWarning(upstream, revision) };
}

/** dpkg's warnings: checked in its order, and only the first is reported. */
function syntaxWarning(upstream: string, revision: string): string | null {
  if (!isDigit(upstream[0]!)) return 'version number does not start with digit';
  for (const c of upstream.slice(1)) {
    if (!isDigit(c) && !isAlpha(c) && !'.-+~:'.includes(c)) {
      return 'invalid character in version number';
    }
  }
  for (const c of revision) {
    if (!isDigit(c) && !isAlpha(c) && !'.+~'.includes(c)) {
      return 'invalid character in revision number';
    }
  }
  return null;
}

/** C strtol in base 10: leading space, an optional sign, digits; `end` is where it stopped. */
function strtol(text: string, from: number): { value: number; end: number } {
  let i = from;
  while (i < text.length && isCSpace(text[i]!)) i++;
  let sign = 1;
  if (text[i] === '+' || text[i] === '-') {
    if (text[i] === '-') sign = -1;
    i++;
  }
  const digitsFrom = i;
  let value = 0;
  while (i < text.length && isDigit(text[i]!)) {
    // Saturates like strtol (ERANGE); any value past INT_MAX is refused the same way.
    value = Math.min(value * 10 + (text.charCodeAt(i) - 48), Number.MAX_SAFE_INTEGER);
    i++;
  }
  if (i === digitsFrom) return { value: 0, end: from };
  return { value: sign * value, end: i };
}

/** True when dpkg accepts the version (possibly with a warning). */
export function isValidDebianVersion(text: string): boolean {
  return parseDebianVersion(text).ok;
}

/**
 * Compares two Debian versions as `dpkg --compare-versions` does: -1, 0 or 1.
 *
 * Throws {@link DebianVersionSyntaxError} for a version dpkg refuses (not for one it only warns
 * about).
 */
export function compareDebianVersions(a: string, b: string): -1 | 0 | 1 {
  return compareParsedDebianVersions(parseOrThrow(a), parseOrThrow(b));
}

/** Compares two parsed versions: epoch numerically, then upstream, then revision. */
export function compareParsedDebianVersions(a: DebianVersion, b: DebianVersion): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

function parseOrThrow(text: string): DebianVersion {
  const parsed = parseDebianVersion(text);
  if (!parsed.ok) throw new DebianVersionSyntaxError(text, parsed.error);
  return parsed.version;
}

/**
 * Where a byte sorts in a non-digit run: `~` first, then the end of the string (and digits,
 * which end the run), then letters, then every other byte.
 *
 * dpkg works on C `char`, signed on the platforms it ships for, so a byte above 0x7f is
 * negative there and lands between the letters and ASCII punctuation; the same order results
 * from using the unsigned byte as is.
 */
function order(c: number): number {
  if (c >= 0x30 && c <= 0x39) return 0;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return c;
  if (c === 0x7e) return -1;
  if (c === 0) return 0;
  if (c >= 0x80) return c;
  return c + 256;
}

const isDigitByte = (c: number) => c >= 0x30 && c <= 0x39;

/** dpkg's verrevcmp over the UTF-8 bytes of each string. */
function verrevcmp(left: string, right: string): -1 | 0 | 1 {
  const a = utf8(left);
  const b = utf8(right);
  // Reading past the end yields 0, like the terminating NUL.
  const at = (s: readonly number[], i: number) => s[i] ?? 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigitByte(at(a, i))) || (j < b.length && !isDigitByte(at(b, j)))) {
      const ac = order(at(a, i));
      const bc = order(at(b, j));
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    while (at(a, i) === 0x30) i++;
    while (at(b, j) === 0x30) j++;
    while (isDigitByte(at(a, i)) && isDigitByte(at(b, j))) {
      if (firstDiff === 0) firstDiff = at(a, i) - at(b, j);
      i++;
      j++;
    }
    if (isDigitByte(at(a, i))) return 1;
    if (isDigitByte(at(b, j))) return -1;
    if (firstDiff !== 0) return firstDiff < 0 ? -1 : 1;
  }
  return 0;
}

/** The UTF-8 bytes of a string; versions are nearly always ASCII, so that case is direct. */
function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) {
      out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    } else {
      out.push(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
    }
  }
  return out;
}
