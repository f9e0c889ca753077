import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * The Content-Security-Policy of every page PatchDeck serves, over the custom protocol and the
 * loopback server alike: nothing from anywhere but the app itself.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

/** The MIME type to send for a file, by its extension. */
export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** What a request path resolves to inside the static root. */
export type StaticLookup =
  | { kind: 'file'; path: string; contentType: string; size: number }
  | { kind: 'bad-path' }
  | { kind: 'not-found' };

/**
 * Splits a raw URL path into safe, decoded segments, or returns null when it could reach outside
 * the root: `..` or `.` segments (also percent-encoded), encoded slashes or backslashes, NUL,
 * dot-files, or broken percent-encoding.
 */
export function safePathSegments(rawPath: string): string[] | null {
  const path = rawPath.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/')) return null;
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (
      segment.startsWith('.') ||
      segment.includes('/') ||
      segment.includes('\\') ||
      segment.includes('\0') ||
      segment.includes(':')
    ) {
      return null;
    }
    segments.push(segment);
  }
  return segments;
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function regularFile(
  root: string,
  path: string,
): Promise<{ path: string; size: number } | null> {
  try {
    // Resolve symlinks, then check again: a link inside the root must not lead out of it.
    const real = await realpath(path);
    if (!isInside(root, real)) return null;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : null;
  } catch {
    return null;
  }
}

/**
 * Finds the file a GET of `rawPath` should return from `rootDir`, the built renderer.
 *
 * Paths without an extension that match no file fall back to `index.html` (the renderer routes
 * on the client); a missing asset (`.js`, `.png`, ...) is "not found", never HTML.
 */
export async function resolveStaticFile(rootDir: string, rawPath: string): Promise<StaticLookup> {
  const segments = safePathSegments(rawPath);
  if (!segments) return { kind: 'bad-path' };
  let root: string;
  try {
    root = await realpath(resolve(rootDir));
  } catch {
    return { kind: 'not-found' };
  }
  const wanted = segments.length === 0 ? join(root, 'index.html') : join(root, ...segments);
  if (!isInside(root, wanted)) return { kind: 'bad-path' };

  const direct = await regularFile(root, wanted);
  if (direct) return { kind: 'file', ...direct, contentType: contentTypeFor(direct.path) };

  const last = segments[segments.length - 1] ?? '';
  if (extname(last) !== '') return { kind: 'not-found' };
  const index = await regularFile(root, join(root, 'index.html'));
  return index
    ? { kind: 'file', ...index, contentType: contentTypeFor(index.path) }
    : { kind: 'not-found' };
}
