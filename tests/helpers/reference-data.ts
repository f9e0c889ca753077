import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this file belongs to. */
const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The folder a local git clone was made from, when it was cloned from a folder on this machine. */
function cloneSource(): string | undefined {
  try {
    const url = execFileSync('git', ['-C', CHECKOUT, 'remote', 'get-url', 'origin'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    return isAbsolute(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

let found: string | undefined;

/**
 * The public reference data the tests read in place and never copy into the repository (CISA KEV,
 * OSV records, version vectors, sample inventories; their licences differ from ours): the
 * `shared/data` folder beside the checkout, or beside the checkout a CI clone was made from, or
 * `PATCHDECK_REFERENCE_DATA`. A missing folder fails the test with this explanation, never skips.
 */
export function referenceData(...parts: string[]): string {
  if (found === undefined) {
    const source = cloneSource();
    const candidates = [
      process.env.PATCHDECK_REFERENCE_DATA,
      join(CHECKOUT, '..', 'shared', 'data'),
      source === undefined ? undefined : join(source, '..', 'shared', 'data'),
    ].filter((dir): dir is string => dir !== undefined);
    found = candidates.find((dir) => existsSync(dir));
    if (found === undefined) {
      throw new Error(
        `Reference data not found (looked in ${candidates.join(', ')}); set ` +
          'PATCHDECK_REFERENCE_DATA to the shared/data folder.',
      );
    }
  }
  return join(found, ...parts);
}
