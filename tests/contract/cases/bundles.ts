import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { bundleOperations } from '../../../shared/api/ops/bundles';
import { keyFingerprint } from '../../../shared/domain/bundle-manifest';
import { buildTestBundle, makePublisher, tarBundle, writeRootFile } from '../../helpers/bundle-kit';

import type { AreaCases, State } from './case';

/** Every operation of the bundles area. */
type BundleOp = keyof typeof bundleOperations;

const workDirs: string[] = [];
process.once('exit', () => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** Builds a publisher, its root file and a signed bundle of real .deb packages (as a .tar). */
async function prepareMedia(state: State): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'patchdeck-contract-bundles-'));
  workDirs.push(work);
  const publisher = makePublisher('contract-pub');
  const bundle = await buildTestBundle(work, publisher, { packages: 2 });
  const root = publisher.roots[0]?.signed;
  state.vars['bundleRoot'] = writeRootFile(work, publisher);
  state.vars['bundleFingerprint'] = keyFingerprint(root?.roles.root.keyids[0] ?? '');
  state.vars['bundleTargetsKey'] = root?.roles.targets.keyids[0] ?? '';
  state.vars['bundleTar'] = await tarBundle(bundle, join(work, 'bundle.tar'));
  state.vars['bundleId'] = bundle.manifest.signed.bundleId;
}

const v = (state: State, key: string): string => state.vars[key] ?? '';

/** The bundles area, in the order a site uses it: media, trust, inspect, import, read, revoke. */
export const bundleCases: AreaCases<BundleOp> = {
  'media.list': {
    invalid: { removableOnly: true },
    valid: () => ({}),
    then: (_media, state) => prepareMedia(state),
  },
  'trust.addPublisher': {
    invalid: { rootPath: '', confirmFingerprint: 'AB' },
    valid: (state) => ({
      rootPath: v(state, 'bundleRoot'),
      confirmFingerprint: v(state, 'bundleFingerprint'),
    }),
  },
  'bundles.inspect': {
    invalid: { source: 42 },
    valid: (state) => ({ source: v(state, 'bundleTar') }),
  },
  'bundles.import': {
    invalid: { source: '/media/x', allowExpired: 'yes' },
    valid: (state) => ({ source: v(state, 'bundleTar') }),
  },
  'bundles.list': { invalid: { publisher: 'x' }, valid: () => ({}) },
  'bundles.get': {
    invalid: { bundleId: '' },
    valid: (state) => ({ bundleId: v(state, 'bundleId') }),
  },
  'bundles.listPatches': { invalid: { severity: 'high' }, valid: () => ({}) },
  'trust.list': { invalid: { all: 1 }, valid: () => ({}) },
  'trust.revokeKey': {
    invalid: { keyid: 'not-a-key-id', reason: 'Stolen laptop' },
    valid: (state) => ({ keyid: v(state, 'bundleTargetsKey'), reason: 'Rotated out in the test' }),
  },
};
