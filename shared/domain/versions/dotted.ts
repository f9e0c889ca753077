/**
 * Versions of macOS installer receipts and Windows programs (`14.2.1`, `10.0.19041.3803`,
 * `1.0b3`): runs of digits compare as numbers, runs of letters case-insensitively, and any other
 * character only separates runs.
 *
 * A missing run counts as 0 against a number (`1.0` equals `1.0.0`) and as newer than letters,
 * so a trailing letter run reads as a pre-release (`1.0b1` is older than `1.0`). A number is
 * newer than letters in the same place.
 */
export function compareDottedVersions(a: string, b: string): -1 | 0 | 1 {
  const left = runs(a);
  const right = runs(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined || y === undefined) {
      const present = (x ?? y)!;
      const sign = x === undefined ? -1 : 1;
      if (isNumber(present)) {
        if (stripZeros(present) !== '') return sign;
        continue;
      }
      return sign === 1 ? -1 : 1;
    }
    const order = compareRun(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

function runs(version: string): string[] {
  return version.match(/[0-9]+|[A-Za-z]+/g) ?? [];
}

const isNumber = (run: string) => run.charCodeAt(0) >= 48 && run.charCodeAt(0) <= 57;
const stripZeros = (run: string) => run.replace(/^0+/, '');

function compareRun(x: string, y: string): -1 | 0 | 1 {
  const xNumber = isNumber(x);
  const yNumber = isNumber(y);
  if (xNumber !== yNumber) return xNumber ? 1 : -1;
  if (xNumber) {
    const p = stripZeros(x);
    const q = stripZeros(y);
    if (p.length !== q.length) return p.length > q.length ? 1 : -1;
    return p === q ? 0 : p > q ? 1 : -1;
  }
  const p = x.toLowerCase();
  const q = y.toLowerCase();
  return p === q ? 0 : p > q ? 1 : -1;
}
