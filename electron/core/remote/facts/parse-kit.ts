import { AppError } from '../../../../shared/api/errors';

/**
 * Upper bounds on what a scan keeps from a host's output.
 *
 * A host is not trusted: whatever it prints, the parsed facts stay bounded in size.
 */
export const FACT_LIMITS = {
  /** Characters of one output line that are read; longer lines are skipped as malformed. */
  maxLineChars: 16_384,
  /** Characters kept of any single text field (names, versions, addresses). */
  maxFieldChars: 512,
  /** Installed packages, updates and programs kept per host. */
  maxPackages: 250_000,
  /** Listening sockets kept per host. */
  maxServices: 20_000,
  /** Containers kept per host. */
  maxContainers: 10_000,
  /** File systems kept per host. */
  maxDisks: 256,
  /** Characters of a section's failure text quoted in a warning. */
  maxWarningChars: 300,
} as const;

/** Collects what a parser skipped, so the scan can say what it could not see. */
export class ScanNotes {
  readonly #warnings: string[] = [];
  readonly #malformed = new Map<string, number>();
  readonly #truncated = new Map<string, number>();

  /** Records a warning for the operator. */
  warn(message: string): void {
    this.#warnings.push(clip(message, FACT_LIMITS.maxWarningChars));
  }

  /** Counts one line of a section that could not be read. */
  malformed(section: string): void {
    this.#malformed.set(section, (this.#malformed.get(section) ?? 0) + 1);
  }

  /** Counts one entry dropped because a section exceeded its limit. */
  truncated(section: string): void {
    this.#truncated.set(section, (this.#truncated.get(section) ?? 0) + 1);
  }

  /** How many malformed lines a section had. */
  malformedCount(section: string): number {
    return this.#malformed.get(section) ?? 0;
  }

  /** The warnings, with one line per section that had malformed or dropped entries. */
  list(): string[] {
    const out = [...this.#warnings];
    for (const [section, count] of this.#malformed) {
      out.push(`${section}: ignored ${count} malformed line${count === 1 ? '' : 's'}`);
    }
    for (const [section, count] of this.#truncated) {
      out.push(`${section}: dropped ${count} entr${count === 1 ? 'y' : 'ies'} over the size limit`);
    }
    return out;
  }
}

/** Cuts text to at most `max` characters. */
export function clip(text: string, max: number = FACT_LIMITS.maxFieldChars): string {
  return text.length > max ? text.slice(0, max) : text;
}

/** Removes control characters (a host may print anything) and trims the result. */
export function cleanText(text: string, max: number = FACT_LIMITS.maxFieldChars): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return clip(text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim(), max);
}

/** Splits output into lines, accepting `\n` and `\r\n`. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** One delimited section of a batched script's output. */
export type Section = {
  /** The section's lines, without the delimiters and without trailing blank lines. */
  lines: string[];
  /** Exit status the script reported for the section; null when its end marker never came. */
  code: number | null;
};

/** Section names are short identifiers; anything else after a marker is not ours. */
const SECTION_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * Splits the output of a batched script into its sections.
 *
 * Each section starts with `@@<nonce>@@ begin <name>` and ends with `@@<nonce>@@ end <name> <rc>`
 * on lines of their own. The nonce is fresh for every scan, so nothing the host prints (a file,
 * a process name) can open or close a section. Lines outside any section are ignored; a section
 * without its end marker (the script was cut short) gets `code: null`.
 */
export function parseSections(
  output: string,
  nonce: string,
  notes: ScanNotes,
): Map<string, Section> {
  const sections = new Map<string, Section>();
  const marker = `@@${nonce}@@ `;
  let current: { name: string; section: Section } | null = null;
  for (const line of splitLines(output)) {
    if (line.startsWith(marker)) {
      const [verb, name, code] = line.slice(marker.length).split(' ');
      if (verb === 'begin' && name !== undefined && SECTION_NAME.test(name)) {
        current = { name, section: { lines: [], code: null } };
        sections.set(name, current.section);
        continue;
      }
      if (verb === 'end' && current !== null && name === current.name) {
        current.section.code = code !== undefined && /^\d{1,3}$/.test(code) ? Number(code) : null;
        trimTrailingBlank(current.section.lines);
        current = null;
        continue;
      }
    }
    if (current === null) continue;
    if (line.length > FACT_LIMITS.maxLineChars) {
      notes.malformed(current.name);
      continue;
    }
    current.section.lines.push(line);
  }
  if (current !== null) {
    trimTrailingBlank(current.section.lines);
    notes.warn(`${current.name}: the output ended before the section was complete`);
  }
  return sections;
}

function trimTrailingBlank(lines: string[]): void {
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
}

/** Where a scan ran, for error messages. */
export type ScanTarget = { address: string; family: string };

/**
 * Returns an essential section's lines, or throws: without it the facts would be wrong.
 *
 * `missingHint` says what to do when the section is absent or failed (for example: the host
 * lacks the tool).
 */
export function requireSection(
  sections: ReadonlyMap<string, Section>,
  name: string,
  target: ScanTarget,
  missingHint: string,
): string[] {
  const section = sections.get(name);
  if (section === undefined || section.code !== 0) {
    const how =
      section === undefined
        ? 'printed nothing'
        : section.code === null
          ? 'was cut short'
          : section.code === 127
            ? 'found no such tool'
            : `failed with exit code ${section.code}`;
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `Collecting facts from ${target.address}: the "${name}" step ${how}. ${missingHint}`,
      {
        address: target.address,
        family: target.family,
        section: name,
        exitCode: section?.code ?? null,
      },
    );
  }
  return section.lines;
}

/** Returns an optional section's lines, or null (and a warning when it failed, not when absent). */
export function optionalSection(
  sections: ReadonlyMap<string, Section>,
  name: string,
  notes: ScanNotes,
): string[] | null {
  const section = sections.get(name);
  if (section === undefined) return null;
  if (section.code !== 0) {
    const detail = cleanText(section.lines.join(' '), FACT_LIMITS.maxWarningChars);
    const how = section.code === null ? 'was cut short' : `failed with exit code ${section.code}`;
    notes.warn(`${name}: ${how}${detail ? ` (${detail})` : ''}`);
    return null;
  }
  return section.lines;
}

/** The first non-blank line of a section, cleaned. */
export function firstLine(lines: readonly string[]): string {
  return cleanText(lines.find((line) => line.trim() !== '') ?? '');
}

/** Parses a non-negative decimal integer that fits a double exactly; null otherwise. */
export function parseCount(text: string): number | null {
  if (!/^\d{1,16}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/** Adds up to `limit` entries to `list`, counting the ones dropped beyond it. */
export function pushBounded<T>(
  list: T[],
  item: T,
  limit: number,
  section: string,
  notes: ScanNotes,
): void {
  if (list.length >= limit) notes.truncated(section);
  else list.push(item);
}
