import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

import { Parser, type ReadEntry } from 'tar';

import { AppError } from '../../../shared/api/errors';

/** What a `.deb` says about itself in its control file. */
export type DebControl = { name: string; version: string; arch: string };

/** Reads Package, Version and Architecture of a `.deb` with `dpkg-deb -f`. */
export function readDebControl(path: string): Promise<DebControl> {
  return new Promise((resolve, reject) => {
    execFile(
      'dpkg-deb',
      ['-f', path, 'Package', 'Version', 'Architecture'],
      { timeout: 30_000 },
      (error, stdout) => {
        if (error) {
          reject(
            new AppError(
              'BUNDLE_PACKAGE_MISMATCH',
              `${path} is not a readable Debian package (dpkg-deb: ${error.message.split('\n')[0] ?? ''}).`,
              { file: path },
            ),
          );
          return;
        }
        const fields = new Map<string, string>();
        for (const line of stdout.split('\n')) {
          const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
          if (match?.[1] && match[2] !== undefined) fields.set(match[1], match[2].trim());
        }
        resolve({
          name: fields.get('Package') ?? '',
          version: fields.get('Version') ?? '',
          arch: fields.get('Architecture') ?? '',
        });
      },
    );
  });
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

/** The control tarball of a `.deb` is small; anything larger is not a package PatchDeck reads. */
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

/**
 * Reads Package, Version and Architecture of a `.deb` without dpkg where it can: the ar archive
 * and a `control.tar` or `control.tar.gz` are parsed here (any OS). `control.tar.xz` and
 * `.zst` (what Debian and Ubuntu ship) need a decompressor Node lacks, so those are read with
 * `dpkg-deb -f`; on a machine without dpkg-deb such a package is refused, never let through.
 */
export async function readDebControlFields(path: string): Promise<DebControl> {
  const unreadable = (reason: string) =>
    new AppError(
      'BUNDLE_PACKAGE_CONTROL_MISMATCH',
      `${path} is not a readable Debian package (${reason}).`,
      { file: path, reason },
    );
  let member: { name: string; data: Buffer };
  try {
    member = await controlMember(path);
  } catch (error) {
    if (error instanceof NotADeb) throw unreadable(error.message);
    throw error;
  }
  let tarball: Buffer;
  if (member.name === 'control.tar') tarball = member.data;
  else if (member.name === 'control.tar.gz') {
    try {
      tarball = gunzipSync(member.data, { maxOutputLength: MAX_CONTROL_BYTES });
    } catch (error) {
      throw unreadable(`control.tar.gz: ${error instanceof Error ? error.message : 'damaged'}`);
    }
  } else {
    try {
      return await readDebControl(path);
    } catch {
      throw unreadable(`${member.name} needs dpkg-deb, which could not read it`);
    }
  }
  try {
    return parseControlFields(await controlFile(tarball));
  } catch (error) {
    if (error instanceof NotADeb) throw unreadable(error.message);
    throw error;
  }
}
