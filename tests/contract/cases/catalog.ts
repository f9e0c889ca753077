import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ApiClient } from '../../../shared/api/client';
import { buildTestBundle, makePublisher, writeRootFile } from '../../helpers/bundle-kit';

import type { AreaCases } from './case';

/** The operations of the patch catalog. */
type CatalogOp = 'catalog.list' | 'catalog.get' | 'catalog.hostApplicability';

/**
 * Imports one signed bundle of real .deb packages through the API and returns its first patch id,
 * for when no earlier case has filled the catalog.
 */
async function importOneBundle(client: ApiClient): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'patchdeck-contract-catalog-'));
  try {
    const publisher = makePublisher('catalog-contract');
    await client.call('trust.addPublisher', {
      rootPath: writeRootFile(work, publisher, 1),
      confirmFingerprint: publisher.roots[0]!.signed.roles.root.keyids[0]!,
    });
    const bundle = await buildTestBundle(work, publisher, { packages: 1 });
    await client.call('bundles.import', { source: bundle.dir });
    return bundle.manifest.signed.patches[0]!.id;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The catalog's cases, after the bundle and asset cases: `catalog.get` reads the first patch the
 * list shows (importing a bundle first when the catalog is empty), and
 * `catalog.hostApplicability` the first host of the inventory (added when there is none).
 */
export const catalogCases: AreaCases<CatalogOp> = {
  'catalog.list': {
    invalid: { limit: 0 },
    valid: () => ({ filter: {}, limit: 100 }),
    then: async (output, state, client) => {
      state.vars['catalogPatchId'] = output.patches[0]?.patchId ?? (await importOneBundle(client));
    },
  },
  'catalog.get': {
    invalid: { patchId: '' },
    valid: (state) => ({ patchId: state.vars['catalogPatchId'] ?? '' }),
    then: async (_output, state, client) => {
      const listed = await client.call('hosts.list', {});
      const host =
        listed.hosts[0] ??
        (await client.call('hosts.create', { address: '127.0.0.1', username: 'patchdeck' }));
      state.vars['catalogHostId'] = host.id;
    },
  },
  'catalog.hostApplicability': {
    invalid: { hostId: 'h1', includeNotApplicable: 'yes' },
    valid: (state) => ({ hostId: state.vars['catalogHostId'] ?? '', includeNotApplicable: true }),
  },
};
