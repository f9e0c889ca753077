import { lstat, open } from 'node:fs/promises';
import { resolve } from 'node:path';

import { AppError } from '../../../shared/api/errors';
import type { Inspection, Publisher } from '../../../shared/api/ops/bundles';
import {
  keyFingerprint,
  METADATA_LIMITS,
  normaliseFingerprint,
  type Root,
  type SignedRoot,
} from '../../../shared/domain/bundle-manifest';
import type { ReadDb, WriteTx } from '../platform/storage';

import { openBundleSource } from './bundle-source';
import { findTrustAnchor, getPublisher, revokeKey, saveRoot } from './bundles.repository';
import { isSelfSigned, parseSignedManifest, parseSignedRoot, sha256Hex } from './verify-metadata';

/** A root read from media: a root file, or the newest root a bundle carries. */
export type RootOnMedia = {
  signed: SignedRoot;
  text: string;
  sha256: string;
  container: 'file' | 'directory' | 'tar';
};

/** The keys of a root as the trust screens list them. */
export function rootKeys(root: Root): Inspection['rootKeys'] {
  return Object.keys(root.keys)
    .sort()
    .map((keyid) => ({
      keyid,
      fingerprint: keyFingerprint(keyid),
      roles: (['root', 'targets'] as const).filter((r) => root.roles[r].keyids.includes(keyid)),
    }));
}

async function readRootFile(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size > METADATA_LIMITS.rootBytes) {
      throw new AppError(
        'BUNDLE_METADATA_TOO_LARGE',
        `${path} is ${size} bytes, over the root file limit of ${METADATA_LIMITS.rootBytes}.`,
      );
    }
    const buffer = Buffer.alloc(METADATA_LIMITS.rootBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > METADATA_LIMITS.rootBytes) {
      throw new AppError('BUNDLE_METADATA_TOO_LARGE', `${path} is over the root file limit.`);
    }
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** True when the path names a single JSON file (a root file) rather than a bundle. */
async function isJsonFile(path: string): Promise<boolean> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) {
    throw new AppError('BUNDLE_SOURCE_NOT_FOUND', `Nothing found at ${path}.`, { path });
  }
  return info.isFile() && path.toLowerCase().endsWith('.json');
}

/** Reads a root from a root file or a bundle, refusing anything that is not a self-signed root. */
export async function readRootFromMedia(sourcePath: string): Promise<RootOnMedia> {
  const path = resolve(sourcePath);
  let bytes: Buffer;
  let container: RootOnMedia['container'] = 'file';
  if (await isJsonFile(path)) {
    bytes = await readRootFile(path);
  } else {
    const source = await openBundleSource(path);
    container = source.kind;
    const newest = Math.max(0, ...source.metadata.roots.keys());
    const found = source.metadata.roots.get(newest);
    if (!found) throw new AppError('TRUST_ROOT_INVALID', `${path} carries no root file.`);
    bytes = found;
  }
  const signed = parseSignedRoot(bytes, path, 'TRUST_ROOT_INVALID');
  if (!isSelfSigned(signed)) {
    throw new AppError(
      'TRUST_ROOT_INVALID',
      `The root in ${path} is not signed by ${signed.signed.roles.root.threshold} of its own root keys.`,
    );
  }
  return { signed, text: bytes.toString('utf8'), sha256: sha256Hex(bytes), container };
}

/**
 * Adds (or replaces) a publisher's trusted root after the operator confirmed the fingerprint of
 * one of its root keys, read from the publisher over a channel other than the media.
 */
export function addPublisher(
  tx: WriteTx,
  root: RootOnMedia,
  confirmFingerprint: string,
  at: string,
  by: string,
): Publisher {
  const r = root.signed.signed;
  const typed = normaliseFingerprint(confirmFingerprint);
  const rootKeyIds = r.roles.root.keyids;
  if (!rootKeyIds.includes(typed)) {
    throw new AppError(
      'TRUST_FINGERPRINT_MISMATCH',
      `The fingerprint entered does not match any root key of ${r.publisher} (root version ${r.version}). Nothing was trusted.`,
      { publisher: r.publisher, rootKeys: rootKeyIds.map(keyFingerprint) },
    );
  }
  const current = findTrustAnchor(tx, r.publisher);
  if (current && current.root.version > r.version) {
    throw new AppError(
      'TRUST_ROOT_INVALID',
      `${r.publisher} is already trusted at root version ${current.root.version}; version ${r.version} is older.`,
    );
  }
  saveRoot(tx, r, root.text, root.sha256, at, by);
  const publisher = getPublisher(tx, r.publisher);
  if (!publisher) throw new Error(`Publisher ${r.publisher} was not stored.`);
  return publisher;
}

/** Revokes a key; its signatures no longer count for any bundle. */
export function revokeTrustedKey(
  tx: WriteTx,
  keyid: string,
  reason: string,
  at: string,
  by: string,
): Publisher {
  const publisher = revokeKey(tx, keyid, reason, at, by);
  if (publisher === null) {
    throw new AppError('TRUST_KEY_NOT_FOUND', `No trusted key has the id ${keyid}.`, { keyid });
  }
  const result = getPublisher(tx, publisher);
  if (!result) throw new Error(`Publisher ${publisher} vanished.`);
  return result;
}

/** Reads what a source is (a root file or a bundle) and who signed it, importing nothing. */
export async function inspectSource(db: ReadDb, sourcePath: string): Promise<Inspection> {
  const path = resolve(sourcePath);
  if (await isJsonFile(path)) {
    const root = await readRootFromMedia(path);
    const r = root.signed.signed;
    return {
      source: path,
      kind: 'root',
      container: 'file',
      publisher: r.publisher,
      trustedRootVersion: findTrustAnchor(db, r.publisher)?.root.version ?? null,
      rootVersion: r.version,
      rootKeys: rootKeys(r),
      bundle: null,
    };
  }
  const source = await openBundleSource(path);
  const signed = parseSignedManifest(source.metadata.manifest);
  const m = signed.signed;
  const newest = Math.max(0, ...source.metadata.roots.keys());
  const rootBytes = source.metadata.roots.get(newest);
  const root = rootBytes ? parseSignedRoot(rootBytes, `${newest}.root.json`).signed : null;
  return {
    source: path,
    kind: 'bundle',
    container: source.kind,
    publisher: m.publisher,
    trustedRootVersion: findTrustAnchor(db, m.publisher)?.root.version ?? null,
    rootVersion: root?.version ?? 0,
    rootKeys: root ? rootKeys(root) : [],
    bundle: {
      bundleId: m.bundleId,
      channel: m.channel,
      sequence: m.sequence,
      created: m.created,
      expires: m.expires,
      files: m.files.length,
      bytes: m.files.reduce((sum, f) => sum + f.length, 0),
      patches: m.patches.length,
      signedBy: [...new Set(signed.signatures.map((s) => s.keyid))].map((keyid) => ({
        keyid,
        fingerprint: keyFingerprint(keyid),
      })),
    },
  };
}
