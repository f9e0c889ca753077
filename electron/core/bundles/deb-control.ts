import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

import { Decompress as ZstdDecompress } from 'fzstd';
import { Parser, type ReadEntry } from 'tar';
import type { XzReadableStream } from 'xz-decompress';

import { AppError } from '../../../shared/api/errors';

/** What a `.deb` says about itself in its control file. */
export type DebControl = { name: string; version: string; arch: string };

/**
 * Reads Package, Version and Architecture of a `.deb` for `patchdeck bundle create`, without
 * dpkg (see {@link readDebControlFields}); an unreadable file is `BUNDLE_PACKAGE_MISMATCH`.
 */
export async function readDebControl(path: string): Promise<DebControl> {
  try {
    return await readDebControlFields(path);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const reason = error.details?.['reason'];
    throw new AppError(
      'BUNDLE_PACKAGE_MISMATCH',
      `${path} is not a readable Debian package (${typeof reason === 'string' ? reason : 'unreadable'}).`,
      { file: path, ...(typeof reason === 'string' ? { reason } : {}) },
    );
  }
}

/** Refuses a `.deb` whose control data disagrees with the metadata (UPD-19). */
export async function checkDebMatches(path: string, expected: DebControl): Promise<void> {
  const actual = await readDebControl(path);
  const wrong = (['name', 'version', 'arch'] as const).filter((k) => actual[k] !== expected[k]);
  if (wrong.length > 0) {
    throw new AppError(
      'BUNDLE_PACKAGE_MISMATCH',
      `${path} says it is ${actual.name} ${actual.version} (${actual.arch}), but the metadata says ${expected.name} ${expected.version} (${expected.arch}).`,
      { file: path, expected, actual },
    );
  }
}

/**
 * The control tarball of a `.deb` is small; anything larger (compressed, or once decompressed) is
 * not a package PatchDeck reads. Decompression stops as soon as the output passes this.
 */
const MAX_CONTROL_BYTES = 16 * 1024 * 1024;
const MAX_CONTROL_FILE = 1024 * 1024;
const AR_MAGIC = '!<arch>\n';
const AR_HEADER = 60;

/** Why a file could not be read as a `.deb`; becomes the caller's AppError. */
class NotADeb extends Error {}

/** The `control.tar*` member of an ar archive: its name and bytes. */
async function controlMember(path: string): Promise<{ name: string; data: Buffer }> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(AR_HEADER);
    const magic = Buffer.alloc(AR_MAGIC.length);
    await handle.read(magic, 0, magic.length, 0);
    if (magic.toString('latin1') !== AR_MAGIC) throw new NotADeb('not an ar archive');
    let offset = AR_MAGIC.length;
    // debian-binary, then control.tar*, then data.tar*: the control member is near the start.
    for (let member = 0; member < 8 && offset + AR_HEADER <= size; member += 1) {
      const { bytesRead } = await handle.read(head, 0, AR_HEADER, offset);
      if (bytesRead !== AR_HEADER || head.toString('latin1', 58, 60) !== '`\n') {
        throw new NotADeb('damaged ar member header');
      }
      const name = head.toString('latin1', 0, 16).trim().replace(/\/$/, '');
      const length = Number(head.toString('latin1', 48, 58).trim());
      if (!Number.isSafeInteger(length) || length < 0 || offset + AR_HEADER + length > size) {
        throw new NotADeb('ar member size out of range');
      }
      if (name.startsWith('control.tar')) {
        if (length > MAX_CONTROL_BYTES) throw new NotADeb('control member too large');
        const data = Buffer.alloc(length);
        await handle.read(data, 0, length, offset + AR_HEADER);
        return { name, data };
      }
      offset += AR_HEADER + length + (length % 2);
    }
    throw new NotADeb('no control.tar member');
  } finally {
    await handle.close();
  }
}

/** The `control` file inside an uncompressed control tarball. */
function controlFile(tarball: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    let found: string | undefined;
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (entry.type !== 'File' || entry.path.replace(/^\.\//, '') !== 'control') {
          entry.resume();
          return;
        }
        if (entry.size > MAX_CONTROL_FILE) {
          entry.resume();
          reject(new NotADeb('control file too large'));
          return;
        }
        const parts: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => parts.push(chunk));
        entry.on('end', () => (found = Buffer.concat(parts).toString('utf8')));
      },
    });
    parser.on('error', (error: Error) => reject(new NotADeb(error.message)));
    parser.on('end', () =>
      found === undefined ? reject(new NotADeb('no control file')) : resolve(found),
    );
    parser.end(tarball);
  });
}

/** Package, Version and Architecture from the first paragraph of a deb822 control file. */
export function parseControlFields(text: string): DebControl {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') break;
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) fields.set(match[1].toLowerCase(), match[2].trim());
  }
  return {
    name: fields.get('package') ?? '',
    version: fields.get('version') ?? '',
    arch: fields.get('architecture') ?? '',
  };
}

/** The CommonJS `xz-decompress` (xz-embedded compiled to WebAssembly), loaded on first use. */
async function xzStreamClass(): Promise<typeof XzReadableStream> {
  type XzModule = { XzReadableStream?: typeof XzReadableStream };
  const loaded = (await import('xz-decompress')) as XzModule & { default?: XzModule };
  // Node's ESM loader sees the CommonJS exports only as `default`; bundlers may name them.
  const found = loaded.XzReadableStream ?? loaded.default?.XzReadableStream;
  if (!found) throw new Error('xz-decompress has no XzReadableStream.');
  return found;
}

/** Joins chunks, refusing once they pass the limit (an expansion bomb). */
class BoundedOutput {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  add(chunk: Uint8Array): void {
    this.size += chunk.length;
    if (this.size > MAX_CONTROL_BYTES) throw new NotADeb('control data expands past 16 MiB');
    this.parts.push(chunk);
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/** Decompresses `control.tar.xz` in WebAssembly, reading the output only up to the limit. */
async function unxz(data: Buffer): Promise<Buffer> {
  const XzStream = await xzStreamClass();
  const output = new BoundedOutput();
  const reader = new XzStream(new Blob([data]).stream()).getReader();
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        throw new NotADeb(`control.tar.xz: ${error instanceof Error ? error.message : 'damaged'}`);
      }
      if (next.done) return output.buffer();
      output.add(next.value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * Walks the frames of a zstd stream and refuses any whose window would need more memory than the
 * control data may hold (fzstd allocates the declared window up front, up to 2 GiB).
 */
function checkZstdWindows(data: Buffer): void {
  let at = 0;
  while (at < data.length) {
    if (at + 4 > data.length) throw new NotADeb('control.tar.zst: truncated frame');
    const magic = data.readUInt32LE(at);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // A skippable frame: its size follows the magic.
      if (at + 8 > data.length) throw new NotADeb('control.tar.zst: truncated frame');
      at += 8 + data.readUInt32LE(at + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new NotADeb('control.tar.zst: not a zstd stream');
    const descriptor = data[at + 4];
    if (descriptor === undefined) throw new NotADeb('control.tar.zst: truncated frame');
    const singleSegment = (descriptor >> 5) & 1;
    const checksum = (descriptor >> 2) & 1;
    const dictBytes = [0, 1, 2, 4][descriptor & 3] ?? 0;
    const sizeFlag = descriptor >> 6;
    const sizeBytes = sizeFlag === 0 ? singleSegment : 1 << sizeFlag;
    let header = at + 5;
    let window = 0;
    if (!singleSegment) {
      const w = data[header];
      if (w === undefined) throw new NotADeb('control.tar.zst: truncated frame');
      const base = 2 ** (10 + (w >> 3));
      window = base + (base / 8) * (w & 7);
      header += 1;
    }
    header += dictBytes;
    if (header + sizeBytes > data.length) throw new NotADeb('control.tar.zst: truncated frame');
    if (singleSegment) {
      let size = 0;
      for (let i = sizeBytes - 1; i >= 0; i -= 1) size = size * 256 + (data[header + i] ?? 0);
      window = sizeBytes === 2 ? size + 256 : size;
    }
    if (window > MAX_CONTROL_BYTES) {
      throw new NotADeb('control.tar.zst: its window is larger than control data may be');
    }
    at = header + sizeBytes;
    // Blocks: 3-byte header (last flag, type, size); RLE blocks carry one byte.
    for (let last = false; !last;) {
      if (at + 3 > data.length) throw new NotADeb('control.tar.zst: truncated block');
      const block = data.readUIntLE(at, 3);
      last = (block & 1) === 1;
      const type = (block >> 1) & 3;
      if (type === 3) throw new NotADeb('control.tar.zst: reserved block type');
      at += 3 + (type === 1 ? 1 : block >> 3);
    }
    at += checksum * 4;
  }
}

/** Decompresses `control.tar.zst` in JavaScript, stopping once the output passes the limit. */
function unzstd(data: Buffer): Buffer {
  checkZstdWindows(data);
  const output = new BoundedOutput();
  let finished = false;
  const stream = new ZstdDecompress((chunk, final) => {
    output.add(chunk);
    if (final) finished = true;
  });
  try {
    stream.push(data, true);
  } catch (error) {
    if (error instanceof NotADeb) throw error;
    throw new NotADeb(`control.tar.zst: ${error instanceof Error ? error.message : 'damaged'}`);
  }
  if (!finished) throw new NotADeb('control.tar.zst: truncated');
  return output.buffer();
}

/** The uncompressed control tarball of a control member, whatever its compression. */
async function controlTarball(member: { name: string; data: Buffer }): Promise<Buffer> {
  switch (member.name) {
    case 'control.tar':
      return member.data;
    case 'control.tar.gz':
      try {
        return gunzipSync(member.data, { maxOutputLength: MAX_CONTROL_BYTES });
      } catch (error) {
        throw new NotADeb(`control.tar.gz: ${error instanceof Error ? error.message : 'damaged'}`);
      }
    case 'control.tar.xz':
      return unxz(member.data);
    case 'control.tar.zst':
      return unzstd(member.data);
    default:
      throw new NotADeb(`${member.name} is not a compression PatchDeck reads`);
  }
}

/**
 * Reads Package, Version and Architecture of a `.deb` on any OS, without dpkg: the ar archive,
 * and a `control.tar`, `.gz`, `.xz` (xz-embedded in WebAssembly) or `.zst` (fzstd, JavaScript)
 * control member, every one decompressed with a 16 MiB output limit. An unreadable package is
 * refused, never let through.
 */
export async function readDebControlFields(path: string): Promise<DebControl> {
  const unreadable = (reason: string) =>
    new AppError(
      'BUNDLE_PACKAGE_CONTROL_MISMATCH',
      `${path} is not a readable Debian package (${reason}).`,
      { file: path, reason },
    );
  try {
    const member = await controlMember(path);
    return parseControlFields(await controlFile(await controlTarball(member)));
  } catch (error) {
    if (error instanceof NotADeb) throw unreadable(error.message);
    throw error;
  }
}
