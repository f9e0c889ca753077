/**
 * Sizes, rates and ages as the bundle and catalog screens show them. Sizes use powers of 1000,
 * like the MB/s of an import, so "120 MB at 40 MB/s" takes three seconds.
 */

/** "1.2 GB", "340 kB", "12 B". */
export function formatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const shown = unit === 0 || value >= 100 ? Math.round(value) : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

/** "38.2 MB/s" from bytes per second. */
export function formatRate(bytesPerSecond: number): string {
  const mb = bytesPerSecond / 1_000_000;
  return `${mb >= 100 ? Math.round(mb) : mb.toFixed(1)} MB/s`;
}

/** "12 days", "1 day", "5 hours", "3 minutes", "less than a minute". */
export function formatAge(seconds: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const s = Math.max(0, seconds);
  if (s >= 86_400) return plural(Math.floor(s / 86_400), 'day');
  if (s >= 3600) return plural(Math.floor(s / 3600), 'hour');
  if (s >= 60) return plural(Math.floor(s / 60), 'minute');
  return 'less than a minute';
}

/** Seconds from an ISO time to now (negative when it lies ahead). */
export function secondsSince(iso: string, now: Date = new Date()): number {
  return (now.getTime() - new Date(iso).getTime()) / 1000;
}

/** How stale a catalog or bundle of this age is, for its colour. */
export function ageTone(seconds: number): 'ok' | 'warn' | 'danger' {
  if (seconds > 30 * 86_400) return 'danger';
  if (seconds > 7 * 86_400) return 'warn';
  return 'ok';
}
