import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The product version, stamped by the build; undefined when run from sources. */
declare const __PATCHDECK_VERSION__: string | undefined;

/**
 * The PatchDeck version: the one stamped at build time, else the `version` of the nearest
 * `package.json` named `patchdeck` above this module, else "dev".
 */
export function productVersionSync(): string {
  if (typeof __PATCHDECK_VERSION__ === 'string') return __PATCHDECK_VERSION__;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'patchdeck' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No readable package.json here; keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return 'dev';
    dir = parent;
  }
}
