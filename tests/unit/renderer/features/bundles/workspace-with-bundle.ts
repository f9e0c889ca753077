/**
 * Prepares a real workspace with one imported bundle, for the screen tests of bundles and the
 * catalog.
 *
 * It runs as its own Node process: the import hashes in worker threads, and under the DOM test
 * environment Vite rewrites `new URL(…, import.meta.url)` to an http address, so a worker cannot
 * start there. The screens then open the same workspace with a real core in-process.
 *
 *   node --import ./build/register-sql.mjs --import tsx THIS_FILE WORKSPACE_DIR WORK_DIR
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { keyFingerprint } from '../../../../../shared/domain/bundle-manifest';
import {
  buildTestBundle,
  makePublisher,
  whenStoreChecked,
  writeRootFile,
} from '../../../../helpers/bundle-kit';
import { createTestCore, withAdmin, withOperator } from '../../../../helpers/test-core';

/** What the prepared workspace holds. */
export type PreparedWorkspace = {
  dir: string;
  work: string;
  bundleId: string;
  /** Fingerprint of the key that signed the bundle. */
  signerFingerprint: string;
  /** Fingerprint of the publisher's root key. */
  rootFingerprint: string;
  rootPath: string;
  /** The imported bundle's folder. */
  bundleDir: string;
  files: { path: string; sha256: string }[];
};

async function prepare(dir: string, work: string): Promise<PreparedWorkspace> {
  const t = await createTestCore({ dir });
  const admin = await withAdmin(t);
  await withOperator(t, admin, 'tech1', ['technician']);
  await withOperator(t, admin, 'audrey', ['auditor']);
  const publisher = makePublisher('acme-security');
  const rootPath = writeRootFile(work, publisher, 1);
  const rootKeyid = publisher.roots[0]?.signed.roles.root.keyids[0] ?? '';
  await admin.call('trust.addPublisher', {
    rootPath,
    confirmFingerprint: keyFingerprint(rootKeyid),
  });
  const bundle = await buildTestBundle(work, publisher, { packages: 3, sequence: 4 });
  const checked = whenStoreChecked(t.core.events, bundle.manifest.signed.bundleId);
  const report = await admin.call('bundles.import', { source: bundle.dir });
  // The screens open a verified bundle: its store check ran here, where workers can start.
  if ((await checked).storeStatus !== 'verified') throw new Error('The store check failed.');
  const [trusted] = await admin.call('trust.list', {});
  const signer = trusted?.keys.find((k) => k.roles.includes('targets'));
  if (!signer) throw new Error('The publisher has no bundle-signing key.');
  await t.close();
  return {
    dir,
    work,
    bundleId: report.bundle.bundleId,
    signerFingerprint: signer.fingerprint,
    rootFingerprint: keyFingerprint(rootKeyid),
    rootPath,
    bundleDir: bundle.dir,
    files: bundle.manifest.signed.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
  };
}

/** Runs this file in a fresh Node process and returns what it prepared. */
export function prepareWorkspaceInChildProcess(): PreparedWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'patchdeck-ui-ws-'));
  const work = mkdtempSync(join(tmpdir(), 'patchdeck-ui-work-'));
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      './build/register-sql.mjs',
      '--import',
      'tsx',
      'tests/unit/renderer/features/bundles/workspace-with-bundle.ts',
      dir,
      work,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = out.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as PreparedWorkspace;
}

const [dirArg, workArg] = process.argv.slice(2);
if (dirArg && workArg && process.argv[1]?.endsWith('workspace-with-bundle.ts')) {
  prepare(dirArg, workArg).then(
    (prepared) => {
      process.stdout.write(`${JSON.stringify(prepared)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
