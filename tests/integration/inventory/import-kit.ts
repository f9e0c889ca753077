import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import type { WriteTx } from '../../../electron/core/db/workspace';
import {
  getHostRows,
  insertHost,
  listHostIds,
  type HostRow,
  type NewHost,
} from '../../../electron/core/inventory/hosts.repository';
import type { TestCore } from '../../helpers/test-core';

/**
 * Converts a CSV file with LibreOffice, as an operator saving the CMDB export would, and returns
 * the path of the converted file. Uses a throwaway LibreOffice profile.
 */
export function convertWithLibreOffice(
  csvPath: string,
  format: 'xlsx' | 'xls' | 'ods',
  outDir: string,
): string {
  const profile = mkdtempSync(join(tmpdir(), 'patchdeck-lo-'));
  try {
    execFileSync(
      'libreoffice',
      [
        `-env:UserInstallation=file://${profile}`,
        '--headless',
        '--convert-to',
        format,
        '--outdir',
        outDir,
        csvPath,
      ],
      { stdio: 'pipe', timeout: 120_000 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  return join(outDir, basename(csvPath).replace(/\.csv$/, `.${format}`));
}

/** A file as the import contract takes it inline. */
export function inline(path: string): { fileName: string; contentBase64: string } {
  return { fileName: basename(path), contentBase64: readFileSync(path).toString('base64') };
}

/** Adds hosts straight to the workspace, as earlier work (manual entry, scans) would have. */
export function seedHosts(
  t: TestCore,
  hosts: (Omit<NewHost, 'at' | 'username' | 'source'> & Partial<NewHost> & { reached?: boolean })[],
): void {
  t.core.workspace.transaction((tx: WriteTx) => {
    for (const { reached, ...host } of hosts) {
      insertHost(tx, {
        username: 'root',
        source: 'manual',
        at: '2026-02-01T00:00:00.000Z',
        ...host,
      });
      if (reached) {
        tx.run(
          'INSERT INTO host_facts (host_id, scan_id, facts, collected_at) VALUES (?, ?, ?, ?)',
          [host.id, `scan-${host.id}`, '{}', '2026-02-02T00:00:00.000Z'],
        );
      }
    }
  });
}

/** Every host in the workspace, by name. */
export function allHosts(t: TestCore): HostRow[] {
  return getHostRows(t.core.workspace, listHostIds(t.core.workspace));
}
