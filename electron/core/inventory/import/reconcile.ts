import { AppError } from '../../../../shared/api/errors';
import type { ImportMapping, Reconciliation } from '../../../../shared/domain/assets';
import type { HostRow } from '../hosts.repository';

import type { ImportCandidate } from './rows';
import { capitalise, rowLabel, type ImportFormat } from './table';

/** The fields a reconciliation compares on a matched host. */
export type MismatchField = Reconciliation['mismatches'][number]['field'];

/** What the inventory looks like to a reconciliation. */
export type InventoryView = {
  hosts: readonly HostRow[];
  /** Hosts of which any scan ever succeeded. */
  reached: ReadonlySet<string>;
  /** Hosts an earlier import of this source described. */
  linkedToSource: ReadonlySet<string>;
};

/** A row matched to a host, and how. */
export type RowMatch = {
  candidate: ImportCandidate;
  host: HostRow;
  by: 'cmdbId' | 'address' | 'name';
};

/** A reconciliation with what applying it needs: the rows behind each item. */
export type ReconcilePlan = {
  reconciliation: Omit<Reconciliation, 'importId' | 'sourceName' | 'rowCount'>;
  newRows: Map<string, ImportCandidate>;
  matches: RowMatch[];
  /** Mismatch key → the row's match and the field. */
  mismatchItems: Map<string, { match: RowMatch; field: MismatchField; sourceValue: string }>;
  /** neverReached and notInSource keys → host. */
  hostItems: Map<string, { kind: 'never' | 'absent'; host: HostRow }>;
};

/**
 * Reconciles a source's rows with the inventory.
 *
 * Matching, per row: by CMDB id when the column is mapped and the row has one; else by address
 * (and port, when mapped; a bare address matches the host at port 22, or the only host at that
 * address); else by name, case-insensitively, when exactly one host has it. A host matched by
 * two rows refuses the source.
 *
 * Then: rows matching no host are new; matched rows whose non-blank values differ from the host
 * are mismatches (one item per field); hosts this source describes (now or in an earlier import)
 * that no scan ever reached are "never reached" (CMDB sources only: a discovery scan proves
 * nothing about them); hosts that a scan reached and that no row matched are "not in source".
 */
export function reconcile(
  candidates: readonly ImportCandidate[],
  inventory: InventoryView,
  format: ImportFormat,
  mapping: ImportMapping,
): ReconcilePlan {
  const byCmdb = new Map<string, HostRow>();
  const byAddress = new Map<string, HostRow[]>();
  const byName = new Map<string, HostRow[]>();
  for (const host of inventory.hosts) {
    if (host.cmdbId) byCmdb.set(host.cmdbId.toLowerCase(), host);
    push(byAddress, host.address.toLowerCase(), host);
    push(byName, host.name.toLowerCase(), host);
  }
  const claimedBy = new Map<string, number>();
  const plan: ReconcilePlan = {
    reconciliation: {
      newHosts: [],
      mismatches: [],
      neverReached: [],
      notInSource: [],
      unchanged: 0,
    },
    newRows: new Map(),
    matches: [],
    mismatchItems: new Map(),
    hostItems: new Map(),
  };

  for (const candidate of candidates) {
    const found = matchRow(candidate, byCmdb, byAddress, byName);
    if (!found) {
      const key = `new:${candidate.row}`;
      plan.newRows.set(key, candidate);
      plan.reconciliation.newHosts.push({
        key,
        row: candidate.row,
        name: candidate.name,
        address: candidate.address,
      });
      continue;
    }
    const earlier = claimedBy.get(found.host.id);
    if (earlier !== undefined) {
      throw new AppError(
        'IMPORT_MALFORMED',
        `${capitalise(rowLabel(format, candidate.row))} and ${rowLabel(format, earlier)} both ` +
          `describe the host "${found.host.name}" (${found.host.address}). Each host may appear ` +
          'once: remove or correct one of the rows, then import the file again.',
        { row: candidate.row, otherRow: earlier, hostId: found.host.id },
      );
    }
    claimedBy.set(found.host.id, candidate.row);
    const match: RowMatch = { candidate, host: found.host, by: found.by };
    plan.matches.push(match);
    const differences = compare(match, mapping);
    if (differences.length === 0) plan.reconciliation.unchanged += 1;
    for (const { field, inventoryValue, sourceValue } of differences) {
      const key = `mismatch:${candidate.row}:${field}`;
      plan.mismatchItems.set(key, { match, field, sourceValue });
      plan.reconciliation.mismatches.push({
        key,
        row: candidate.row,
        hostId: found.host.id,
        hostName: found.host.name,
        field,
        inventoryValue,
        sourceValue,
      });
    }
  }

  const hostItem = (kind: 'never' | 'absent', host: HostRow) => {
    const key = `${kind}:${host.id}`;
    plan.hostItems.set(key, { kind, host });
    const item = { key, hostId: host.id, hostName: host.name, address: host.address };
    if (kind === 'never') plan.reconciliation.neverReached.push(item);
    else plan.reconciliation.notInSource.push(item);
  };
  for (const host of inventory.hosts) {
    const described = claimedBy.has(host.id) || inventory.linkedToSource.has(host.id);
    if (format !== 'nmap-xml' && described && !inventory.reached.has(host.id))
      hostItem('never', host);
    if (!claimedBy.has(host.id) && inventory.reached.has(host.id)) hostItem('absent', host);
  }
  return plan;
}

function matchRow(
  candidate: ImportCandidate,
  byCmdb: ReadonlyMap<string, HostRow>,
  byAddress: ReadonlyMap<string, HostRow[]>,
  byName: ReadonlyMap<string, HostRow[]>,
): { host: HostRow; by: RowMatch['by'] } | undefined {
  if (candidate.cmdbId !== undefined) {
    const host = byCmdb.get(candidate.cmdbId.toLowerCase());
    if (host) return { host, by: 'cmdbId' };
  }
  const atAddress = byAddress.get(candidate.address.toLowerCase()) ?? [];
  const port = candidate.port;
  const byAddr =
    port !== undefined
      ? atAddress.find((h) => h.port === port)
      : (atAddress.find((h) => h.port === 22) ??
        (atAddress.length === 1 ? atAddress[0] : undefined));
  if (byAddr) return { host: byAddr, by: 'address' };
  if (candidate.nameGiven) {
    const named = byName.get(candidate.name.toLowerCase()) ?? [];
    if (named.length === 1 && named[0]) return { host: named[0], by: 'name' };
  }
  return undefined;
}

function compare(
  match: RowMatch,
  mapping: ImportMapping,
): { field: MismatchField; inventoryValue: string; sourceValue: string }[] {
  const { candidate: c, host: h } = match;
  const out: { field: MismatchField; inventoryValue: string; sourceValue: string }[] = [];
  const differs = (
    field: MismatchField,
    inventoryValue: string,
    sourceValue: string | undefined,
  ) => {
    if (sourceValue === undefined || sourceValue === '') return;
    if (inventoryValue.trim().toLowerCase() === sourceValue.trim().toLowerCase()) return;
    out.push({ field, inventoryValue, sourceValue });
  };
  if (mapping.name !== undefined && c.nameGiven) differs('name', h.name, c.name);
  if (match.by !== 'address') differs('address', h.address, c.address);
  if (c.osName !== undefined && !sameOs(h.osName ?? '', c.osName)) {
    out.push({ field: 'osName', inventoryValue: h.osName ?? '', sourceValue: c.osName });
  }
  const a = c.attributes;
  differs('tier', String(h.tier), a.tier === undefined ? undefined : String(a.tier));
  differs('environment', h.environment, a.environment);
  differs('owner', h.owner, a.owner);
  differs('businessService', h.businessService, a.businessService);
  return out;
}

/**
 * True when a declared OS agrees with the inventory's: every word of the declared name appears in
 * the inventory's ("Debian 12" agrees with "Debian GNU/Linux 12 (bookworm)").
 */
export function sameOs(inventoryValue: string, sourceValue: string): boolean {
  const words = (text: string) =>
    text
      .toLowerCase()
      .split(/[^a-z0-9.]+/)
      .filter(Boolean);
  const have = new Set(words(inventoryValue));
  const want = words(sourceValue);
  return want.length > 0 && want.every((w) => have.has(w));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
