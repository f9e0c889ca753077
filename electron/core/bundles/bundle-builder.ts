import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { create as createTar } from 'tar';

import { AppError } from '../../../shared/api/errors';
import {
  BUNDLE_FORMAT_VERSION,
  MANIFEST_FILE,
  ManifestSchema,
  RootSchema,
  type Manifest,
  type PatchInput,
  type Root,
  type SignedManifest,
  type SignedRoot,
} from '../../../shared/domain/bundle-manifest';

import { publicKeyEntry, signBody } from './signing';
import { checkManifestContent } from './verify-metadata';

/** The keys and thresholds of a new root. */
export type RootSpec = {
  publisher: string;
  version: number;
  created: string;
  rootKeys: readonly KeyObject[];
  rootThreshold: number;
  targetsKeys: readonly KeyObject[];
  targetsThreshold: number;
};

/** Builds the signed body of a root from public (or private) keys. */
export function makeRoot(spec: RootSpec): Root {
  const keys: Root['keys'] = {};
  const ids = (list: readonly KeyObject[]) =>
    list.map((k) => {
      const { keyid, entry } = publicKeyEntry(k.type === 'private' ? createPublicKey(k) : k);
      keys[keyid] = entry;
      return keyid;
    });
  const root = {
    _type: 'root' as const,
    formatVersion: BUNDLE_FORMAT_VERSION,
    publisher: spec.publisher,
    version: spec.version,
    created: spec.created,
    keys,
    roles: {
      root: { keyids: [...new Set(ids(spec.rootKeys))], threshold: spec.rootThreshold },
      targets: { keyids: [...new Set(ids(spec.targetsKeys))], threshold: spec.targetsThreshold },
    },
  };
  return RootSchema.parse(root);
}

/** Signs a body with each key, in order. */
export function signAll<T>(
  body: T,
  keys: readonly KeyObject[],
): { signed: T; signatures: SignedRoot['signatures'] } {
  return { signed: body, signatures: keys.map((k) => signBody(body, k)) };
}

/** The text of a metadata file as PatchDeck writes it. */
export function metadataText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** SHA-256 and length of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; length: number }> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), length };
}

/** Everything a bundle is made of. */
export type BundleSpec = {
  bundleId: string;
  channel: string;
  sequence: number;
  created: string;
  expires: string;
  /** The root chain to carry, oldest first; the last one vouches for the signing keys. */
  roots: readonly SignedRoot[];
  /** Payload files: the path inside the bundle and the file on disk. */
  files: readonly { path: string; source: string }[];
  patches: readonly PatchInput[];
  /** Bundle-signing (targets) keys. */
  keys: readonly KeyObject[];
};

/** Builds and signs the manifest of a bundle (hashing every payload file). */
export async function buildManifest(spec: BundleSpec): Promise<SignedManifest> {
  const newest = spec.roots.at(-1);
  if (!newest) throw new AppError('BUNDLE_MALFORMED', 'A bundle needs its publisher root.');
  const files = [];
  for (const f of spec.files) files.push({ path: f.path, ...(await hashFile(f.source)) });
  const manifest: Manifest = ManifestSchema.parse({
    _type: 'manifest',
    formatVersion: BUNDLE_FORMAT_VERSION,
    bundleId: spec.bundleId,
    publisher: newest.signed.publisher,
    channel: spec.channel,
    sequence: spec.sequence,
    created: spec.created,
    expires: spec.expires,
    rootVersion: newest.signed.version,
    limits: {
      totalBytes: files.reduce((sum, f) => sum + f.length, 0),
      fileCount: files.length,
    },
    files,
    patches: spec.patches,
  });
  checkManifestContent(manifest);
  return signAll(manifest, spec.keys);
}

/** Writes a folder bundle: roots and manifest first, then the payload. */
export async function writeBundleDirectory(
  out: string,
  signed: SignedManifest,
  roots: readonly SignedRoot[],
  files: readonly { path: string; source: string }[],
): Promise<void> {
  await mkdir(out, { recursive: true });
  if ((await readdir(out)).length > 0) {
    throw new AppError(
      'BUNDLE_MALFORMED',
      `${out} is not empty; pick a new folder for the bundle.`,
    );
  }
  for (const root of roots) {
    await writeFile(join(out, `${root.signed.version}.root.json`), metadataText(root));
  }
  await writeFile(join(out, MANIFEST_FILE), metadataText(signed));
  for (const f of files) {
    const target = join(out, ...f.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(f.source, target);
  }
}

/** Names of a bundle's entries in the order a `.tar` must hold them: metadata first. */
export function bundleEntryOrder(
  roots: readonly SignedRoot[],
  files: readonly { path: string }[],
): string[] {
  return [
    ...roots.map((r) => `${r.signed.version}.root.json`),
    MANIFEST_FILE,
    ...files.map((f) => f.path),
  ];
}

/** Builds a bundle: a folder, or a single `.tar` when `out` ends in `.tar`. */
export async function buildBundle(spec: BundleSpec, out: string): Promise<SignedManifest> {
  const signed = await buildManifest(spec);
  if (!out.endsWith('.tar')) {
    await writeBundleDirectory(out, signed, spec.roots, spec.files);
    return signed;
  }
  const work = await mkdtemp(join(tmpdir(), 'patchdeck-bundle-'));
  try {
    await writeBundleDirectory(join(work, 'b'), signed, spec.roots, spec.files);
    await mkdir(dirname(out), { recursive: true });
    await createTar(
      { file: out, cwd: join(work, 'b'), portable: true, noDirRecurse: true },
      bundleEntryOrder(spec.roots, spec.files),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return signed;
}
