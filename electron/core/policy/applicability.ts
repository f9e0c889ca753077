import type {
  OsFamily as PatchOsFamily,
  PackageKind as PatchPackageKind,
} from '../../../shared/domain/bundle-manifest';
import type { HostFacts, InstalledPackage } from '../../../shared/domain/host-facts';
import { compareDottedVersions } from '../../../shared/domain/versions/dotted';
import { compareDebianVersions } from '../../../shared/domain/versions/dpkg';
import { compareRpmEvr } from '../../../shared/domain/versions/rpm';
import { kbNumber, kbSet } from '../../../shared/domain/versions/windows-kb';

/**
 * Whether a patch is needed on a host, from the host's last facts and the patch catalog alone.
 *
 * - `not-applicable`: the host runs another OS or release, or has none of the patch's packages;
 * - `installed`: every package of the patch that the host has is at or above the patch's version
 *   (for Windows updates: the KB is among the host's hotfixes);
 * - `missing`: some package the host has is older than the patch's;
 * - `superseded`: the host's own packages say missing or installed, but a patch in the catalog
 *   that replaces it (directly or through a chain of replacements) is itself installed or missing
 *   on this host, so that one is the patch to deploy or to count.
 */
export type ApplicabilityStatus = 'missing' | 'installed' | 'not-applicable' | 'superseded';

/** What the host's own packages say, before supersession is considered. */
export type OwnStatus = Exclude<ApplicabilityStatus, 'superseded'>;

/** The parts of a patch applicability needs (a catalog row has them all). */
export type ApplicabilityPatch = {
  patchId: string;
  os: { family: PatchOsFamily; releases: readonly string[] };
  packages: readonly {
    name: string;
    version: string;
    arch: string;
    kind: PatchPackageKind;
    file?: string;
  }[];
  supersedes: readonly string[];
  advisories?: readonly { id: string; kind: string }[];
};

/** The parts of a host's facts applicability needs. */
export type HostState = Pick<
  HostFacts,
  'osFamily' | 'osId' | 'osName' | 'osVersion' | 'osCodename' | 'packages'
>;

/** How one package of a patch compares with what the host has. */
export type PackageFinding = {
  name: string;
  arch: string;
  kind: PatchPackageKind;
  /** The version the patch installs (for a Windows update, its KB). */
  required: string;
  /** The newest matching version on the host; null when the host does not have the package. */
  installed: string | null;
  /** True at or above the patch's version, false below, null when the host lacks it. */
  satisfied: boolean | null;
};

/** The verdict for one patch on one host, with what decided it. */
export type Applicability = {
  patchId: string;
  status: ApplicabilityStatus;
  ownStatus: OwnStatus;
  /** One sentence naming what decided the status. */
  reason: string;
  /** The package that decided the status (the first one below, or the first one present). */
  decidedBy: PackageFinding | null;
  /** Every package of the patch and how it compares. */
  packages: PackageFinding[];
  /** For `superseded`: the replacing patch to look at instead. */
  supersededBy: string | null;
};

/** Architectures a package of any architecture fits. */
const ANY_ARCH = new Set(['all', 'noarch', 'any', '']);

/** Host package kinds that can answer for each patch package kind. */
const HOST_KINDS: Readonly<Record<PatchPackageKind, readonly InstalledPackage['kind'][]>> = {
  deb: ['deb'],
  rpm: ['rpm'],
  msu: ['msu'],
  cab: ['msu'],
  msi: ['msi', 'program'],
  pkg: ['pkg'],
};

/** Host package kinds whose names compare case-insensitively (Windows and macOS). */
const CASE_INSENSITIVE: ReadonlySet<string> = new Set(['msi', 'program', 'pkg', 'msu']);

/** Compares two versions of one package kind: -1, 0 or 1; throws on a version it cannot read. */
export type VersionComparer = (kind: PatchPackageKind, a: string, b: string) => -1 | 0 | 1;

/** Compares two versions by the rules of the package kind; throws on a version it cannot read. */
export function compareVersionsByKind(kind: PatchPackageKind, a: string, b: string): -1 | 0 | 1 {
  switch (kind) {
    case 'deb':
      return compareDebianVersions(a, b);
    case 'rpm':
      return compareRpmEvr(a, b);
    case 'msi':
    case 'pkg':
    case 'msu':
    case 'cab':
      return compareDottedVersions(a, b);
  }
}

/**
 * A comparer that remembers its answers. Hosts of one fleet mostly run the same versions, so
 * evaluating a catalog on many hosts asks the same questions again and again.
 */
export function memoizedComparer(maxEntries = 500_000): VersionComparer {
  const cache = new Map<string, -1 | 0 | 1 | Error>();
  return (kind, a, b) => {
    const key = `${kind}\u0000${a}\u0000${b}`;
    let answer = cache.get(key);
    if (answer === undefined) {
      try {
        answer = compareVersionsByKind(kind, a, b);
      } catch (error) {
        answer = error instanceof Error ? error : new Error(String(error));
      }
      if (cache.size >= maxEntries) cache.clear();
      cache.set(key, answer);
    }
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

/** True when the host runs the OS family and one of the releases the patch is for. */
export function osMatches(patch: Pick<ApplicabilityPatch, 'os'>, host: HostState): boolean {
  if (!familyFits(patch.os.family, host)) return false;
  if (patch.os.releases.length === 0) return true;
  return patch.os.releases.some((release) => releaseMatches(release, host));
}

function familyFits(family: PatchOsFamily, host: HostState): boolean {
  switch (family) {
    case 'debian':
      return host.osFamily === 'debian' && host.osId.toLowerCase() === 'debian';
    case 'ubuntu':
      return host.osFamily === 'debian' && host.osId.toLowerCase() === 'ubuntu';
    case 'rhel':
      return host.osFamily === 'rhel';
    case 'windows':
      return host.osFamily === 'windows';
    case 'macos':
      return host.osFamily === 'macos';
  }
}

/**
 * A release matches the host's version exactly or as its major part ("9" fits 9.3), its
 * codename ("bookworm"), or for Windows a phrase in the product name ("Server 2022").
 */
function releaseMatches(release: string, host: HostState): boolean {
  const wanted = release.trim().toLowerCase();
  const version = host.osVersion.trim().toLowerCase();
  if (wanted === '') return false;
  if (version === wanted || version.startsWith(`${wanted}.`)) return true;
  if (host.osCodename !== null && host.osCodename.toLowerCase() === wanted) return true;
  if (host.osFamily === 'windows') {
    const escaped = wanted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
    return new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`).test(host.osName.toLowerCase());
  }
  return false;
}

/** The host's packages indexed by kind and name, built once per host. */
export type HostPackageIndex = {
  byName: Map<string, InstalledPackage[]>;
  kbs: Set<string>;
};

/** Indexes a host's packages for repeated lookups. */
export function indexHostPackages(packages: readonly InstalledPackage[]): HostPackageIndex {
  const byName = new Map<string, InstalledPackage[]>();
  for (const pkg of packages) {
    const key = packageKey(pkg.kind, pkg.name);
    const list = byName.get(key);
    if (list) list.push(pkg);
    else byName.set(key, [pkg]);
  }
  return {
    byName,
    kbs: kbSet(packages.filter((p) => p.kind === 'msu').map((p) => p.name)),
  };
}

function packageKey(kind: string, name: string): string {
  return `${kind}\u0000${CASE_INSENSITIVE.has(kind) ? name.toLowerCase() : name}`;
}

function archFits(patchArch: string, hostArch: string): boolean {
  return patchArch === hostArch || ANY_ARCH.has(patchArch) || ANY_ARCH.has(hostArch);
}

/** One host, ready for many patches: its package index, and OS verdicts already reached. */
type HostContext = {
  host: HostState;
  index: HostPackageIndex;
  compare: VersionComparer;
  os: Map<string, boolean>;
};

function hostContext(host: HostState, compare: VersionComparer): HostContext {
  return { host, index: indexHostPackages(host.packages), compare, os: new Map() };
}

function osFits(patch: ApplicabilityPatch, ctx: HostContext): boolean {
  const key = `${patch.os.family}\u0000${patch.os.releases.join('\u0000')}`;
  let fits = ctx.os.get(key);
  if (fits === undefined) {
    fits = osMatches(patch, ctx.host);
    ctx.os.set(key, fits);
  }
  return fits;
}

type PatchPackage = ApplicabilityPatch['packages'][number];

const isWindowsUpdate = (p: PatchPackage) => p.kind === 'msu' || p.kind === 'cab';

/**
 * The newest version the host has of one package of a patch, and whether it is at or above the
 * patch's version (null when the host lacks the package).
 */
function newestMatching(
  wanted: PatchPackage,
  ctx: HostContext,
): { installed: string | null; satisfied: boolean | null } {
  let newest: string | null = null;
  let unreadable = false;
  for (const kind of HOST_KINDS[wanted.kind]) {
    for (const candidate of ctx.index.byName.get(packageKey(kind, wanted.name)) ?? []) {
      if (!archFits(wanted.arch, candidate.arch)) continue;
      // Several versions can be installed at once (kernels on RPM hosts); the newest counts.
      if (newest === null) newest = candidate.version;
      else {
        try {
          if (ctx.compare(wanted.kind, candidate.version, newest) > 0) newest = candidate.version;
        } catch {
          unreadable = true;
        }
      }
    }
  }
  if (newest === null) return { installed: null, satisfied: null };
  if (unreadable) return { installed: newest, satisfied: false };
  try {
    return { installed: newest, satisfied: ctx.compare(wanted.kind, newest, wanted.version) >= 0 };
  } catch {
    // A version the package manager itself would refuse cannot prove the patch is there.
    return { installed: newest, satisfied: false };
  }
}

/** The KB a Windows update stands for: from its name, its file, or the patch's KB advisory. */
function kbOf(update: PatchPackage, patch: ApplicabilityPatch): string | null {
  return (
    kbNumber(update.name) ??
    kbNumber(update.file ?? '') ??
    (patch.advisories ?? [])
      .filter((a) => a.kind === 'KB')
      .map((a) => kbNumber(a.id))
      .find((k) => k !== null) ??
    null
  );
}

/** What the host's own packages say, without explanations: the fast path for counting. */
function ownStatusOf(patch: ApplicabilityPatch, ctx: HostContext): OwnStatus {
  if (!osFits(patch, ctx)) return 'not-applicable';
  let present = false;
  if (patch.packages.some(isWindowsUpdate)) {
    for (const update of patch.packages) {
      if (!isWindowsUpdate(update)) continue;
      const kb = kbOf(update, patch);
      if (kb === null) continue;
      if (!ctx.index.kbs.has(kb)) return 'missing';
      present = true;
    }
    return present ? 'installed' : 'not-applicable';
  }
  for (const wanted of patch.packages) {
    const { satisfied } = newestMatching(wanted, ctx);
    if (satisfied === false) return 'missing';
    if (satisfied === true) present = true;
  }
  return present ? 'installed' : 'not-applicable';
}

/** Where a version is shown with its architecture: `openssl 3.0.11-1 (amd64)`. */
function describe(finding: PackageFinding, version: string | null): string {
  const arch = finding.arch === '' ? '' : ` (${finding.arch})`;
  return `${finding.name}${version === null ? '' : ` ${version}`}${arch}`;
}

/** What the host's own packages say about one patch, with the reason; supersession aside. */
export function ownApplicability(
  patch: ApplicabilityPatch,
  host: HostState,
  compare: VersionComparer = compareVersionsByKind,
): Omit<Applicability, 'supersededBy'> {
  return explainOwn(patch, hostContext(host, compare));
}

function explainOwn(
  patch: ApplicabilityPatch,
  ctx: HostContext,
): Omit<Applicability, 'supersededBy'> {
  const { host } = ctx;
  const verdict = (
    status: OwnStatus,
    reason: string,
    decidedBy: PackageFinding | null,
    packages: PackageFinding[],
  ) => ({ patchId: patch.patchId, status, ownStatus: status, reason, decidedBy, packages });

  if (!osFits(patch, ctx)) {
    const releases = patch.os.releases.length > 0 ? ` ${patch.os.releases.join(', ')}` : '';
    const hostOs = [host.osId, host.osVersion].filter((part) => part !== '').join(' ');
    return verdict(
      'not-applicable',
      `The patch is for ${patch.os.family}${releases}; this host runs ${hostOs || host.osFamily}.`,
      null,
      [],
    );
  }

  if (patch.packages.some(isWindowsUpdate)) {
    const packages: PackageFinding[] = patch.packages.filter(isWindowsUpdate).map((update) => {
      const kb = kbOf(update, patch);
      const has = kb !== null && ctx.index.kbs.has(kb);
      return {
        name: update.name,
        arch: update.arch,
        kind: update.kind,
        required: kb ?? update.version,
        installed: has ? kb : null,
        satisfied: kb === null ? null : has,
      };
    });
    const known = packages.filter((f) => f.satisfied !== null);
    const absent = known.find((f) => f.satisfied === false);
    if (absent) {
      const reason = `${absent.required} is not among the host's installed updates.`;
      return verdict('missing', reason, absent, packages);
    }
    const first = known[0];
    if (first) {
      return verdict(
        'installed',
        `${first.required} is among the host's installed updates.`,
        first,
        packages,
      );
    }
    const reason = 'The update names no KB number, so its presence cannot be checked.';
    return verdict('not-applicable', reason, null, packages);
  }

  const packages: PackageFinding[] = patch.packages.map((wanted) => ({
    name: wanted.name,
    arch: wanted.arch,
    kind: wanted.kind,
    required: wanted.version,
    ...newestMatching(wanted, ctx),
  }));
  const below = packages.find((f) => f.satisfied === false);
  if (below) {
    const reason = `${describe(below, below.installed)} is below ${below.required}.`;
    return verdict('missing', reason, below, packages);
  }
  const present = packages.filter((f) => f.satisfied === true);
  const first = present[0];
  if (first) {
    const others =
      present.length > 1 ? ` (and ${present.length - 1} more package(s) likewise)` : '';
    const reason = `${describe(first, first.installed)} is at or above ${first.required}${others}.`;
    return verdict('installed', reason, first, packages);
  }
  const names = [...new Set(patch.packages.map((p) => p.name))].join(', ');
  const reason = `None of the patch's packages (${names}) is installed on this host.`;
  return verdict('not-applicable', reason, null, packages);
}

/** Which patches replace which: for each patch id, the ids that list it in `supersedes`. */
export type SupersessionIndex = ReadonlyMap<string, readonly string[]>;

/** Builds the reverse of every patch's `supersedes` list. */
export function supersessionIndex(patches: readonly ApplicabilityPatch[]): SupersessionIndex {
  const index = new Map<string, string[]>();
  for (const patch of patches) {
    for (const old of patch.supersedes) {
      if (old === patch.patchId) continue;
      const list = index.get(old);
      if (list) {
        if (!list.includes(patch.patchId)) list.push(patch.patchId);
      } else index.set(old, [patch.patchId]);
    }
  }
  return index;
}

/** Every patch that replaces `patchId` directly or through a chain, nearest first; cycles end. */
export function supersedersOf(patchId: string, index: SupersessionIndex): string[] {
  const seen = new Set<string>([patchId]);
  const order: string[] = [];
  const queue = [patchId];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const newer of index.get(next) ?? []) {
      if (seen.has(newer)) continue;
      seen.add(newer);
      order.push(newer);
      queue.push(newer);
    }
  }
  return order;
}

/**
 * A catalog made ready for evaluation on many hosts: the replacement chains worked out once,
 * and one remembering comparer shared by every host.
 */
export type PreparedCatalog = {
  /** One entry per patch id. */
  patches: readonly ApplicabilityPatch[];
  supersession: SupersessionIndex;
  /** For each patch id, every patch replacing it, nearest first. */
  replacedBy: ReadonlyMap<string, readonly string[]>;
  compare: VersionComparer;
};

/** Prepares a catalog (one entry per patch id) for evaluation on many hosts. */
export function prepareCatalog(
  patches: readonly ApplicabilityPatch[],
  supersession: SupersessionIndex = supersessionIndex(patches),
): PreparedCatalog {
  const replacedBy = new Map<string, string[]>();
  for (const patch of patches) {
    const chain = supersedersOf(patch.patchId, supersession);
    if (chain.length > 0) replacedBy.set(patch.patchId, chain);
  }
  return { patches, supersession, replacedBy, compare: memoizedComparer() };
}

const asPrepared = (catalog: PreparedCatalog | readonly ApplicabilityPatch[]) =>
  'replacedBy' in catalog ? catalog : prepareCatalog(catalog);

const isLive = (status: OwnStatus | undefined) => status === 'missing' || status === 'installed';

/**
 * The status of every patch on one host, in the catalog's order, without explanations: what
 * counting over a whole inventory needs. Agrees with {@link evaluateHost} on every status.
 */
export function hostStatuses(
  host: HostState,
  catalog: PreparedCatalog | readonly ApplicabilityPatch[],
): ApplicabilityStatus[] {
  const prepared = asPrepared(catalog);
  const ctx = hostContext(host, prepared.compare);
  const own = new Map<string, OwnStatus>();
  for (const patch of prepared.patches) own.set(patch.patchId, ownStatusOf(patch, ctx));
  return prepared.patches.map((patch) => {
    const mine = own.get(patch.patchId)!;
    if (!isLive(mine)) return mine;
    const chain = prepared.replacedBy.get(patch.patchId);
    return chain?.some((id) => isLive(own.get(id))) ? 'superseded' : mine;
  });
}

/**
 * Evaluates every patch of the catalog on one host, supersession included, with the reason for
 * each verdict. The result is in the catalog's order.
 */
export function evaluateHost(
  host: HostState,
  catalog: PreparedCatalog | readonly ApplicabilityPatch[],
): Applicability[] {
  const prepared = asPrepared(catalog);
  const ctx = hostContext(host, prepared.compare);
  const own = new Map(prepared.patches.map((p) => [p.patchId, explainOwn(p, ctx)]));
  const live = (id: string) => isLive(own.get(id)?.ownStatus);

  return prepared.patches.map((patch) => {
    const mine = own.get(patch.patchId)!;
    if (!isLive(mine.ownStatus)) return { ...mine, supersededBy: null };
    const replacing = (prepared.replacedBy.get(patch.patchId) ?? []).filter(live);
    if (replacing.length === 0) return { ...mine, supersededBy: null };
    // Point at the newest replacement that applies: one that nothing applicable replaces.
    const top =
      replacing.find((id) => !(prepared.replacedBy.get(id) ?? []).some(live)) ?? replacing[0]!;
    const topStatus = own.get(top)!.ownStatus;
    return {
      ...mine,
      status: 'superseded',
      reason: `Superseded by ${top}, which is ${topStatus} on this host; ${lowerFirst(mine.reason)}`,
      supersededBy: top,
    };
  });
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
