import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as XLSX from '@e965/xlsx';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SHEETJS_DIR = join(ROOT, 'node_modules', '@e965', 'xlsx');
/** SHA-256 of xlsx.mjs in the official SheetJS 0.20.3 build (SECURITY.md, DEP-03). */
const OFFICIAL_XLSX_MJS_SHA256 = '1a0fb062ee9781b13f6687371b202aaefc53b6ce55b530c027e01f9c087b77db';

/** Every folder named `xlsx` directly under some node_modules of the tree. */
function findNpmXlsx(dir: string, depth = 0): string[] {
  if (depth > 12) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name === 'xlsx' && dir.endsWith('node_modules')) found.push(path);
    if (
      entry.name === 'node_modules' ||
      dir.endsWith('node_modules') ||
      entry.name.startsWith('@')
    ) {
      found.push(...findNpmXlsx(path, depth + 1));
    } else if (existsSync(join(path, 'node_modules'))) {
      found.push(...findNpmXlsx(join(path, 'node_modules'), depth + 1));
    }
  }
  return found;
}

describe('the SheetJS build PatchDeck reads spreadsheets with', () => {
  it('is SheetJS 0.20.3, the release with the fixes for CVE-2023-30533 and CVE-2024-22363', () => {
    const pkg = JSON.parse(readFileSync(join(SHEETJS_DIR, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(pkg.version).toBe('0.20.3');
    expect(XLSX.version).toBe('0.20.3');
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(root.dependencies['@e965/xlsx']).toBe('0.20.3');
  });

  it('has the xlsx.mjs of the official 0.20.3 build, byte for byte', () => {
    const digest = createHash('sha256')
      .update(readFileSync(join(SHEETJS_DIR, 'xlsx.mjs')))
      .digest('hex');
    expect(digest).toBe(OFFICIAL_XLSX_MJS_SHA256);
  });

  it('has no npm "xlsx" package (0.18.5, vulnerable) anywhere in the tree or the lockfile', () => {
    expect(findNpmXlsx(join(ROOT, 'node_modules'))).toEqual([]);
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const npmXlsx = Object.keys(lock.packages).filter((path) =>
      /(^|\/)node_modules\/xlsx$/.test(path),
    );
    expect(npmXlsx).toEqual([]);
  });
});
