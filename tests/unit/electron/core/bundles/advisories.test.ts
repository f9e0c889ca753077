import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { applyKev, readKevCatalog } from '../../../../../electron/core/bundles/advisories';
import { patchFor } from '../../../../helpers/bundle-kit';
import { referenceData } from '../../../../helpers/reference-data';

/** CISA's KEV catalog 2025.08.25 (1404 entries), read in place. */
const KEV = referenceData('cisa-kev', 'known_exploited_vulnerabilities.json');
const work = mkdtempSync(join(tmpdir(), 'patchdeck-kev-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const deb = { file: 'pool/a.deb', name: 'a', version: '1' };

describe('readKevCatalog', () => {
  it("reads CISA's JSON feed: its version and every CVE id", async () => {
    const kev = await readKevCatalog(KEV);
    expect(kev.catalogVersion).toBe('2025.08.25');
    expect(kev.cves.size).toBeGreaterThan(1300);
    expect(kev.cves.has('CVE-2025-48384')).toBe(true);
    expect(kev.cves.has('CVE-2014-3616')).toBe(false);
  });

  it('refuses a file that is not the KEV feed', async () => {
    const other = join(work, 'other.json');
    writeFileSync(other, JSON.stringify({ vulnerabilities: [{ cve: 'CVE-2024-1' }] }));
    await expect(readKevCatalog(other)).rejects.toMatchObject({ code: 'BUNDLE_MALFORMED' });
  });
});

describe('applyKev', () => {
  it('marks a patch when any of its CVEs is listed, and only then', async () => {
    const kev = await readKevCatalog(KEV);
    const [listed, unlisted, none, said] = applyKev(
      [
        patchFor('P-1', deb, { cves: ['CVE-2014-3616', 'cve-2025-48384'] }),
        patchFor('P-2', deb, { cves: ['CVE-2014-3616'] }),
        patchFor('P-3', deb, { cves: [] }),
        patchFor('P-4', deb, { cves: ['CVE-2014-3616'], knownExploited: true }),
      ],
      kev,
    );
    expect(listed?.knownExploited).toBe(true);
    expect(unlisted?.knownExploited).toBe(false);
    // No CVEs: the catalog cannot tell, so the patch keeps saying nothing.
    expect(none && 'knownExploited' in none).toBe(false);
    // The publisher's own "exploited" is kept even when the catalog does not list the CVE.
    expect(said?.knownExploited).toBe(true);
  });
});
