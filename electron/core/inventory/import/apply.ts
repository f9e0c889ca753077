import { AppError } from '../../../../shared/api/errors';
import type { HostAttributes } from '../../../../shared/domain/assets';
import type { WriteTx } from '../../db/workspace';
import type { IdGenerator } from '../../platform/ids';
import {
  deleteHosts,
  findJumpDependents,
  insertHost,
  updateHostAttributes,
  updateHostConnection,
  type HostAttributeChange,
  type HostRow,
} from '../hosts.repository';

import { unlinkHosts } from './imports.repository';
import type { ReconcilePlan, RowMatch } from './reconcile';
import { IMPORT_DEFAULT_USERNAME } from './rows';
import { capitalise, rowLabel, type ImportFormat } from './table';

/** An operator's decision on one item, by the item's key. */
export type Decision = {
  key: string;
  decision: 'add' | 'skip' | 'take-source' | 'keep-inventory' | 'keep' | 'remove' | 'later';
};

type MismatchItem = ReconcilePlan['mismatchItems'] extends Map<string, infer V> ? V : never;

/** What applying did. */
export type ApplyCounts = { added: number; updated: number; removed: number; deferred: number };

const ALLOWED: Readonly<Record<'new' | 'mismatch' | 'never' | 'absent', readonly string[]>> = {
  new: ['add', 'skip', 'later'],
  mismatch: ['take-source', 'keep-inventory', 'later'],
  never: ['keep', 'remove', 'later'],
  absent: ['keep', 'remove', 'later'],
};

/**
 * Applies the operator's decisions to a reconciliation, inside the caller's transaction: any
 * failure (a conflict named by its row) throws, and the transaction leaves nothing behind.
 * Items without a decision, or decided "later", are deferred. Returns the counts and the hosts
 * the source now describes (for linking).
 */
export function applyDecisions(
  tx: WriteTx,
  plan: ReconcilePlan,
  decisions: readonly Decision[],
  context: { format: ImportFormat; at: string; ids: IdGenerator },
): ApplyCounts & { described: { hostId: string; row: number }[] } {
  const chosen = checkDecisions(plan, decisions);
  const { format, at } = context;
  const hostSource = format === 'nmap-xml' ? 'nmap' : 'cmdb';
  const taken = new Map<string, string>();
  for (const match of plan.matches)
    taken.set(endpoint(match.host.address, match.host.port), match.host.id);
  const counts: ApplyCounts = { added: 0, updated: 0, removed: 0, deferred: 0 };
  const described: { hostId: string; row: number }[] = [];
  const deferred = (key: string) => chosen.get(key);
  for (const key of [
    ...plan.newRows.keys(),
    ...plan.mismatchItems.keys(),
    ...plan.hostItems.keys(),
  ]) {
    const decision = chosen.get(key);
    if (decision === undefined || decision === 'later') counts.deferred += 1;
  }
  const mismatchesByRow = new Map<number, [string, MismatchItem][]>();
  for (const [key, item] of plan.mismatchItems) {
    const list = mismatchesByRow.get(item.match.candidate.row) ?? [];
    list.push([key, item]);
    mismatchesByRow.set(item.match.candidate.row, list);
  }

  // Hosts leave first, so an added or moved host may take a removed host's address.
  const removals: HostRow[] = [];
  for (const [key, item] of plan.hostItems) {
    if (deferred(key) === 'remove' && !removals.some((h) => h.id === item.host.id)) {
      removals.push(item.host);
    }
  }
  if (removals.length > 0) {
    const ids = removals.map((h) => h.id);
    const dependents = findJumpDependents(tx, ids, new Set(ids));
    const first = dependents[0];
    if (first) {
      throw new AppError(
        'IMPORT_CONFLICT',
        `"${first.name}" connects through a host you chose to remove, so nothing was imported. ` +
          `Keep that host, or change how "${first.name}" connects first.`,
        { hostId: first.id },
      );
    }
    counts.removed = deleteHosts(tx, ids);
    unlinkHosts(tx, ids);
  }
  const removed = new Set(removals.map((h) => h.id));
  const allHosts = tx.all('SELECT id, address, port FROM hosts');
  for (const r of allHosts)
    taken.set(endpoint(String(r['address']), Number(r['port'])), String(r['id']));

  const claim = (row: number, address: string, port: number, hostId: string, what: string) => {
    const holder = taken.get(endpoint(address, port));
    if (holder !== undefined && holder !== hostId && !removed.has(holder)) {
      const other = tx.get('SELECT name FROM hosts WHERE id = ?', [holder]);
      throw new AppError(
        'IMPORT_CONFLICT',
        `${capitalise(rowLabel(format, row))}: ${what} ${address} (port ${port}) is already ` +
          `used by host "${other ? String(other['name']) : holder}". Nothing was imported. Keep ` +
          'the inventory value for this row, or correct the file, then reconcile again.',
        { row, address, port, hostId: holder },
      );
    }
    taken.set(endpoint(address, port), hostId);
  };

  const rows = [
    ...[...plan.newRows].map(([key, candidate]) => ({
      row: candidate.row,
      key,
      candidate,
      match: undefined,
    })),
    ...plan.matches.map((match) => ({
      row: match.candidate.row,
      key: '',
      candidate: match.candidate,
      match,
    })),
  ].sort((a, b) => a.row - b.row);

  for (const entry of rows) {
    if (!entry.match) {
      if (deferred(entry.key) !== 'add') continue;
      const c = entry.candidate;
      const id = context.ids.next('host');
      claim(c.row, c.address, c.port ?? 22, id, 'the address');
      insertHost(tx, {
        ...c.attributes,
        id,
        name: c.name,
        address: c.address,
        port: c.port ?? 22,
        username: c.username ?? IMPORT_DEFAULT_USERNAME,
        source: hostSource,
        cmdbId: c.cmdbId ?? null,
        osName: c.osName ?? null,
        at,
      });
      counts.added += 1;
      described.push({ hostId: id, row: c.row });
      continue;
    }
    described.push({ hostId: entry.match.host.id, row: entry.candidate.row });
    const items = mismatchesByRow.get(entry.candidate.row) ?? [];
    if (updateMatched(tx, entry.match, items, deferred, { format, at, claim })) counts.updated += 1;
  }
  return { ...counts, described };
}

function updateMatched(
  tx: WriteTx,
  match: RowMatch,
  items: readonly [string, MismatchItem][],
  deferred: (key: string) => Decision['decision'] | undefined,
  context: {
    format: ImportFormat;
    at: string;
    claim: (row: number, address: string, port: number, hostId: string, what: string) => void;
  },
): boolean {
  const row = match.candidate.row;
  const change: HostAttributeChange = {};
  let address: string | undefined;
  let changed = false;
  for (const [key, item] of items) {
    if (deferred(key) !== 'take-source') continue;
    changed = true;
    const field = item.field;
    if (field === 'address') {
      address = item.sourceValue;
    } else if (field === 'osName') {
      const scanned = tx.get('SELECT 1 AS x FROM host_facts WHERE host_id = ?', [match.host.id]);
      if (scanned) {
        throw new AppError(
          'VALIDATION_FAILED',
          `${capitalise(rowLabel(context.format, row))}: the OS of "${match.host.name}" comes from ` +
            'its last scan and cannot be replaced by the source\'s value. Choose "keep-inventory" ' +
            `or "later" for ${key}.`,
          { key },
        );
      }
      change.osName = item.sourceValue;
    } else if (field === 'tier' || field === 'environment') {
      const attrs = match.candidate.attributes;
      if (field === 'tier' && attrs.tier !== undefined) change.tier = attrs.tier;
      if (field === 'environment' && attrs.environment !== undefined) {
        change.environment = attrs.environment;
      }
    } else if (field === 'name') {
      change.name = item.sourceValue;
    } else {
      (change as Partial<Pick<HostAttributes, 'owner' | 'businessService'>>)[field] =
        item.sourceValue;
    }
  }
  if (!changed) return false;
  if (match.candidate.cmdbId !== undefined && match.host.cmdbId === null) {
    change.cmdbId = match.candidate.cmdbId;
  }
  if (address !== undefined) {
    context.claim(row, address, match.host.port, match.host.id, "the source's address");
    updateHostConnection(tx, match.host.id, { address }, context.at);
  }
  updateHostAttributes(tx, match.host.id, change, context.at);
  return true;
}

function checkDecisions(
  plan: ReconcilePlan,
  decisions: readonly Decision[],
): Map<string, Decision['decision']> {
  const chosen = new Map<string, Decision['decision']>();
  for (const { key, decision } of decisions) {
    const kind = key.slice(0, key.indexOf(':')) as keyof typeof ALLOWED;
    const exists =
      (kind === 'new' && plan.newRows.has(key)) ||
      (kind === 'mismatch' && plan.mismatchItems.has(key)) ||
      ((kind === 'never' || kind === 'absent') && plan.hostItems.has(key));
    if (!exists) {
      throw new AppError(
        'VALIDATION_FAILED',
        `There is no item ${key} in this reconciliation (the inventory may have changed since it ` +
          'was shown). Run the reconciliation again and decide on what it lists.',
        { key },
      );
    }
    if (!ALLOWED[kind].includes(decision)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `"${decision}" is not a choice for ${key}; choose one of ${ALLOWED[kind].join(', ')}.`,
        { key, decision, allowed: [...ALLOWED[kind]] },
      );
    }
    if (chosen.has(key)) {
      throw new AppError('VALIDATION_FAILED', `${key} has two decisions; give one.`, { key });
    }
    chosen.set(key, decision);
  }
  return chosen;
}

function endpoint(address: string, port: number): string {
  return `${address.trim().toLowerCase()}:${port}`;
}
