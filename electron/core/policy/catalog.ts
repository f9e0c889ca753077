import type { z } from 'zod';

import { AppError } from '../../../shared/api/errors';
import type {
  CatalogEntry,
  CatalogFilter,
  catalogOperations,
} from '../../../shared/api/ops/catalog';
import { SEVERITIES, type CatalogPatch } from '../../../shared/domain/bundle-manifest';
import { kbNumber } from '../../../shared/domain/versions/windows-kb';
import { listBundles, listPatches } from '../bundles/bundles.repository';
import type { ReadDb } from '../db/workspace';
import {
  getHostFacts,
  getHostRow,
  listHostIds,
  listHostsForApplicability,
  type ApplicabilityHost as InventoryHost,
} from '../inventory/hosts.repository';

import {
  evaluateHost,
  hostStatuses,
  prepareCatalog,
  type Applicability,
  type HostState,
  type PreparedCatalog,
} from './applicability';

type Output<N extends keyof typeof catalogOperations> = z.output<
  (typeof catalogOperations)[N]['output']
>;
type Freshness = Output<'catalog.list'>['freshness'];
type HostCounts = CatalogEntry['hosts'];

/**
 * The patch catalog as the workspace holds it: one entry per patch id (the copy from the newest
 * bundle that carries it), every copy, and who replaces whom.
 */
export type Catalog = {
  entries: CatalogPatch[];
  byId: ReadonlyMap<string, CatalogPatch>;
  /** Every imported copy of each patch, newest bundle first. */
  copies: ReadonlyMap<string, CatalogPatch[]>;
  /** The entries ready for evaluation on many hosts. */
  prepared: PreparedCatalog;
};

/** Newest bundle first: by signed creation time, then sequence, then import time. */
function newerFirst(a: CatalogPatch, b: CatalogPatch): number {
  return (
    b.bundleCreated.localeCompare(a.bundleCreated) ||
    b.bundleSequence - a.bundleSequence ||
    b.importedAt.localeCompare(a.importedAt)
  );
}

/** Reads every imported patch and keeps, per patch id, the copy of the newest bundle. */
export function readCatalog(db: ReadDb): Catalog {
  const copies = new Map<string, CatalogPatch[]>();
  for (const patch of listPatches(db)) {
    const list = copies.get(patch.patchId);
    if (list) list.push(patch);
    else copies.set(patch.patchId, [patch]);
  }
  for (const list of copies.values()) list.sort(newerFirst);
  const entries = [...copies.values()].map((list) => list[0]!);
  return {
    entries,
    byId: new Map(entries.map((p) => [p.patchId, p])),
    copies,
    prepared: prepareCatalog(entries),
  };
}

/** The package names (and KB numbers) the catalog asks hosts about. */
function askedNames(patches: readonly CatalogPatch[]): string[] {
  const names = new Set<string>();
  for (const patch of patches) {
    for (const pkg of patch.packages) {
      names.add(pkg.name);
      const kb = kbNumber(pkg.name) ?? kbNumber(pkg.file);
      if (kb) names.add(kb);
    }
    for (const advisory of patch.advisories) {
      const kb = advisory.kind === 'KB' ? kbNumber(advisory.id) : null;
      if (kb) names.add(kb);
    }
  }
  return [...names];
}

/** A scanned host with what applicability reads of it. */
type ScannedHost = { host: InventoryHost; state: HostState };

/** Scanned hosts (all, or the ones named) with their packages of the names the patches use. */
function scannedHosts(
  db: ReadDb,
  patches: readonly CatalogPatch[],
  hostIds?: readonly string[],
): ScannedHost[] {
  const hosts = listHostsForApplicability(db, {
    packageNames: askedNames(patches),
    ...(hostIds ? { hostIds } : {}),
  });
  return hosts.map((host) => ({
    host,
    state: {
      osFamily: host.osFamily,
      osId: host.osId,
      // Only Windows releases are matched by product name ("Server 2022").
      osName: host.osFamily === 'windows' ? (getHostFacts(db, host.hostId)?.osName ?? '') : '',
      osVersion: host.osVersion,
      osCodename: host.osCodename,
      packages: host.packages,
    },
  }));
}

/** How old the catalog is, and how many hosts it can speak for. */
function freshness(db: ReadDb, now: Date, scanned: number): Freshness {
  let newest: string | null = null;
  for (const bundle of listBundles(db)) {
    if (newest === null || Date.parse(bundle.created) > Date.parse(newest)) newest = bundle.created;
  }
  const total = listHostIds(db).length;
  return {
    newestBundleCreated: newest,
    ageSeconds: newest === null ? null : Math.round((now.getTime() - Date.parse(newest)) / 1000),
    scannedHosts: scanned,
    unscannedHosts: Math.max(0, total - scanned),
  };
}

const emptyCounts = (): HostCounts => ({
  missing: 0,
  installed: 0,
  superseded: 0,
  notApplicable: 0,
});

function count(counts: HostCounts, status: Applicability['status']): void {
  if (status === 'not-applicable') counts.notApplicable++;
  else counts[status]++;
}

/** KEV membership as the bundle states it; null when the bundle does not say. */
function knownExploited(patch: CatalogPatch): boolean | null {
  if ('knownExploited' in patch && typeof patch.knownExploited === 'boolean') {
    return patch.knownExploited;
  }
  return null;
}

function entryOf(patch: CatalogPatch, catalog: Catalog, hosts: HostCounts): CatalogEntry {
  const scores = patch.cvss.map((c) => c.score).filter((s): s is number => s !== null);
  return {
    patchId: patch.patchId,
    title: patch.title,
    vendor: patch.vendor,
    severity: patch.severity,
    cvssScore: scores.length > 0 ? Math.max(...scores) : null,
    cves: patch.cves,
    advisories: patch.advisories,
    os: patch.os,
    releasedAt: patch.releasedAt,
    rebootRequired: patch.rebootRequired,
    bundleId: patch.bundleId,
    publisher: patch.publisher,
    bundleCreated: patch.bundleCreated,
    supersedes: patch.supersedes,
    supersededBy: [...(catalog.prepared.replacedBy.get(patch.patchId) ?? [])],
    knownExploited: knownExploited(patch),
    hosts,
  };
}

function matches(entry: CatalogEntry, filter: CatalogFilter): boolean {
  if (filter.severity && !filter.severity.includes(entry.severity)) return false;
  if (filter.cve) {
    const cve = filter.cve.toUpperCase();
    if (!entry.cves.some((c) => c.toUpperCase() === cve)) return false;
  }
  if (filter.vendor && entry.vendor.toLowerCase() !== filter.vendor.toLowerCase()) return false;
  if (filter.osFamily && entry.os.family !== filter.osFamily) return false;
  if (
    filter.knownExploited !== undefined &&
    (entry.knownExploited ?? false) !== filter.knownExploited
  ) {
    return false;
  }
  if (filter.missing !== undefined && entry.hosts.missing > 0 !== filter.missing) return false;
  if (filter.text) {
    const haystack = [
      entry.patchId,
      entry.title,
      entry.vendor,
      ...entry.cves,
      ...entry.advisories.map((a) => a.id),
    ]
      .join('\n')
      .toLowerCase();
    const words = filter.text.toLowerCase().split(/\s+/);
    if (!words.every((word) => haystack.includes(word))) return false;
  }
  return true;
}

const severityRank = (severity: CatalogEntry['severity']) => SEVERITIES.indexOf(severity);

function byPriority(a: CatalogEntry, b: CatalogEntry): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    b.hosts.missing - a.hosts.missing ||
    b.releasedAt.localeCompare(a.releasedAt) ||
    a.patchId.localeCompare(b.patchId)
  );
}

/** The catalog table: every patch with how many scanned hosts miss it, filtered and ordered. */
export function listCatalog(
  db: ReadDb,
  now: Date,
  query: { filter: CatalogFilter; offset: number; limit: number },
): Output<'catalog.list'> {
  const catalog = readCatalog(db);
  const counts = new Map(catalog.entries.map((p) => [p.patchId, emptyCounts()]));
  const hosts = catalog.entries.length > 0 ? scannedHosts(db, catalog.entries) : [];
  const tallies = catalog.entries.map((p) => counts.get(p.patchId)!);
  for (const { state } of hosts) {
    hostStatuses(state, catalog.prepared).forEach((status, i) => count(tallies[i]!, status));
  }
  const entries = catalog.entries
    .map((patch) => entryOf(patch, catalog, counts.get(patch.patchId)!))
    .filter((entry) => matches(entry, query.filter))
    .sort(byPriority);
  return {
    patches: entries.slice(query.offset, query.offset + query.limit),
    total: entries.length,
    catalogSize: catalog.entries.length,
    freshness: freshness(db, now, hosts.length),
  };
}

const STATUS_ORDER: Readonly<Record<Applicability['status'], number>> = {
  missing: 0,
  superseded: 1,
  installed: 2,
  'not-applicable': 3,
};

/** One patch with every scanned host's verdict; missing hosts first. */
export function getCatalogPatch(db: ReadDb, now: Date, patchId: string): Output<'catalog.get'> {
  const catalog = readCatalog(db);
  const patch = catalog.byId.get(patchId);
  if (!patch) {
    throw new AppError('VALIDATION_FAILED', `No imported bundle carries a patch ${patchId}.`, {
      issues: [`patchId: no imported bundle carries a patch ${patchId}; reload the catalog.`],
      patchId,
    });
  }
  // The patch's verdict needs only itself and the patches that replace it.
  const related = [
    patch,
    ...(catalog.prepared.replacedBy.get(patchId) ?? []).flatMap((id) => catalog.byId.get(id) ?? []),
  ];
  const relevant = prepareCatalog(related, catalog.prepared.supersession);
  const counts = emptyCounts();
  const hosts = scannedHosts(db, related).map(({ host, state }) => {
    const verdict = evaluateHost(state, relevant)[0]!;
    count(counts, verdict.status);
    const { patchId: _patchId, ...rest } = verdict;
    return { ...rest, hostId: host.hostId, hostName: host.name, tier: host.tier };
  });
  hosts.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      a.hostName.localeCompare(b.hostName) ||
      a.hostId.localeCompare(b.hostId),
  );
  return {
    patch: {
      ...entryOf(patch, catalog, counts),
      packages: patch.packages.map(({ name, version, arch, kind, file }) => ({
        name,
        version,
        arch,
        kind,
        file,
      })),
      cvss: patch.cvss,
      prerequisites: patch.prerequisites,
      preSteps: patch.preSteps,
      postSteps: patch.postSteps,
      bundles: (catalog.copies.get(patchId) ?? []).map((copy) => ({
        bundleId: copy.bundleId,
        publisher: copy.publisher,
        channel: copy.channel,
        sequence: copy.bundleSequence,
        created: copy.bundleCreated,
      })),
    },
    hosts,
    freshness: freshness(db, now, hosts.length),
  };
}

/** Every patch that applies to one host (or every patch), with its verdict. */
export function getHostApplicability(
  db: ReadDb,
  now: Date,
  query: { hostId: string; includeNotApplicable: boolean },
): Output<'catalog.hostApplicability'> {
  const row = getHostRow(db, query.hostId);
  if (!row) {
    throw new AppError('HOST_NOT_FOUND', `There is no host ${query.hostId} in the inventory.`, {
      hostId: query.hostId,
    });
  }
  const catalog = readCatalog(db);
  const facts = getHostFacts(db, query.hostId);
  const [scanned] = scannedHosts(db, catalog.entries, [query.hostId]);
  const counts = emptyCounts();
  const patches: Output<'catalog.hostApplicability'>['patches'] = [];
  if (scanned) {
    for (const verdict of evaluateHost(scanned.state, catalog.prepared)) {
      count(counts, verdict.status);
      if (verdict.status === 'not-applicable' && !query.includeNotApplicable) continue;
      const patch = catalog.byId.get(verdict.patchId)!;
      patches.push({
        ...verdict,
        title: patch.title,
        severity: patch.severity,
        knownExploited: knownExploited(patch),
        releasedAt: patch.releasedAt,
        rebootRequired: patch.rebootRequired,
      });
    }
  }
  patches.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      severityRank(a.severity) - severityRank(b.severity) ||
      a.patchId.localeCompare(b.patchId),
  );
  const all = freshness(db, now, 0);
  return {
    hostId: row.id,
    hostName: row.name,
    collectedAt: scanned ? (facts?.collectedAt ?? null) : null,
    counts,
    patches,
    freshness: { ...all, scannedHosts: scanned ? 1 : 0, unscannedHosts: scanned ? 0 : 1 },
  };
}
