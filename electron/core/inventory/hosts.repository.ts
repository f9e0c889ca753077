import type { SqlValue } from 'sql.js';

import type {
  HOST_SORT_KEYS,
  HostAttributes,
  HostDetail,
  HostFilter,
  HostSummary,
  Tier,
} from '../../../shared/domain/assets';
import type {
  HostFacts,
  InstalledPackage,
  OsFamily,
  PackageKind,
} from '../../../shared/domain/host-facts';
import type { ReadDb, Row, WriteTx } from '../db/workspace';

import { eolHorizon, eolStatus, matchEolByName, type EolHorizon } from './eol';

/** Where a host record came from. */
export type HostSource = HostSummary['source'];

/** How the host table may be sorted. */
export type HostSort = { key: (typeof HOST_SORT_KEYS)[number]; direction: 'asc' | 'desc' };

/** The attributes a host gets when nobody says otherwise. */
export const DEFAULT_HOST_ATTRIBUTES: Readonly<HostAttributes> = {
  name: '',
  tier: 2,
  environment: 'production',
  owner: '',
  businessService: '',
  dataSensitivity: 'internal',
  regulatoryTags: [],
  haGroup: '',
  networkZone: '',
  exposure: 'internal',
  tags: [],
  notes: '',
};

/** A host as stored, with everything the core knows but the facts and packages. */
export type HostRow = HostAttributes & {
  id: string;
  address: string;
  port: number;
  username: string;
  credentialId: string | null;
  jumpHostId: string | null;
  source: HostSource;
  cmdbId: string | null;
  osFamily: OsFamily | null;
  osId: string | null;
  osName: string | null;
  osVersion: string | null;
  kernel: string | null;
  arch: string | null;
  packageCount: number | null;
  rebootRequired: boolean | null;
  eolProduct: string | null;
  eolDate: string | null;
  lastScanId: string | null;
  lastScanAt: string | null;
  lastScan: HostSummary['lastScan'];
  createdAt: string;
  updatedAt: string;
};

const COLUMNS = `id, name, address, port, username, credential_id, jump_host_id, tier, environment,
  owner, business_service, data_sensitivity, regulatory_tags, ha_group, network_zone, exposure,
  tags, notes, source, cmdb_id, os_family, os_id, os_name, os_version, kernel, arch,
  package_count, reboot_required, eol_product, eol_date, last_scan_id, last_scan_at,
  last_scan_status, last_scan_failure_kind, last_scan_message, last_scan_action, created_at,
  updated_at`;

const str = (value: SqlValue | undefined): string => (value === null ? '' : String(value));
const strOrNull = (value: SqlValue | undefined): string | null =>
  value === null || value === undefined ? null : String(value);
const numOrNull = (value: SqlValue | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);

function parseLabels(text: SqlValue | undefined): string[] {
  const parsed: unknown = JSON.parse(str(text) || '[]');
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

function fromRow(row: Row): HostRow {
  const status = strOrNull(row['last_scan_status']);
  return {
    id: str(row['id']),
    name: str(row['name']),
    address: str(row['address']),
    port: Number(row['port']),
    username: str(row['username']),
    credentialId: strOrNull(row['credential_id']),
    jumpHostId: strOrNull(row['jump_host_id']),
    tier: Number(row['tier']) as Tier,
    environment: str(row['environment']) as HostAttributes['environment'],
    owner: str(row['owner']),
    businessService: str(row['business_service']),
    dataSensitivity: str(row['data_sensitivity']) as HostAttributes['dataSensitivity'],
    regulatoryTags: parseLabels(row['regulatory_tags']),
    haGroup: str(row['ha_group']),
    networkZone: str(row['network_zone']),
    exposure: str(row['exposure']) as HostAttributes['exposure'],
    tags: parseLabels(row['tags']),
    notes: str(row['notes']),
    source: str(row['source']) as HostSource,
    cmdbId: strOrNull(row['cmdb_id']),
    osFamily: strOrNull(row['os_family']) as OsFamily | null,
    osId: strOrNull(row['os_id']),
    osName: strOrNull(row['os_name']),
    osVersion: strOrNull(row['os_version']),
    kernel: strOrNull(row['kernel']),
    arch: strOrNull(row['arch']),
    packageCount: numOrNull(row['package_count']),
    rebootRequired: row['reboot_required'] === null ? null : Number(row['reboot_required']) === 1,
    eolProduct: strOrNull(row['eol_product']),
    eolDate: strOrNull(row['eol_date']),
    lastScanId: strOrNull(row['last_scan_id']),
    lastScanAt: strOrNull(row['last_scan_at']),
    lastScan:
      status === null
        ? null
        : {
            status: status as 'ok' | 'failed',
            failureKind: strOrNull(row['last_scan_failure_kind']) as NonNullable<
              HostSummary['lastScan']
            >['failureKind'],
            message: strOrNull(row['last_scan_message']),
            action: strOrNull(row['last_scan_action']),
          },
    createdAt: str(row['created_at']),
    updatedAt: str(row['updated_at']),
  };
}

/** The trust state of the key each host presents, read for a page of hosts at once. */
function hostKeyStates(db: ReadDb, rows: readonly HostRow[]): Map<string, HostSummary['hostKey']> {
  const states = new Map<string, HostSummary['hostKey']>();
  if (rows.length === 0) return states;
  const changed = new Set<string>();
  for (const part of chunks(rows, 400)) {
    const marks = part.map(() => '?').join(',');
    for (const r of db.all(
      `SELECT host_id FROM host_key_sightings WHERE kind = 'changed' AND host_id IN (${marks})`,
      part.map((h) => h.id),
    )) {
      changed.add(str(r['host_id']));
    }
  }
  const keys = new Map<string, { pinned: boolean; revoked: boolean }>();
  for (const part of chunks(rows, 300)) {
    const where = part.map(() => '(address = ? AND port = ?)').join(' OR ');
    const params = part.flatMap((h) => [h.address, h.port]);
    for (const r of db.all(`SELECT address, port, status FROM host_keys WHERE ${where}`, params)) {
      const key = `${str(r['address']).toLowerCase()}:${Number(r['port'])}`;
      const entry = keys.get(key) ?? { pinned: false, revoked: false };
      if (r['status'] === 'pinned') entry.pinned = true;
      else entry.revoked = true;
      keys.set(key, entry);
    }
  }
  for (const h of rows) {
    const entry = keys.get(`${h.address.toLowerCase()}:${h.port}`);
    let state: HostSummary['hostKey'] = 'unknown';
    if (changed.has(h.id)) state = 'changed';
    else if (h.lastScan?.failureKind === 'host-key-revoked') state = 'revoked';
    else if (entry?.pinned) state = 'pinned';
    else if (entry?.revoked) state = 'revoked';
    states.set(h.id, state);
  }
  return states;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The summary the host table shows, judged against `horizon` for the EOL status. */
export function toHostSummary(
  row: HostRow,
  hostKey: HostSummary['hostKey'],
  horizon: EolHorizon,
): HostSummary {
  return {
    id: row.id,
    name: row.name,
    tier: row.tier,
    environment: row.environment,
    owner: row.owner,
    businessService: row.businessService,
    dataSensitivity: row.dataSensitivity,
    regulatoryTags: row.regulatoryTags,
    haGroup: row.haGroup,
    networkZone: row.networkZone,
    exposure: row.exposure,
    tags: row.tags,
    notes: row.notes,
    address: row.address,
    port: row.port,
    username: row.username,
    source: row.source,
    osFamily: row.osFamily,
    osName: row.osName,
    osVersion: row.osVersion,
    kernel: row.kernel,
    arch: row.arch,
    packageCount: row.packageCount,
    rebootRequired: row.rebootRequired,
    eol: eolStatus({ product: row.eolProduct, eolDate: row.eolDate }, horizon),
    hostKey,
    lastScanAt: row.lastScanAt,
    lastScan: row.lastScan,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** SQL for the EOL status of a row, judged against the bound `:today` and `:soon`. */
const EOL_STATUS_SQL = `CASE WHEN eol_date IS NULL THEN 'unknown' WHEN eol_date < :today THEN 'eol'
  WHEN eol_date <= :soon THEN 'soon' ELSE 'supported' END`;

/** Sort columns that may be empty; their hosts without a value are listed last. */
const NULLABLE_SORT_COLUMNS: ReadonlySet<string> = new Set([
  'os_name',
  'eol_date',
  'last_scan_at',
  'package_count',
]);

const SORT_COLUMNS: Readonly<Record<HostSort['key'], string>> = {
  name: 'name',
  address: 'address',
  tier: 'tier',
  environment: 'environment',
  osName: 'os_name',
  eol: 'eol_date',
  lastScanAt: 'last_scan_at',
  packageCount: 'package_count',
  owner: 'owner',
  businessService: 'business_service',
  networkZone: 'network_zone',
};

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filterSql(filter: HostFilter): { where: string; params: Record<string, SqlValue> } {
  const clauses: string[] = [];
  const params: Record<string, SqlValue> = {};
  const list = (name: string, values: readonly (string | number)[]) => {
    const marks = values.map((value, i) => {
      params[`:${name}${i}`] = value;
      return `:${name}${i}`;
    });
    return marks.join(', ');
  };
  const text = filter.text?.trim();
  if (text) {
    params[':text'] = likePattern(text);
    clauses.push(
      `(name LIKE :text ESCAPE '\\' OR address LIKE :text ESCAPE '\\' OR owner LIKE :text ESCAPE '\\'
        OR business_service LIKE :text ESCAPE '\\' OR os_name LIKE :text ESCAPE '\\'
        OR cmdb_id LIKE :text ESCAPE '\\' OR tags LIKE :text ESCAPE '\\')`,
    );
  }
  if (filter.tiers?.length) clauses.push(`tier IN (${list('tier', filter.tiers)})`);
  if (filter.environments?.length) {
    clauses.push(`environment IN (${list('env', filter.environments)})`);
  }
  if (filter.osFamilies?.length) {
    const known = filter.osFamilies.filter((f) => f !== 'unknown');
    const parts: string[] = [];
    if (known.length) parts.push(`os_family IN (${list('os', known)})`);
    if (filter.osFamilies.includes('unknown')) {
      parts.push(`os_family IS NULL OR os_family = 'unknown'`);
    }
    clauses.push(`(${parts.join(' OR ')})`);
  }
  if (filter.eol?.length) {
    // Ranges over eol_date (indexed) rather than the status expression.
    const ranges: Record<string, string> = {
      eol: 'eol_date < :today',
      soon: '(eol_date >= :today AND eol_date <= :soon)',
      supported: 'eol_date > :soon',
      unknown: 'eol_date IS NULL',
    };
    clauses.push(`(${[...new Set(filter.eol)].map((status) => ranges[status]).join(' OR ')})`);
  }
  if (filter.scan?.length) {
    const parts = filter.scan.map((s) =>
      s === 'never'
        ? 'last_scan_at IS NULL'
        : `last_scan_status = '${s === 'ok' ? 'ok' : 'failed'}'`,
    );
    clauses.push(`(${parts.join(' OR ')})`);
  }
  const tag = filter.tag?.trim();
  if (tag) {
    params[':tag'] = tag;
    clauses.push(
      'EXISTS (SELECT 1 FROM json_each(hosts.tags) WHERE json_each.value = :tag COLLATE NOCASE)',
    );
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** One page of the host table with the total that matched and whole-inventory counts. */
export type HostPage = {
  hosts: HostSummary[];
  total: number;
  counts: {
    all: number;
    byTier: number[];
    eol: number;
    eolSoon: number;
    neverScanned: number;
    scanFailed: number;
  };
};

/**
 * Lists hosts with server-side filtering, sorting and paging.
 *
 * Everything the table filters and sorts on is a column of `hosts` with an index, so a page is
 * one indexed query plus a count, whatever the inventory's size.
 */
export function listHosts(
  db: ReadDb,
  query: { filter: HostFilter; sort: HostSort; offset: number; limit: number },
  now: Date,
): HostPage {
  const horizon = eolHorizon(now);
  const { where, params } = filterSql(query.filter);
  const bound = { ...params, ':today': horizon.today, ':soon': horizon.soonUntil };
  const column = SORT_COLUMNS[query.sort.key];
  const dir = query.sort.direction === 'desc' ? 'DESC' : 'ASC';
  const and = (extra: string) => (where ? `${where} AND ${extra}` : `WHERE ${extra}`);
  const count = (clause: string) =>
    Number(db.get(`SELECT COUNT(*) AS n FROM hosts ${clause}`, bound)?.['n'] ?? 0);
  // Ids first, ordered along a covering (column, name, id) index; rows only for the page.
  const ids = (clause: string, order: string, limit: number, offset: number) =>
    db
      .all(`SELECT id FROM hosts ${clause} ORDER BY ${order} LIMIT :limit OFFSET :offset`, {
        ...bound,
        ':limit': limit,
        ':offset': offset,
      })
      .map((r) => str(r['id']));
  const total = count(where);
  // A text or tag filter keeps few rows but no index can find them: scan once and sort what
  // matched (the unary + keeps the planner off the sort index, which would visit every row).
  const scanFirst = Boolean(query.filter.text?.trim() || query.filter.tag?.trim());
  const key = (name: string) => (scanFirst ? `+${name}` : name);
  let pageIds: string[];
  if (NULLABLE_SORT_COLUMNS.has(column)) {
    // Hosts without a value (never scanned, no EOL match) come last in either direction: the
    // hosts with a value are paged first, then those without, each along its own index.
    const withValue = count(and(`${column} IS NOT NULL`));
    pageIds =
      query.offset < withValue
        ? ids(
            and(`${column} IS NOT NULL`),
            `${key(column)} ${dir}, ${key('name')} ${dir}, id ${dir}`,
            query.limit,
            query.offset,
          )
        : [];
    if (pageIds.length < query.limit) {
      pageIds.push(
        ...ids(
          and(`${column} IS NULL`),
          `${key('name')} ${dir}, id ${dir}`,
          query.limit - pageIds.length,
          Math.max(0, query.offset - withValue),
        ),
      );
    }
  } else {
    const order =
      column === 'name'
        ? `${key('name')} ${dir}, id ${dir}`
        : `${key(column)} ${dir}, ${key('name')} ${dir}, id ${dir}`;
    pageIds = ids(where, order, query.limit, query.offset);
  }
  const rows = getHostRows(db, pageIds);
  const keys = hostKeyStates(db, rows);
  const byTier = [0, 0, 0, 0];
  for (const r of db.all('SELECT tier, COUNT(*) AS n FROM hosts GROUP BY tier')) {
    byTier[Number(r['tier'])] = Number(r['n']);
  }
  const whole = (clause: string) => count(`WHERE ${clause}`);
  return {
    hosts: rows.map((row) => toHostSummary(row, keys.get(row.id) ?? 'unknown', horizon)),
    total,
    counts: {
      all: byTier.reduce((a, b) => a + b, 0),
      byTier,
      eol: whole('eol_date < :today'),
      eolSoon: whole('eol_date >= :today AND eol_date <= :soon'),
      neverScanned: whole('last_scan_at IS NULL'),
      scanFailed: whole(`last_scan_status = 'failed'`),
    },
  };
}

/** Hosts per EOL status over the whole inventory. */
export function countHostsByEol(
  db: ReadDb,
  now: Date,
): Record<'supported' | 'soon' | 'eol' | 'unknown', number> {
  const horizon = eolHorizon(now);
  const out = { supported: 0, soon: 0, eol: 0, unknown: 0 };
  for (const r of db.all(
    `SELECT ${EOL_STATUS_SQL} AS status, COUNT(*) AS n FROM hosts GROUP BY status`,
    { ':today': horizon.today, ':soon': horizon.soonUntil },
  )) {
    out[str(r['status']) as keyof typeof out] = Number(r['n']);
  }
  return out;
}

/** One host as stored, or undefined. */
export function getHostRow(db: ReadDb, hostId: string): HostRow | undefined {
  const row = db.get(`SELECT ${COLUMNS} FROM hosts WHERE id = ?`, [hostId]);
  return row ? fromRow(row) : undefined;
}

/** Several hosts as stored, in the order asked; unknown ids are left out. */
export function getHostRows(db: ReadDb, hostIds: readonly string[]): HostRow[] {
  const byId = new Map<string, HostRow>();
  for (const part of chunks(hostIds, 500)) {
    const marks = part.map(() => '?').join(',');
    for (const row of db.all(`SELECT ${COLUMNS} FROM hosts WHERE id IN (${marks})`, part)) {
      const host = fromRow(row);
      byId.set(host.id, host);
    }
  }
  return hostIds.flatMap((id) => byId.get(id) ?? []);
}

/** Every host id, by name. */
export function listHostIds(db: ReadDb): string[] {
  return db.all('SELECT id FROM hosts ORDER BY name, id').map((r) => str(r['id']));
}

/** The latest facts of a host (without packages), or null when it was never scanned. */
export function getHostFacts(db: ReadDb, hostId: string): Omit<HostFacts, 'packages'> | null {
  const row = db.get('SELECT facts FROM host_facts WHERE host_id = ?', [hostId]);
  return row ? (JSON.parse(str(row['facts'])) as Omit<HostFacts, 'packages'>) : null;
}

/** Everything about one host except its packages, or undefined when it does not exist. */
export function getHostDetail(db: ReadDb, hostId: string, now: Date): HostDetail | undefined {
  const row = getHostRow(db, hostId);
  if (!row) return undefined;
  const key = hostKeyStates(db, [row]).get(row.id) ?? 'unknown';
  return {
    ...toHostSummary(row, key, eolHorizon(now)),
    connection: {
      address: row.address,
      port: row.port,
      username: row.username,
      credentialId: row.credentialId,
      jumpHostId: row.jumpHostId,
    },
    facts: getHostFacts(db, hostId),
    cmdbId: row.cmdbId,
  };
}

/** The host at an address and port (port 22 when left out), case-insensitively. */
export function findHostByAddress(db: ReadDb, address: string, port = 22): HostRow | undefined {
  const row = db.get(`SELECT ${COLUMNS} FROM hosts WHERE address = ? AND port = ?`, [
    address.trim(),
    port,
  ]);
  return row ? fromRow(row) : undefined;
}

/** Every host at an address, whatever its port. */
export function findHostsByAddress(db: ReadDb, address: string): HostRow[] {
  return db
    .all(`SELECT ${COLUMNS} FROM hosts WHERE address = ? ORDER BY port`, [address.trim()])
    .map(fromRow);
}

/** Hosts with this name, case-insensitively (names are not unique). */
export function findHostsByName(db: ReadDb, name: string): HostRow[] {
  return db
    .all(`SELECT ${COLUMNS} FROM hosts WHERE name = ? ORDER BY id`, [name.trim()])
    .map(fromRow);
}

/** The host carrying this CMDB id, or undefined. */
export function findHostByCmdbId(db: ReadDb, cmdbId: string): HostRow | undefined {
  const row = db.get(`SELECT ${COLUMNS} FROM hosts WHERE cmdb_id = ? ORDER BY id LIMIT 1`, [
    cmdbId.trim(),
  ]);
  return row ? fromRow(row) : undefined;
}

/** The identity of every host, for reconciling an import against the whole inventory. */
export type HostIdentity = {
  id: string;
  name: string;
  address: string;
  port: number;
  cmdbId: string | null;
  source: HostSource;
  osName: string | null;
  /** True once any scan of the host succeeded. */
  reached: boolean;
};

/** The identities of all hosts, in one query. */
export function listHostIdentities(db: ReadDb): HostIdentity[] {
  return db
    .all(
      `SELECT h.id, h.name, h.address, h.port, h.cmdb_id, h.source, h.os_name,
         EXISTS (SELECT 1 FROM host_facts f WHERE f.host_id = h.id) AS reached
       FROM hosts h ORDER BY h.name, h.id`,
    )
    .map((r) => ({
      id: str(r['id']),
      name: str(r['name']),
      address: str(r['address']),
      port: Number(r['port']),
      cmdbId: strOrNull(r['cmdb_id']),
      source: str(r['source']) as HostSource,
      osName: strOrNull(r['os_name']),
      reached: Number(r['reached']) === 1,
    }));
}

/** Host attributes of which any may be left out (or undefined). */
export type OptionalHostAttributes = {
  [K in keyof HostAttributes]?: HostAttributes[K] | undefined;
};

/** A host to store. Attributes left out take {@link DEFAULT_HOST_ATTRIBUTES}. */
export type NewHost = OptionalHostAttributes & {
  id: string;
  name: string;
  address: string;
  port?: number | undefined;
  username: string;
  credentialId?: string | null | undefined;
  jumpHostId?: string | null | undefined;
  source: HostSource;
  cmdbId?: string | null | undefined;
  /** The operating system a source declares (CMDB, Nmap) until a scan finds the real one. */
  osName?: string | null | undefined;
  /** When the record is created (ISO). */
  at: string;
};

/** Stores one new host. The caller checks that its address and port are free. */
export function insertHost(tx: WriteTx, host: NewHost): void {
  const a: HostAttributes = {
    ...DEFAULT_HOST_ATTRIBUTES,
    ...(definedOnly(host) as Partial<HostAttributes>),
  };
  const osName = host.osName?.trim() || null;
  const eol = osName === null ? null : matchEolByName(osName);
  tx.run(
    `INSERT INTO hosts (id, name, address, port, username, credential_id, jump_host_id, tier,
       environment, owner, business_service, data_sensitivity, regulatory_tags, ha_group,
       network_zone, exposure, tags, notes, source, cmdb_id, os_name, eol_product, eol_date,
       created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      host.id,
      host.name.trim(),
      host.address.trim(),
      host.port ?? 22,
      host.username,
      host.credentialId ?? null,
      host.jumpHostId ?? null,
      a.tier,
      a.environment,
      a.owner,
      a.businessService,
      a.dataSensitivity,
      JSON.stringify(dedupe(a.regulatoryTags)),
      a.haGroup,
      a.networkZone,
      a.exposure,
      JSON.stringify(dedupe(a.tags)),
      a.notes,
      host.source,
      host.cmdbId?.trim() || null,
      osName,
      eol?.product ?? null,
      eol?.eolDate ?? null,
      host.at,
      host.at,
    ],
  );
}

/**
 * Stores many new hosts inside the caller's transaction (one journal entry for all of them).
 * The caller checks addresses first; a taken address fails the whole transaction.
 */
export function insertHosts(tx: WriteTx, hosts: readonly NewHost[]): void {
  for (const host of hosts) insertHost(tx, host);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function dedupe(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  return labels.filter((label) => {
    const key = label.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A change to a host's attributes, and what a source may declare about it. */
export type HostAttributeChange = OptionalHostAttributes & {
  cmdbId?: string | null | undefined;
  source?: HostSource | undefined;
  /**
   * The operating system a source declares. Ignored once a scan has found the real one, which
   * always wins.
   */
  osName?: string | null | undefined;
};

/** Changes attributes of one host; fields left out keep their values. */
export function updateHostAttributes(
  tx: WriteTx,
  hostId: string,
  change: HostAttributeChange,
  at: string,
): void {
  const sets: string[] = [];
  const params: SqlValue[] = [];
  const set = (column: string, value: SqlValue) => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (change.name !== undefined) set('name', change.name.trim());
  if (change.tier !== undefined) set('tier', change.tier);
  if (change.environment !== undefined) set('environment', change.environment);
  if (change.owner !== undefined) set('owner', change.owner);
  if (change.businessService !== undefined) set('business_service', change.businessService);
  if (change.dataSensitivity !== undefined) set('data_sensitivity', change.dataSensitivity);
  if (change.regulatoryTags !== undefined) {
    set('regulatory_tags', JSON.stringify(dedupe(change.regulatoryTags)));
  }
  if (change.haGroup !== undefined) set('ha_group', change.haGroup);
  if (change.networkZone !== undefined) set('network_zone', change.networkZone);
  if (change.exposure !== undefined) set('exposure', change.exposure);
  if (change.tags !== undefined) set('tags', JSON.stringify(dedupe(change.tags)));
  if (change.notes !== undefined) set('notes', change.notes);
  if (change.cmdbId !== undefined) set('cmdb_id', change.cmdbId?.trim() || null);
  if (change.source !== undefined) set('source', change.source);
  if (sets.length > 0) {
    set('updated_at', at);
    tx.run(`UPDATE hosts SET ${sets.join(', ')} WHERE id = ?`, [...params, hostId]);
  }
  if (change.osName !== undefined) {
    const osName = change.osName?.trim() || null;
    const eol = osName === null ? null : matchEolByName(osName);
    // A scanned host's OS comes from its facts; a declared name never overrides them.
    tx.run(
      `UPDATE hosts SET os_name = ?, eol_product = ?, eol_date = ?, updated_at = ?
       WHERE id = ? AND NOT EXISTS (SELECT 1 FROM host_facts WHERE host_id = ?)`,
      [osName, eol?.product ?? null, eol?.eolDate ?? null, at, hostId, hostId],
    );
  }
}

/** A change to how a host is reached; fields left out keep their values. */
export type HostConnectionChange = {
  address?: string | undefined;
  port?: number | undefined;
  username?: string | undefined;
  credentialId?: string | null | undefined;
  jumpHostId?: string | null | undefined;
};

/** Changes how one host is reached. The caller checks the new address and port are free. */
export function updateHostConnection(
  tx: WriteTx,
  hostId: string,
  change: HostConnectionChange,
  at: string,
): void {
  const sets: string[] = [];
  const params: SqlValue[] = [];
  if (change.address !== undefined) {
    sets.push('address = ?');
    params.push(change.address.trim());
  }
  if (change.port !== undefined) {
    sets.push('port = ?');
    params.push(change.port);
  }
  if (change.username !== undefined) {
    sets.push('username = ?');
    params.push(change.username);
  }
  if (change.credentialId !== undefined) {
    sets.push('credential_id = ?');
    params.push(change.credentialId);
  }
  if (change.jumpHostId !== undefined) {
    sets.push('jump_host_id = ?');
    params.push(change.jumpHostId);
  }
  if (sets.length === 0) return;
  tx.run(`UPDATE hosts SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`, [
    ...params,
    at,
    hostId,
  ]);
  if (change.address !== undefined || change.port !== undefined) {
    // A sighting belongs to the address it was seen at.
    tx.run('DELETE FROM host_key_sightings WHERE host_id = ?', [hostId]);
  }
}

/**
 * Deletes hosts with their facts, packages, scans and sightings; returns how many hosts were
 * deleted. Hosts that used a deleted host as their jump host connect directly afterwards, so
 * callers refuse such deletions first (see {@link findJumpDependents}).
 */
export function deleteHosts(tx: WriteTx, hostIds: readonly string[]): number {
  let deleted = 0;
  for (const part of chunks([...new Set(hostIds)], 500)) {
    const marks = part.map(() => '?').join(',');
    deleted += Number(
      tx.get(`SELECT COUNT(*) AS n FROM hosts WHERE id IN (${marks})`, part)?.['n'] ?? 0,
    );
    tx.run(
      `DELETE FROM scan_package_changes WHERE scan_id IN
         (SELECT id FROM scans WHERE host_id IN (${marks}))`,
      part,
    );
    tx.run(`DELETE FROM scans WHERE host_id IN (${marks}) AND state IN ('done', 'failed')`, part);
    tx.run(`DELETE FROM host_packages WHERE host_id IN (${marks})`, part);
    tx.run(`DELETE FROM host_facts WHERE host_id IN (${marks})`, part);
    tx.run(`DELETE FROM host_key_sightings WHERE host_id IN (${marks})`, part);
    tx.run(`DELETE FROM hosts WHERE id IN (${marks})`, part);
  }
  return deleted;
}

/** Hosts (outside `excluding`) that reach the network through one of `hostIds`. */
export function findJumpDependents(
  db: ReadDb,
  hostIds: readonly string[],
  excluding: ReadonlySet<string> = new Set(),
): HostRow[] {
  const out: HostRow[] = [];
  for (const part of chunks(hostIds, 500)) {
    const marks = part.map(() => '?').join(',');
    for (const row of db.all(
      `SELECT ${COLUMNS} FROM hosts WHERE jump_host_id IN (${marks})`,
      part,
    )) {
      const host = fromRow(row);
      if (!excluding.has(host.id)) out.push(host);
    }
  }
  return out;
}

/** One page of a host's installed packages, filtered by a name fragment. */
export function searchHostPackages(
  db: ReadDb,
  query: { hostId: string; search: string; offset: number; limit: number },
): { packages: InstalledPackage[]; total: number } {
  const text = query.search.trim();
  const where = text ? `host_id = ? AND name LIKE ? ESCAPE '\\'` : 'host_id = ?';
  const params: SqlValue[] = text ? [query.hostId, likePattern(text)] : [query.hostId];
  const packages = db
    .all(
      `SELECT name, version, arch, kind, publisher FROM host_packages WHERE ${where}
       ORDER BY name, arch, version LIMIT ? OFFSET ?`,
      [...params, query.limit, query.offset],
    )
    .map(toPackage);
  const total = Number(
    db.get(`SELECT COUNT(*) AS n FROM host_packages WHERE ${where}`, params)?.['n'] ?? 0,
  );
  return { packages, total };
}

function toPackage(r: Row): InstalledPackage {
  const pkg: InstalledPackage = {
    name: str(r['name']),
    version: str(r['version']),
    arch: str(r['arch']),
    kind: str(r['kind']) as PackageKind,
  };
  if (r['publisher'] !== null && r['publisher'] !== undefined) pkg.publisher = str(r['publisher']);
  return pkg;
}

/** Every package of one host as of its latest successful scan. */
export function listHostPackages(db: ReadDb, hostId: string): InstalledPackage[] {
  return db
    .all(
      'SELECT name, version, arch, kind, publisher FROM host_packages WHERE host_id = ? ORDER BY name, arch, version',
      [hostId],
    )
    .map(toPackage);
}

/** What the patch catalog needs of a scanned host to decide which patches apply. */
export type ApplicabilityHost = {
  hostId: string;
  name: string;
  tier: Tier;
  osFamily: OsFamily;
  osId: string;
  osVersion: string;
  osCodename: string | null;
  /** The kernel's architecture (`x86_64`). */
  arch: string;
  /** The package manager's architecture (`amd64`, `x86_64`), null where packages carry none. */
  packageArch: string | null;
  /** The packages installed as of the host's latest successful scan. */
  packages: InstalledPackage[];
};

/**
 * The scanned hosts with their OS facts and installed packages, for applicability.
 *
 * `hostIds` narrows to some hosts; `packageNames` includes only packages of those names (what a
 * catalog of patches asks about), which keeps the result small on large inventories. Hosts never
 * scanned successfully are left out: nothing is known about what they run.
 */
export function listHostsForApplicability(
  db: ReadDb,
  options: { hostIds?: readonly string[]; packageNames?: readonly string[] } = {},
): ApplicabilityHost[] {
  const hosts = new Map<string, ApplicabilityHost>();
  const addHost = (r: Row) => {
    const facts = JSON.parse(str(r['facts'])) as Omit<HostFacts, 'packages'>;
    hosts.set(str(r['id']), {
      hostId: str(r['id']),
      name: str(r['name']),
      tier: Number(r['tier']) as Tier,
      osFamily: facts.osFamily,
      osId: facts.osId,
      osVersion: facts.osVersion,
      osCodename: facts.osCodename,
      arch: facts.arch,
      packageArch: facts.packageArch ?? null,
      packages: [],
    });
  };
  const hostSql = `SELECT h.id, h.name, h.tier, f.facts FROM hosts h
    JOIN host_facts f ON f.host_id = h.id`;
  if (options.hostIds) {
    for (const part of chunks(options.hostIds, 500)) {
      const marks = part.map(() => '?').join(',');
      for (const r of db.all(`${hostSql} WHERE h.id IN (${marks}) ORDER BY h.name`, part)) {
        addHost(r);
      }
    }
  } else {
    for (const r of db.all(`${hostSql} ORDER BY h.name, h.id`)) addHost(r);
  }
  const push = (r: Row) => hosts.get(str(r['host_id']))?.packages.push(toPackage(r));
  const cols = 'host_id, name, version, arch, kind, publisher';
  if (options.packageNames) {
    for (const part of chunks([...new Set(options.packageNames)], 500)) {
      const marks = part.map(() => '?').join(',');
      for (const r of db.all(
        `SELECT ${cols} FROM host_packages WHERE name IN (${marks}) ORDER BY host_id, name`,
        part,
      )) {
        push(r);
      }
    }
  } else if (options.hostIds) {
    for (const id of hosts.keys()) {
      for (const r of db.all(`SELECT ${cols} FROM host_packages WHERE host_id = ?`, [id])) push(r);
    }
  } else {
    for (const r of db.all(`SELECT ${cols} FROM host_packages ORDER BY host_id, name`)) push(r);
  }
  return [...hosts.values()];
}
