import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { create as createTar } from 'tar';

import {
  buildManifest,
  makeRoot,
  metadataText,
  signAll,
  writeBundleDirectory,
} from '../../electron/core/bundles/bundle-builder';
import { signBody } from '../../electron/core/bundles/signing';
import type { EventPayload } from '../../shared/api/events';
import {
  ROOT_FILE_PATTERN,
  type Manifest,
  type PatchInput,
  type SignedManifest,
  type SignedRoot,
} from '../../shared/domain/bundle-manifest';

/** A fresh Ed25519 private key. */
export function newKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** A publisher with its keys and the chain of roots it has signed so far. */
export type TestPublisher = {
  name: string;
  rootKeys: KeyObject[];
  targetsKeys: KeyObject[];
  roots: SignedRoot[];
};

/** A publisher with root version 1, signed by its own root keys. */
export function makePublisher(
  name = 'acme-security',
  options: {
    rootKeys?: number;
    rootThreshold?: number;
    targetsKeys?: number;
    targetsThreshold?: number;
  } = {},
): TestPublisher {
  const rootKeys = Array.from({ length: options.rootKeys ?? 1 }, newKey);
  const targetsKeys = Array.from({ length: options.targetsKeys ?? 1 }, newKey);
  const root = makeRoot({
    publisher: name,
    version: 1,
    created: '2026-01-01T00:00:00.000Z',
    rootKeys,
    rootThreshold: options.rootThreshold ?? 1,
    targetsKeys,
    targetsThreshold: options.targetsThreshold ?? 1,
  });
  return { name, rootKeys, targetsKeys, roots: [signAll(root, rootKeys)] };
}

/**
 * Rotates the publisher to root N+1 with new root and targets keys, signed by the old and the new
 * root keys (`signWith` lets a test leave one side out).
 */
export function rotate(
  publisher: TestPublisher,
  signWith: 'old-and-new' | 'old-only' | 'new-only' = 'old-and-new',
): TestPublisher {
  const previous = publisher.roots.at(-1);
  if (!previous) throw new Error('No root to rotate from.');
  const rootKeys = [newKey()];
  const targetsKeys = [newKey()];
  const root = makeRoot({
    publisher: publisher.name,
    version: previous.signed.version + 1,
    created: '2026-02-01T00:00:00.000Z',
    rootKeys,
    rootThreshold: 1,
    targetsKeys,
    targetsThreshold: 1,
  });
  const signers =
    signWith === 'old-and-new'
      ? [...publisher.rootKeys, ...rootKeys]
      : signWith === 'old-only'
        ? publisher.rootKeys
        : rootKeys;
  return {
    ...publisher,
    rootKeys,
    targetsKeys,
    roots: [...publisher.roots, signAll(root, signers)],
  };
}

/** Writes the publisher's root N to a file, as an operator would receive it. */
export function writeRootFile(dir: string, publisher: TestPublisher, version = 1): string {
  const root = publisher.roots.find((r) => r.signed.version === version);
  if (!root) throw new Error(`No root ${version}.`);
  const path = join(dir, `${publisher.name}-${version}.root.json`);
  writeFileSync(path, metadataText(root));
  return path;
}

/** Builds a real `.deb` with `dpkg-deb --build` and returns its path. */
export function makeDeb(
  dir: string,
  pkg: { name: string; version: string; arch?: string; payloadBytes?: number },
): string {
  const arch = pkg.arch ?? 'all';
  const work = mkdtempSync(join(tmpdir(), 'patchdeck-deb-'));
  try {
    mkdirSync(join(work, 'DEBIAN'), { recursive: true });
    writeFileSync(
      join(work, 'DEBIAN', 'control'),
      [
        `Package: ${pkg.name}`,
        `Version: ${pkg.version}`,
        `Architecture: ${arch}`,
        'Maintainer: PatchDeck Tests <tests@example.invalid>',
        `Description: test package ${pkg.name}`,
        '',
      ].join('\n'),
    );
    mkdirSync(join(work, 'usr', 'share', 'doc', pkg.name), { recursive: true });
    writeFileSync(
      join(work, 'usr', 'share', 'doc', pkg.name, 'README'),
      Buffer.alloc(pkg.payloadBytes ?? 64, `${pkg.name} ${pkg.version}\n`),
    );
    chmodSync(work, 0o755);
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_${arch}.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', work, out], {
      stdio: 'pipe',
    });
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One patch over one `.deb`, as a publisher would describe it. */
export function patchFor(
  id: string,
  deb: { file: string; name: string; version: string; arch?: string },
  extra: Partial<PatchInput> = {},
): PatchInput {
  return {
    id,
    title: `Security update for ${deb.name}`,
    vendor: 'Debian',
    advisories: [{ id, kind: id.startsWith('DSA') ? 'DSA' : 'OTHER' }],
    cves: ['CVE-2024-0001'],
    cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }],
    severity: 'critical',
    releasedAt: '2026-01-15',
    os: { family: 'debian', releases: ['12'] },
    packages: [
      {
        name: deb.name,
        version: deb.version,
        arch: deb.arch ?? 'all',
        file: deb.file,
        kind: 'deb',
      },
    ],
    ...extra,
  };
}

/** What a test bundle should be. */
export type TestBundleOptions = {
  bundleId?: string;
  channel?: string;
  sequence?: number;
  created?: string;
  expires?: string;
  /** Signing keys; the publisher's targets keys unless told. */
  signers?: KeyObject[];
  /** How many real `.deb` packages to build into it. */
  packages?: number;
  /** Extra bytes of payload per package, to make bigger bundles. */
  payloadBytes?: number;
  /** Roots to carry; all of the publisher's unless told. */
  roots?: SignedRoot[];
  /** Files of random bytes to carry besides the packages (large, incompressible payloads). */
  randomFiles?: { path: string; bytes: number }[];
  /** Changes the manifest before signing (paths the builder itself would refuse). */
  editManifest?: (manifest: Manifest) => void;
};

/** A built bundle: where it is and what it says. */
export type TestBundle = {
  dir: string;
  manifest: SignedManifest;
  /** The payload files as built (bundle path to file on disk). */
  files: { path: string; source: string }[];
};

let counter = 0;

/** Builds a signed folder bundle of real `.deb` packages in `workDir`. */
export async function buildTestBundle(
  workDir: string,
  publisher: TestPublisher,
  options: TestBundleOptions = {},
): Promise<TestBundle> {
  counter += 1;
  const sequence = options.sequence ?? 1;
  const channel = options.channel ?? 'stable';
  const debDir = join(workDir, `debs-${counter}`);
  const files: { path: string; source: string }[] = [];
  const patches: PatchInput[] = [];
  for (let i = 0; i < (options.packages ?? 2); i += 1) {
    const name = `pd-test-${i}`;
    const version = `1.${sequence}.${i}-1`;
    const source = makeDeb(debDir, { name, version, payloadBytes: options.payloadBytes ?? 64 });
    const path = `pool/${name}_${version}_all.deb`;
    files.push({ path, source });
    patches.push(patchFor(`DSA-${5000 + sequence * 10 + i}-1`, { file: path, name, version }));
  }
  for (const extra of options.randomFiles ?? []) {
    const source = join(debDir, `random-${files.length}`);
    writeRandomFile(source, extra.bytes);
    files.push({ path: extra.path, source });
  }
  const roots = options.roots ?? publisher.roots;
  const spec = {
    bundleId: options.bundleId ?? `${publisher.name}-${channel}-${sequence}`,
    channel,
    sequence,
    created:
      options.created ?? `2026-02-${String(Math.min(28, sequence)).padStart(2, '0')}T00:00:00.000Z`,
    expires: options.expires ?? '2027-01-01T00:00:00.000Z',
    roots,
    files,
    patches,
    keys: options.signers ?? publisher.targetsKeys,
  };
  let manifest = await buildManifest(spec);
  if (options.editManifest) {
    const body = structuredClone(manifest.signed);
    options.editManifest(body);
    manifest = signAll(body, spec.keys);
  }
  const dir = join(workDir, `bundle-${counter}`);
  await writeBundleDirectory(dir, manifest, roots, files);
  return { dir, manifest, files };
}

/** Writes `bytes` random bytes to a file, 8 MiB at a time. */
export function writeRandomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < bytes;) {
      const chunk = randomBytes(Math.min(8 * 1024 * 1024, bytes - done));
      writeSync(fd, chunk);
      done += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
}

/** Rewrites a folder bundle's manifest.json (already signed or deliberately not). */
export function writeManifest(bundle: TestBundle, manifest: SignedManifest): void {
  writeFileSync(join(bundle.dir, 'manifest.json'), metadataText(manifest));
}

/** Re-signs a manifest body with the given keys (a fresh envelope). */
export function resign(manifest: SignedManifest, keys: readonly KeyObject[]): SignedManifest {
  return { signed: manifest.signed, signatures: keys.map((k) => signBody(manifest.signed, k)) };
}

/**
 * Packs a folder bundle into a `.tar` with metadata first; `extra` names more entries of the
 * folder to append as they are on disk (links, devices) after the payload.
 */
export async function tarBundle(
  bundle: TestBundle,
  out: string,
  extra: string[] = [],
): Promise<string> {
  const roots = readdirSync(bundle.dir)
    .filter((name) => ROOT_FILE_PATTERN.test(name))
    .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  await createTar({ file: out, cwd: bundle.dir, portable: true, noDirRecurse: true }, [
    ...roots,
    'manifest.json',
    ...bundle.files.map((f) => f.path).filter((p) => !extra.includes(p)),
    ...extra,
  ]);
  return out;
}

/** The end of a bundle's store check, as the core announces it. */
export type StoreCheckFinished = EventPayload<'bundles.storeVerificationFinished'>;

/**
 * Resolves with the end of the store check of `bundleId` (subscribe before the import, so the
 * event cannot pass unseen); rejects after `timeoutMs`.
 */
export function whenStoreChecked(
  events: { subscribe(listener: (event: string, payload: unknown) => void): () => void },
  bundleId: string,
  timeoutMs = 60_000,
): Promise<StoreCheckFinished> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`No store check of ${bundleId} ended within ${timeoutMs} ms.`));
    }, timeoutMs);
    const stop = events.subscribe((event, payload) => {
      const finished = payload as StoreCheckFinished;
      if (event !== 'bundles.storeVerificationFinished' || finished.bundleId !== bundleId) return;
      clearTimeout(timer);
      stop();
      resolve(finished);
    });
  });
}
