import { AppError } from '../../../shared/api/errors';
import type { Manifest } from '../../../shared/domain/bundle-manifest';

import { checkDirectoryEntries, openBundleSource, type OpenedSource } from './bundle-source';
import { copyPayload, startHashCopyPool, type HashCopyPool, type PayloadFile } from './hash-copy';
import {
  parseSignedManifest,
  verifyMetadata,
  type TrustAnchor,
  type VerifiedMetadata,
} from './verify-metadata';

/**
 * What the policy step decides once the metadata verified: go on, stop as a no-op, or copy the
 * payload again to repair a quarantined bundle's store copy (same bundle, same manifest).
 */
export type PolicyVerdict = 'continue' | 'already-imported' | 'repair';

/** How to verify one bundle. */
export type VerifyOptions = {
  /** The trust anchor for a publisher; null when the workspace does not trust it. */
  anchorFor(publisher: string): TrustAnchor | null;
  /** When false, a bundle of an unknown publisher is checked against its own first root. */
  requireTrust: boolean;
  /** The time expiry is judged against (already the later of clock and ratchet). */
  now: Date;
  /** Accept an expired bundle (the caller has checked who may). */
  allowExpired: boolean;
  /** Rollback, time ratchet, duplicates: checks that need the workspace; none by default. */
  policy?(meta: VerifiedMetadata, anchor: TrustAnchor | null): PolicyVerdict;
  /** Where to stage copies; null to hash only (bundle verify). */
  stagingDir: string | null;
  /** Whether the store already holds this content (then it is hashed but not copied). */
  storeHas?(sha256: string, length: number): boolean;
  parallelism?: number;
  /** A phase began. For `copying`, `total` is the payload's bytes (read once from the media). */
  onPhase?(phase: 'verifying-metadata' | 'copying', total: number): void;
  onProgress?(bytes: number, file: string | null): void;
};

/** What verification established. */
export type VerifiedBundle = {
  source: OpenedSource;
  meta: VerifiedMetadata;
  anchor: TrustAnchor | null;
  expired: boolean;
  verdict: PolicyVerdict;
  files: PayloadFile[];
  bytesRead: number;
  bytesWritten: number;
};

/** Total payload bytes of a manifest. */
export function payloadBytes(manifest: Manifest): number {
  return manifest.files.reduce((sum, f) => sum + f.length, 0);
}

/**
 * The one verification path of import and `patchdeck bundle verify`: metadata within limits,
 * signatures and root chain against the trust anchor, expiry, the caller's policy, the entries on
 * the media, then every payload file read once, hashing exactly the bytes written to staging, and
 * every staged copy fsynced. Throws the AppError of the first check that fails.
 */
export async function verifyBundle(path: string, options: VerifyOptions): Promise<VerifiedBundle> {
  // The threads start while the metadata is checked; most bundles get that far.
  const pool = startHashCopyPool(options.parallelism);
  try {
    return await verifyWith(pool, path, options);
  } finally {
    // Kept warm for the store check that follows an import (or the next import).
    await pool.release();
  }
}

async function verifyWith(
  pool: HashCopyPool,
  path: string,
  options: VerifyOptions,
): Promise<VerifiedBundle> {
  options.onPhase?.('verifying-metadata', 0);
  const source = await openBundleSource(path);
  const publisher = parseSignedManifest(source.metadata.manifest).signed.publisher;
  const anchor = options.anchorFor(publisher);
  if (!anchor && options.requireTrust) {
    throw new AppError(
      'BUNDLE_PUBLISHER_NOT_TRUSTED',
      `The bundle is published by "${publisher}", which this workspace does not trust. An administrator can add the publisher's root under Trust.`,
      { publisher },
    );
  }
  const meta = verifyMetadata(source.metadata, anchor);
  const { manifest } = meta;
  const expired = Date.parse(manifest.expires) <= options.now.getTime();
  if (expired && !options.allowExpired) {
    throw new AppError(
      'BUNDLE_EXPIRED',
      `Bundle ${manifest.bundleId} expired on ${manifest.expires} (checked at ${options.now.toISOString()}).`,
      { expires: manifest.expires, checkedAt: options.now.toISOString() },
    );
  }
  const verdict = options.policy?.(meta, anchor) ?? 'continue';
  const files: PayloadFile[] = manifest.files.map((f, index) => ({
    index,
    path: f.path,
    length: f.length,
    sha256: f.sha256,
    store: options.stagingDir !== null && !(options.storeHas?.(f.sha256, f.length) ?? false),
  }));
  if (verdict === 'already-imported') {
    return { source, meta, anchor, expired, verdict, files, bytesRead: 0, bytesWritten: 0 };
  }
  if (source.kind === 'directory') await checkDirectoryEntries(source.path, manifest);
  options.onPhase?.('copying', payloadBytes(manifest));
  const copied = await copyPayload({
    source: { kind: source.kind, path: source.path, metadataNames: source.metadataNames },
    files,
    stagingDir: options.stagingDir,
    pool,
    onProgress: (bytes, file) => options.onProgress?.(bytes, file),
  });
  return {
    source,
    meta,
    anchor,
    expired,
    verdict,
    files,
    bytesRead: copied.bytesRead,
    bytesWritten: copied.bytesWritten,
  };
}
