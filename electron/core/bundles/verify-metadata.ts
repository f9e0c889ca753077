import { createHash } from 'node:crypto';

import type { z } from 'zod';

import { AppError } from '../../../shared/api/errors';
import {
  BUNDLE_HARD_LIMITS,
  keyFingerprint,
  SignedManifestSchema,
  SignedRootSchema,
  type Manifest,
  type Root,
  type SignedManifest,
  type SignedRoot,
} from '../../../shared/domain/bundle-manifest';

import { findCollision, unsafePathReason } from './safe-path';
import { signingBytes, verifySignature } from './signing';

/** What the workspace trusts for one publisher: its current root and the keys it revoked. */
export type TrustAnchor = {
  publisher: string;
  root: Root;
  revoked: ReadonlySet<string>;
};

/** How one signature of a manifest was judged. */
export type SignatureStatus =
  'valid' | 'invalid' | 'unknown' | 'root-only' | 'revoked' | 'duplicate';

/** One signature's verdict. */
export type SignatureCheck = { keyid: string; fingerprint: string; status: SignatureStatus };

/** A root file that verified as the next link of the chain. */
export type AcceptedRoot = { version: number; signed: SignedRoot; text: string; sha256: string };

/** Metadata that verified: the manifest, the root that vouches for it, and the signatures. */
export type VerifiedMetadata = {
  manifest: Manifest;
  manifestSha256: string;
  root: Root;
  acceptedRoots: AcceptedRoot[];
  signatures: SignatureCheck[];
  validSignatures: number;
  threshold: number;
};

/** The raw metadata files of a bundle, already size-checked by the reader. */
export type RawMetadata = { manifest: Buffer; roots: ReadonlyMap<number, Buffer> };

function parseJson(bytes: Buffer, name: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new AppError('BUNDLE_MALFORMED', `${name} is not valid UTF-8 JSON.`, { file: name });
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
    .join('; ');
}

/** Parses `manifest.json`; anything off-format is BUNDLE_MALFORMED. */
export function parseSignedManifest(bytes: Buffer): SignedManifest {
  const parsed = SignedManifestSchema.safeParse(parseJson(bytes, 'manifest.json'));
  if (!parsed.success) {
    throw new AppError(
      'BUNDLE_MALFORMED',
      `manifest.json does not follow bundle format v1: ${describeIssues(parsed.error)}.`,
      { file: 'manifest.json' },
    );
  }
  return parsed.data;
}

/** Parses a root file; anything off-format is reported with `code`. */
export function parseSignedRoot(
  bytes: Buffer,
  name: string,
  code:
    'BUNDLE_MALFORMED' | 'BUNDLE_ROOT_ROTATION_INVALID' | 'TRUST_ROOT_INVALID' = 'BUNDLE_MALFORMED',
): SignedRoot {
  let json: unknown;
  try {
    json = parseJson(bytes, name);
  } catch (error) {
    if (code === 'BUNDLE_MALFORMED') throw error;
    throw new AppError(code, `${name} is not valid UTF-8 JSON.`, { file: name });
  }
  const parsed = SignedRootSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      code,
      `${name} is not a valid publisher root: ${describeIssues(parsed.error)}.`,
      {
        file: name,
      },
    );
  }
  return parsed.data;
}

/** How many distinct keys of `role` in `root` validly signed `signed`. */
export function countRoleSignatures(
  signed: { signed: unknown; signatures: readonly { keyid: string; sig: string }[] },
  root: Root,
  role: 'root' | 'targets',
  revoked: ReadonlySet<string> = new Set(),
): number {
  const bytes = signingBytes(signed.signed);
  const allowed = new Set(root.roles[role].keyids);
  const counted = new Set<string>();
  for (const { keyid, sig } of signed.signatures) {
    if (counted.has(keyid) || !allowed.has(keyid) || revoked.has(keyid)) continue;
    const key = root.keys[keyid];
    if (key && verifySignature(bytes, sig, key)) counted.add(keyid);
  }
  return counted.size;
}

/** True when a root is signed by a threshold of its own root keys. */
export function isSelfSigned(root: SignedRoot): boolean {
  return countRoleSignatures(root, root.signed, 'root') >= root.signed.roles.root.threshold;
}

/** SHA-256 hex of bytes. */
export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Walks the root chain from the trusted root (UPD-14/15): each next root must be version N+1,
 * name the same publisher, and be signed by a threshold of the old root keys AND of its own.
 * Roots at or below the trusted version are ignored; a gap is a refusal.
 */
export function walkRootChain(
  trusted: Root,
  roots: ReadonlyMap<number, Buffer>,
): { root: Root; accepted: AcceptedRoot[] } {
  let current = trusted;
  const accepted: AcceptedRoot[] = [];
  const newest = Math.max(0, ...roots.keys());
  for (let version = trusted.version + 1; version <= newest; version += 1) {
    const bytes = roots.get(version);
    if (!bytes) {
      throw new AppError(
        'BUNDLE_ROOT_ROTATION_INVALID',
        `The bundle carries root ${newest} but not root ${version}: a root can only follow the one before it (trusted: ${trusted.version}).`,
        { trustedVersion: trusted.version, missing: version },
      );
    }
    const name = `${version}.root.json`;
    const next = parseSignedRoot(bytes, name, 'BUNDLE_ROOT_ROTATION_INVALID');
    const problem =
      next.signed.version !== version
        ? `${name} says it is version ${next.signed.version}`
        : next.signed.publisher !== current.publisher
          ? `${name} is for publisher ${next.signed.publisher}, not ${current.publisher}`
          : countRoleSignatures(next, current, 'root') < current.roles.root.threshold
            ? `${name} is not signed by ${current.roles.root.threshold} key(s) of root ${current.version}`
            : countRoleSignatures(next, next.signed, 'root') < next.signed.roles.root.threshold
              ? `${name} is not signed by ${next.signed.roles.root.threshold} of its own root key(s)`
              : null;
    if (problem) {
      throw new AppError(
        'BUNDLE_ROOT_ROTATION_INVALID',
        `Root rotation refused: ${problem}. The trusted root stays at version ${trusted.version}.`,
        { trustedVersion: trusted.version, refusedVersion: version },
      );
    }
    const text = bytes.toString('utf8');
    accepted.push({ version, signed: next, text, sha256: sha256Hex(bytes) });
    current = next.signed;
  }
  return { root: current, accepted };
}

/**
 * Judges every signature of the manifest against the root's targets role (UPD-01..03): each key
 * counts once; revoked keys, unknown keys and root-only keys never count; one signature that does
 * not verify by a trusted targets key means the manifest was altered, and refuses it outright.
 */
export function checkManifestSignatures(
  signed: SignedManifest,
  root: Root,
  revoked: ReadonlySet<string>,
): { checks: SignatureCheck[]; valid: number; threshold: number } {
  const bytes = signingBytes(signed.signed);
  const targets = new Set(root.roles.targets.keyids);
  const seen = new Set<string>();
  const checks: SignatureCheck[] = signed.signatures.map(({ keyid, sig }) => {
    const fingerprint = keyFingerprint(keyid);
    if (seen.has(keyid)) return { keyid, fingerprint, status: 'duplicate' };
    seen.add(keyid);
    if (revoked.has(keyid)) return { keyid, fingerprint, status: 'revoked' };
    const key = root.keys[keyid];
    if (!key) return { keyid, fingerprint, status: 'unknown' };
    if (!targets.has(keyid)) return { keyid, fingerprint, status: 'root-only' };
    return { keyid, fingerprint, status: verifySignature(bytes, sig, key) ? 'valid' : 'invalid' };
  });
  const valid = checks.filter((c) => c.status === 'valid').length;
  const threshold = root.roles.targets.threshold;
  const details = { checks, valid, threshold };
  const invalid = checks.find((c) => c.status === 'invalid');
  if (invalid) {
    throw new AppError(
      'BUNDLE_SIGNATURE_INVALID',
      `The signature by key ${invalid.fingerprint} does not match manifest.json: the manifest was changed after signing.`,
      details,
    );
  }
  if (valid >= threshold) return { checks, valid, threshold };
  if (checks.some((c) => c.status === 'duplicate')) {
    throw new AppError(
      'BUNDLE_SIGNATURE_DUPLICATE',
      `manifest.json lists the same key's signature more than once; each key counts once, so only ${valid} of the ${threshold} required keys signed it.`,
      details,
    );
  }
  if (valid === 0) {
    const kinds = [...new Set(checks.map((c) => c.status))].join(', ') || 'no signatures';
    throw new AppError(
      'BUNDLE_UNTRUSTED_KEY',
      `manifest.json is not signed by any trusted bundle-signing key of ${root.publisher} (found: ${kinds}).`,
      details,
    );
  }
  throw new AppError(
    'BUNDLE_THRESHOLD_NOT_MET',
    `Not enough valid signatures (${valid}/${threshold}): ${root.publisher} requires ${threshold} of its keys to sign a bundle.`,
    details,
  );
}

/**
 * Checks the manifest's own consistency: safe, distinct paths (UPD-17, ARC-08), limits that
 * match the file list and stay under the hard limits, and package files that are listed.
 */
export function checkManifestContent(manifest: Manifest): void {
  for (const file of manifest.files) {
    const reason = unsafePathReason(file.path);
    if (reason) {
      throw new AppError(
        'BUNDLE_UNSAFE_PATH',
        `The manifest names an unsafe path "${file.path}" (${reason}).`,
        { path: file.path, reason },
      );
    }
  }
  const paths = manifest.files.map((f) => f.path);
  const collision = findCollision(paths);
  if (collision) {
    throw new AppError(
      'BUNDLE_UNSAFE_PATH',
      `The manifest names "${collision[0]}" and "${collision[1]}", which are the same file on Windows and macOS.`,
      { path: collision[1], reason: 'collision' },
    );
  }
  const asFiles = new Set(paths);
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i += 1) {
      const folder = parts.slice(0, i).join('/');
      if (asFiles.has(folder)) {
        throw new AppError(
          'BUNDLE_UNSAFE_PATH',
          `The manifest names "${folder}" both as a file and as a folder.`,
          { path: folder, reason: 'file-and-folder' },
        );
      }
    }
  }
  const total = manifest.files.reduce((sum, f) => sum + f.length, 0);
  if (
    manifest.files.length > BUNDLE_HARD_LIMITS.fileCount ||
    total > BUNDLE_HARD_LIMITS.totalBytes ||
    manifest.limits.fileCount > BUNDLE_HARD_LIMITS.fileCount ||
    manifest.limits.totalBytes > BUNDLE_HARD_LIMITS.totalBytes
  ) {
    throw new AppError(
      'BUNDLE_LIMITS_EXCEEDED',
      `The bundle declares ${manifest.files.length} files and ${total} bytes, above what PatchDeck accepts (${BUNDLE_HARD_LIMITS.fileCount} files, ${BUNDLE_HARD_LIMITS.totalBytes} bytes).`,
      { files: manifest.files.length, bytes: total },
    );
  }
  if (manifest.files.length !== manifest.limits.fileCount || total !== manifest.limits.totalBytes) {
    throw new AppError(
      'BUNDLE_LIMITS_EXCEEDED',
      `The file list (${manifest.files.length} files, ${total} bytes) does not match the signed limits (${manifest.limits.fileCount} files, ${manifest.limits.totalBytes} bytes).`,
      { files: manifest.files.length, bytes: total, limits: manifest.limits },
    );
  }
  const patchIds = new Set<string>();
  for (const patch of manifest.patches) {
    if (patchIds.has(patch.id)) {
      throw new AppError('BUNDLE_MALFORMED', `Patch ${patch.id} appears twice in the manifest.`, {
        patchId: patch.id,
      });
    }
    patchIds.add(patch.id);
    for (const pkg of patch.packages) {
      if (!asFiles.has(pkg.file)) {
        throw new AppError(
          'BUNDLE_MALFORMED',
          `Patch ${patch.id} names package file "${pkg.file}", which the manifest does not list.`,
          { patchId: patch.id, file: pkg.file },
        );
      }
    }
  }
}

/**
 * Verifies a bundle's metadata against what the workspace trusts, before any payload is read:
 * parse, safe paths and limits, publisher, root chain, manifest signatures and threshold.
 */
export function verifyMetadata(raw: RawMetadata, anchor: TrustAnchor | null): VerifiedMetadata {
  const signed = parseSignedManifest(raw.manifest);
  const manifest = signed.signed;
  checkManifestContent(manifest);

  let trusted: Root;
  let revoked: ReadonlySet<string> = new Set();
  if (anchor) {
    if (anchor.publisher !== manifest.publisher) {
      throw new AppError(
        'BUNDLE_PUBLISHER_NOT_TRUSTED',
        `The bundle is published by "${manifest.publisher}", which this workspace does not trust.`,
        { publisher: manifest.publisher },
      );
    }
    trusted = anchor.root;
    revoked = anchor.revoked;
  } else {
    // No pinned root (a verify run without --trust): start from the oldest root the bundle carries.
    const oldest = Math.min(...raw.roots.keys());
    const bytes = raw.roots.get(oldest);
    if (!bytes) {
      throw new AppError('BUNDLE_MALFORMED', 'The bundle carries no root file (N.root.json).');
    }
    const first = parseSignedRoot(bytes, `${oldest}.root.json`);
    if (first.signed.version !== oldest || !isSelfSigned(first)) {
      throw new AppError(
        'BUNDLE_ROOT_ROTATION_INVALID',
        `${oldest}.root.json is not a self-signed root of version ${oldest}.`,
      );
    }
    trusted = first.signed;
  }
  const { root, accepted } = walkRootChain(trusted, raw.roots);
  if (manifest.publisher !== root.publisher) {
    throw new AppError(
      'BUNDLE_PUBLISHER_NOT_TRUSTED',
      `The manifest names publisher "${manifest.publisher}" but its root is for "${root.publisher}".`,
      { publisher: manifest.publisher },
    );
  }
  if (manifest.rootVersion > root.version) {
    throw new AppError(
      'BUNDLE_ROOT_ROTATION_INVALID',
      `The manifest was signed under root ${manifest.rootVersion}, but only root ${root.version} could be established.`,
      { rootVersion: manifest.rootVersion, established: root.version },
    );
  }
  const { checks, valid, threshold } = checkManifestSignatures(signed, root, revoked);
  return {
    manifest,
    manifestSha256: sha256Hex(raw.manifest),
    root,
    acceptedRoots: accepted,
    signatures: checks,
    validSignatures: valid,
    threshold,
  };
}
