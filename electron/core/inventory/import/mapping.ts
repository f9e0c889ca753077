import { createHash } from 'node:crypto';

import { AppError } from '../../../../shared/api/errors';
import {
  IMPORT_FIELDS,
  type ImportField,
  type ImportMapping,
} from '../../../../shared/domain/assets';

import { NMAP_COLUMNS } from './nmap';
import type { ParsedTable } from './table';

/**
 * Header names that mean each field, most specific first, compared without case, spaces or
 * punctuation ("IP-Address" = "ip address" = "IPAddress").
 *
 * Deliberately absent: a bare "User"/"Username" (in asset registers that is the person the device
 * is checked out to, not the SSH login) and "Location" (a room, not a network zone).
 */
const SYNONYMS: Readonly<Record<ImportField, readonly string[]>> = {
  name: [
    'hostname',
    'host name',
    'fqdn',
    'dns name',
    'computer name',
    'computername',
    'server name',
    'device name',
    'node name',
    'system name',
    'ci name',
    'asset name',
    'host',
    'server',
    'computer',
    'name',
  ],
  address: [
    'ip address',
    'ipaddress',
    'ip addresses',
    'ipv4 address',
    'ipv4',
    'ip',
    'ip addr',
    'management ip',
    'mgmt ip',
    'primary ip',
    'primary ip address',
    'host address',
    'address',
    'ipv6 address',
    'ipv6',
  ],
  port: ['ssh port', 'port'],
  username: [
    'ssh user',
    'ssh username',
    'ssh login',
    'login user',
    'remote user',
    'service account',
    'login',
    'username',
    'user name',
    'user',
    'account',
  ],
  cmdbId: [
    'cmdb id',
    'ci number',
    'cmdb number',
    'ci id',
    'sys id',
    'configuration item id',
    'asset id',
    'asset tag',
    'asset number',
    'inventory number',
    'inventory id',
  ],
  osName: [
    'os',
    'operating system',
    'os name',
    'operating system name',
    'operating system full name',
    'os version',
    'platform',
  ],
  tier: ['tier', 'criticality', 'criticality tier', 'business criticality', 'crit'],
  environment: ['environment', 'env', 'lifecycle', 'lifecycle stage', 'stage'],
  owner: ['owner', 'system owner', 'owned by', 'technical owner', 'responsible', 'managed by'],
  businessService: ['business service', 'service', 'application', 'app', 'business application'],
  dataSensitivity: ['data sensitivity', 'data classification', 'classification', 'sensitivity'],
  regulatoryTags: [
    'regulatory',
    'regulatory tags',
    'regulations',
    'compliance',
    'compliance scope',
  ],
  haGroup: ['ha group', 'cluster', 'ha cluster', 'failover group'],
  networkZone: ['network zone', 'zone', 'security zone', 'network segment', 'segment', 'vlan'],
  exposure: ['exposure', 'network exposure', 'internet facing'],
  tags: ['tags', 'labels', 'groups'],
  notes: ['notes', 'asset notes', 'comments', 'comment', 'remarks', 'description'],
};

/** "IP-Address " → "ipaddress". */
function squash(header: string): string {
  return header.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * Guesses which column fills which field from the header names. Each column fills at most one
 * field; a field whose earlier synonym matches wins over one whose later synonym does.
 */
export function guessMapping(columns: readonly string[]): ImportMapping {
  const byName = new Map<string, string>();
  for (const column of columns) {
    const key = squash(column);
    if (key !== '' && !byName.has(key)) byName.set(key, column);
  }
  const candidates: { field: ImportField; column: string; rank: number }[] = [];
  for (const field of IMPORT_FIELDS) {
    SYNONYMS[field].forEach((synonym, rank) => {
      const column = byName.get(squash(synonym));
      if (column !== undefined) candidates.push({ field, column, rank });
    });
  }
  candidates.sort((a, b) => a.rank - b.rank);
  const mapping: ImportMapping = {};
  const used = new Set<string>();
  for (const { field, column } of candidates) {
    if (mapping[field] !== undefined || used.has(column)) continue;
    mapping[field] = column;
    used.add(column);
  }
  return mapping;
}

/** The mapping an Nmap scan always offers first: its columns are fixed. */
export const NMAP_MAPPING: ImportMapping = {
  address: NMAP_COLUMNS.address,
  name: NMAP_COLUMNS.name,
  osName: NMAP_COLUMNS.osName,
  port: NMAP_COLUMNS.port,
};

/**
 * The name a mapping is remembered under: for a spreadsheet, a signature of its header row (so the
 * same CMDB export is recognised as CSV, XLSX or ODS); for Nmap XML, the scanner that wrote it.
 */
export function sourceNameOf(table: Pick<ParsedTable, 'format' | 'columns' | 'scanner'>): string {
  if (table.format === 'nmap-xml') return `scanner:${table.scanner ?? 'nmap'}`;
  const digest = createHash('sha256')
    .update(table.columns.map((c) => c.trim().toLowerCase()).join('\u001f'))
    .digest('hex');
  return `header:${digest.slice(0, 16)}`;
}

/** Keeps only the parts of a remembered mapping that still name columns of the file. */
export function applicableMapping(
  mapping: ImportMapping,
  columns: readonly string[],
): ImportMapping {
  const out: ImportMapping = {};
  for (const field of IMPORT_FIELDS) {
    const column = mapping[field];
    if (column !== undefined && columns.includes(column)) out[field] = column;
  }
  return out;
}

/**
 * Refuses a mapping that cannot produce hosts: a column the file does not have, or no column for
 * the address.
 */
export function checkMapping(mapping: ImportMapping, columns: readonly string[]): void {
  for (const field of IMPORT_FIELDS) {
    const column = mapping[field];
    if (column !== undefined && !columns.includes(column)) {
      throw new AppError(
        'IMPORT_MAPPING_INVALID',
        `The mapping puts column "${column}" into ${field}, but the file has no such column. ` +
          "Choose one of the file's columns.",
        { field, column, columns: [...columns] },
      );
    }
  }
  if (mapping.address === undefined) {
    throw new AppError(
      'IMPORT_MAPPING_INVALID',
      'No column is mapped to the address, so PatchDeck cannot tell how to reach the hosts. Map ' +
        'the column holding the IP address or DNS name to "address".',
      { field: 'address' },
    );
  }
}
