import {
  BUNDLE_HARD_LIMITS,
  MANIFEST_FILE,
  ROOT_FILE_PATTERN,
} from '../../../shared/domain/bundle-manifest';

/** Why a path inside a bundle was refused. */
export type UnsafePathReason =
  | 'empty'
  | 'too-long'
  | 'too-deep'
  | 'absolute'
  | 'dot-segment'
  | 'empty-segment'
  | 'backslash'
  | 'drive-or-stream'
  | 'control-character'
  | 'windows-invalid-character'
  | 'windows-reserved-name'
  | 'trailing-dot-or-space'
  | 'not-normalised'
  | 'metadata-name';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;

/**
 * Checks one payload path as the manifest or an archive names it (UPD-17, ARC rules 3).
 *
 * Safe means: relative, `/` separators, no `.`/`..`/empty segments, no backslash, colon, NUL or
 * control character, no character or name Windows reserves, no trailing dot or space, NFC form,
 * at most 255 bytes per segment, 4096 in all and 32 levels deep, and not a metadata file name.
 * Returns null when safe, else the reason.
 */
export function unsafePathReason(path: string): UnsafePathReason | null {
  if (path.length === 0) return 'empty';
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return 'too-long';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control-character';
  if (path.startsWith('/')) return 'absolute';
  if (path.includes('\\')) return 'backslash';
  if (path.includes(':')) return 'drive-or-stream';
  if (/[<>"|?*]/.test(path)) return 'windows-invalid-character';
  if (path.normalize('NFC') !== path) return 'not-normalised';
  const segments = path.split('/');
  if (segments.length > BUNDLE_HARD_LIMITS.pathDepth) return 'too-deep';
  for (const segment of segments) {
    if (segment === '') return 'empty-segment';
    if (segment === '.' || segment === '..') return 'dot-segment';
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) return 'too-long';
    if (/[. ]$/.test(segment)) return 'trailing-dot-or-space';
    if (WINDOWS_RESERVED.test(segment)) return 'windows-reserved-name';
  }
  if (segments.length === 1 && isMetadataName(path)) return 'metadata-name';
  return null;
}

/** True for the names bundle metadata uses at the top of a bundle. */
export function isMetadataName(name: string): boolean {
  return name.toLowerCase() === MANIFEST_FILE || ROOT_FILE_PATTERN.test(name.toLowerCase());
}

/**
 * The form two names share when a case-insensitive, normalising file system (NTFS, APFS, FAT)
 * would store them as one file: NFC, then full case folding (so `ß` meets `ss`).
 */
export function collisionKey(path: string): string {
  return path.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFC');
}

/** The first pair of paths that would collide on such a file system, or null. */
export function findCollision(paths: Iterable<string>): [string, string] | null {
  const seen = new Map<string, string>();
  for (const path of paths) {
    const key = collisionKey(path);
    const earlier = seen.get(key);
    if (earlier !== undefined) return [earlier, path];
    seen.set(key, path);
  }
  return null;
}
