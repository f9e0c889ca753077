import { constants, createReadStream } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { Parser, type ReadEntry } from 'tar';

import { AppError } from '../../../shared/api/errors';
import {
  MANIFEST_FILE,
  METADATA_LIMITS,
  ROOT_FILE_PATTERN,
  type Manifest,
} from '../../../shared/domain/bundle-manifest';
import { errorCode } from '../platform/atomic-file';

import { unsafePathReason } from './safe-path';
import type { RawMetadata } from './verify-metadata';

/** A bundle on media, its metadata read within the size limits and nothing else read yet. */
export type OpenedSource = {
  path: string;
  kind: 'directory' | 'tar';
  metadata: RawMetadata;
  /** The metadata file names, as they appear at the top of the bundle. */
  metadataNames: string[];
};

function metadataLimit(name: string): number {
  return name === MANIFEST_FILE ? METADATA_LIMITS.manifestBytes : METADATA_LIMITS.rootBytes;
}

function tooLarge(name: string, size: number): AppError {
  return new AppError(
    'BUNDLE_METADATA_TOO_LARGE',
    `${name} is ${size} bytes, over the limit of ${metadataLimit(name)} bytes; it was not read.`,
    { file: name, size, limit: metadataLimit(name) },
  );
}

function sourceReadError(error: unknown, path: string): AppError {
  if (error instanceof AppError) return error;
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new AppError('BUNDLE_SOURCE_NOT_FOUND', `Nothing to import at ${path}.`, { path });
  }
  return new AppError(
    'BUNDLE_READ_FAILED',
    `Reading ${path} from the media failed (${code ?? 'error'}).`,
    { path, cause: code ?? null },
  );
}

/** Reads one metadata file of a folder bundle: a regular file, size checked before reading. */
async function readMetadataFile(dir: string, name: string): Promise<Buffer> {
  const limit = metadataLimit(name);
  let handle;
  try {
    handle = await open(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (errorCode(error) === 'ELOOP') {
      throw new AppError('BUNDLE_UNSAFE_ENTRY', `${name} is a link, not a file.`, {
        entries: [{ path: name, type: 'link' }],
      });
    }
    throw sourceReadError(error, join(dir, name));
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new AppError('BUNDLE_UNSAFE_ENTRY', `${name} is not a regular file.`, {
        entries: [{ path: name, type: 'special' }],
      });
    }
    if (info.size > limit) throw tooLarge(name, info.size);
    // Read at most limit + 1 bytes, whatever the size said: the file may grow under us.
    const buffer = Buffer.alloc(limit + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > limit) throw tooLarge(name, filled);
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    throw sourceReadError(error, join(dir, name));
  } finally {
    await handle.close();
  }
}

async function openDirectory(path: string): Promise<OpenedSource> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    throw sourceReadError(error, path);
  }
  const rootNames = names.filter((n) => ROOT_FILE_PATTERN.test(n));
  if (!names.includes(MANIFEST_FILE)) {
    throw new AppError(
      'BUNDLE_MALFORMED',
      `${path} holds no ${MANIFEST_FILE}: it is not a PatchDeck bundle.`,
      { path },
    );
  }
  if (rootNames.length > METADATA_LIMITS.rootFiles) {
    throw new AppError(
      'BUNDLE_METADATA_TOO_LARGE',
      `The bundle carries ${rootNames.length} root files; at most ${METADATA_LIMITS.rootFiles} are read.`,
      { rootFiles: rootNames.length },
    );
  }
  const roots = new Map<number, Buffer>();
  for (const name of rootNames) roots.set(rootVersionOf(name), await readMetadataFile(path, name));
  const manifest = await readMetadataFile(path, MANIFEST_FILE);
  return {
    path,
    kind: 'directory',
    metadata: { manifest, roots },
    metadataNames: [MANIFEST_FILE, ...rootNames],
  };
}

function rootVersionOf(name: string): number {
  return Number(ROOT_FILE_PATTERN.exec(name)?.[1]);
}

/** Reads the metadata entries at the head of a `.tar`, stopping at the first payload entry. */
function openTar(path: string): Promise<OpenedSource> {
  return new Promise((resolveOpen, reject) => {
    const roots = new Map<number, Buffer>();
    const names: string[] = [];
    let manifest: Buffer | undefined;
    let settled = false;
    const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      stream.destroy();
      if (error) return reject(sourceReadError(error, path));
      if (!manifest) {
        return reject(
          new AppError(
            'BUNDLE_MALFORMED',
            `${path} does not start with ${MANIFEST_FILE}: it is not a PatchDeck bundle archive.`,
            { path },
          ),
        );
      }
      resolveOpen({ path, kind: 'tar', metadata: { manifest, roots }, metadataNames: names });
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (settled) return entry.resume();
        const name = entry.path;
        const isMetadata = name === MANIFEST_FILE || ROOT_FILE_PATTERN.test(name);
        if (!isMetadata) {
          entry.resume();
          return finish();
        }
        if (entry.type !== 'File') {
          entry.resume();
          return finish(
            new AppError('BUNDLE_UNSAFE_ENTRY', `${name} in the archive is a ${entry.type}.`, {
              entries: [{ path: name, type: entry.type }],
            }),
          );
        }
        if (names.includes(name)) {
          entry.resume();
          return finish(new AppError('BUNDLE_MALFORMED', `The archive holds ${name} twice.`));
        }
        if (name !== MANIFEST_FILE && roots.size >= METADATA_LIMITS.rootFiles) {
          entry.resume();
          return finish(
            new AppError(
              'BUNDLE_METADATA_TOO_LARGE',
              `The bundle carries more than ${METADATA_LIMITS.rootFiles} root files.`,
            ),
          );
        }
        // The size comes from the header, before any of the body is buffered (UPD-16).
        if (entry.size > metadataLimit(name)) {
          entry.resume();
          return finish(tooLarge(name, entry.size));
        }
        names.push(name);
        const chunks: Buffer[] = [];
        let size = 0;
        entry.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > metadataLimit(name)) return finish(tooLarge(name, size));
          chunks.push(chunk);
        });
        entry.on('end', () => {
          const bytes = Buffer.concat(chunks);
          if (name === MANIFEST_FILE) manifest = bytes;
          else roots.set(rootVersionOf(name), bytes);
        });
      },
    });
    parser.on('error', (error: Error) =>
      finish(
        new AppError('BUNDLE_ARCHIVE_CORRUPT', `The bundle archive is damaged: ${error.message}.`),
      ),
    );
    parser.on('end', () => finish());
    stream.on('error', (error) => finish(error));
    stream.pipe(parser);
  });
}

/** Opens a bundle folder or `.tar` and reads its metadata within the limits (UPD-16). */
export async function openBundleSource(sourcePath: string): Promise<OpenedSource> {
  const path = resolve(sourcePath);
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    throw sourceReadError(error, path);
  }
  if (info.isSymbolicLink()) {
    throw new AppError('BUNDLE_UNSAFE_ENTRY', `${path} is a link; pick the bundle itself.`, {
      entries: [{ path, type: 'link' }],
    });
  }
  if (info.isDirectory()) return openDirectory(path);
  if (info.isFile()) return openTar(path);
  throw new AppError('BUNDLE_SOURCE_NOT_FOUND', `${path} is neither a folder nor a .tar file.`, {
    path,
  });
}

type Listing = {
  files: Map<string, number>;
  folders: Set<string>;
  special: { path: string; type: string }[];
  unsafe: { path: string; reason: string }[];
};

async function walk(root: string, relative: string, depth: number, out: Listing): Promise<void> {
  if (depth > 40) {
    out.unsafe.push({ path: relative, reason: 'too-deep' });
    return;
  }
  const entries = await readdir(relative ? join(root, relative) : root, { withFileTypes: true });
  for (const entry of entries) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (out.files.size + out.folders.size > 200_000) {
      throw new AppError('BUNDLE_LIMITS_EXCEEDED', 'The bundle folder holds too many entries.');
    }
    if (entry.isSymbolicLink()) out.special.push({ path, type: 'link' });
    else if (entry.isDirectory()) {
      out.folders.add(path);
      await walk(root, path, depth + 1, out);
    } else if (entry.isFile()) {
      out.files.set(path, (await lstat(join(root, path))).size);
      const reason = relative === '' && isTopMetadata(entry.name) ? null : unsafePathReason(path);
      if (reason) out.unsafe.push({ path, reason });
    } else out.special.push({ path, type: 'special' });
  }
}

function isTopMetadata(name: string): boolean {
  return name === MANIFEST_FILE || ROOT_FILE_PATTERN.test(name);
}

/**
 * Compares a folder bundle with its manifest before any payload is read: no links or special
 * files (ARC-03/05), no unsafe names, no file the manifest does not list (UPD-06), every listed
 * file present (UPD-07, all named), none longer than its signed length (UPD-05).
 */
export async function checkDirectoryEntries(root: string, manifest: Manifest): Promise<void> {
  const listing: Listing = { files: new Map(), folders: new Set(), special: [], unsafe: [] };
  try {
    await walk(root, '', 0, listing);
  } catch (error) {
    throw sourceReadError(error, root);
  }
  if (listing.special.length > 0) {
    throw new AppError(
      'BUNDLE_UNSAFE_ENTRY',
      `The bundle holds links or special files, which are never imported: ${listing.special
        .slice(0, 10)
        .map((s) => `${s.path} (${s.type})`)
        .join(', ')}.`,
      { entries: listing.special },
    );
  }
  if (listing.unsafe.length > 0) {
    const first = listing.unsafe[0];
    throw new AppError(
      'BUNDLE_UNSAFE_PATH',
      `The bundle holds a file with an unsafe name "${first?.path}" (${first?.reason}).`,
      { path: first?.path, reason: first?.reason, entries: listing.unsafe },
    );
  }
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const missing = manifest.files.filter((f) => !listing.files.has(f.path)).map((f) => f.path);
  if (missing.length > 0) {
    throw new AppError(
      'BUNDLE_FILE_MISSING',
      `${missing.length} file(s) listed in the manifest are missing: ${missing.slice(0, 10).join(', ')}.`,
      { files: missing },
    );
  }
  const folders = new Set<string>();
  for (const f of manifest.files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i += 1) folders.add(parts.slice(0, i).join('/'));
  }
  const extra = [
    ...[...listing.files.keys()].filter((p) => !listed.has(p) && !isTopMetadata(p)),
    ...[...listing.folders].filter((p) => !folders.has(p)).map((p) => `${p}/`),
  ];
  if (extra.length > 0) {
    throw new AppError(
      'BUNDLE_FILE_EXTRA',
      `The bundle holds ${extra.length} file(s) the signed manifest does not list: ${extra.slice(0, 10).join(', ')}.`,
      { files: extra },
    );
  }
  for (const [path, size] of listing.files) {
    const file = listed.get(path);
    if (file && size > file.length) {
      throw new AppError(
        'BUNDLE_FILE_TOO_LARGE',
        `${path} is ${size} bytes, longer than its signed length of ${file.length}.`,
        { file: path, length: file.length, size },
      );
    }
  }
}
