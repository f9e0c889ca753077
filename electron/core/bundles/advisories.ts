import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

import { AppError } from '../../../shared/api/errors';
import {
  PACKAGE_KINDS,
  PatchSchema,
  type AdvisoryKind,
  type OsFamily,
  type PackageKind,
  type PatchInput,
  type Severity,
} from '../../../shared/domain/bundle-manifest';

import { checkDebMatches, readDebControl } from './deb-control';
import { unsafePathReason } from './safe-path';

/** The identifier of PatchDeck's own advisory metadata format. */
export const ADVISORY_FORMAT = 'patchdeck-advisories/1';

const AdvisoryFileSchema = z
  .object({ format: z.literal(ADVISORY_FORMAT), patches: z.array(z.unknown()).min(1) })
  .strict();

/** The subset of an OSV record (ossf.github.io/osv-schema) PatchDeck reads. */
const OsvSchema = z.object({
  id: z.string().min(1).max(128),
  summary: z.string().optional(),
  details: z.string().optional(),
  published: z.string().optional(),
  modified: z.string().optional(),
  aliases: z.array(z.string()).default([]),
  upstream: z.array(z.string()).default([]),
  severity: z.array(z.object({ type: z.string(), score: z.string() })).default([]),
  affected: z
    .array(
      z.object({
        package: z.object({ ecosystem: z.string(), name: z.string() }).optional(),
        ranges: z
          .array(
            z.object({
              type: z.string(),
              events: z.array(z.record(z.string(), z.string())),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
});
type Osv = z.infer<typeof OsvSchema>;

/** Patches and the payload files they need, read from advisory metadata. */
export type AdvisoryBundle = {
  patches: PatchInput[];
  files: { path: string; source: string }[];
};

/** The part of CISA's Known Exploited Vulnerabilities catalog (JSON feed) PatchDeck reads. */
const KevFeedSchema = z.object({
  catalogVersion: z.string().min(1).max(64),
  vulnerabilities: z.array(z.object({ cveID: z.string().regex(/^CVE-\d{4}-\d{4,}$/i) }).loose()),
});

/** CISA's Known Exploited Vulnerabilities catalog: its version and the CVE ids it lists. */
export type KevCatalog = { catalogVersion: string; cves: ReadonlySet<string> };

/** Reads a CISA KEV catalog (`known_exploited_vulnerabilities.json`). */
export async function readKevCatalog(path: string): Promise<KevCatalog> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new AppError('BUNDLE_MALFORMED', `${path} is not readable JSON (${String(error)}).`);
  }
  const parsed = KevFeedSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'BUNDLE_MALFORMED',
      `${path} is not CISA's Known Exploited Vulnerabilities catalog in JSON (catalogVersion and vulnerabilities[].cveID are needed).`,
    );
  }
  return {
    catalogVersion: parsed.data.catalogVersion,
    cves: new Set(parsed.data.vulnerabilities.map((v) => v.cveID.toUpperCase())),
  };
}

/**
 * Sets `knownExploited` from the KEV catalog for every patch that lists CVEs: true when any of
 * them is on the list. A patch the metadata already marks as known exploited stays so; a patch
 * without CVEs keeps what the metadata says (or nothing).
 */
export function applyKev(patches: readonly PatchInput[], kev: KevCatalog): PatchInput[] {
  return patches.map((patch) => {
    const cves = patch.cves ?? [];
    if (cves.length === 0) return patch;
    const listed = cves.some((cve) => kev.cves.has(cve.toUpperCase()));
    return { ...patch, knownExploited: patch.knownExploited === true || listed };
  });
}

function kindOfFile(file: string): PackageKind {
  const ext = file.split('.').pop()?.toLowerCase() ?? '';
  if ((PACKAGE_KINDS as readonly string[]).includes(ext)) return ext as PackageKind;
  throw new AppError(
    'BUNDLE_MALFORMED',
    `${file} is not a package PatchDeck can deploy (.deb, .rpm, .msu, .msi, .cab or .pkg).`,
  );
}

function advisoryKind(id: string): AdvisoryKind {
  const prefix = /^(DSA|DLA|USN|RHSA|KB)\b/i.exec(id)?.[1]?.toUpperCase();
  return (prefix as AdvisoryKind | undefined) ?? 'OTHER';
}

function osvOs(ecosystem: string): { family: OsFamily; releases: string[] } {
  const [name = '', ...rest] = ecosystem.split(':');
  const release = rest.find((part) => /^[0-9][0-9.]*$/.test(part));
  const family: OsFamily | null =
    name.toLowerCase() === 'debian'
      ? 'debian'
      : name.toLowerCase() === 'ubuntu'
        ? 'ubuntu'
        : /^(red hat|rhel|rocky linux|almalinux)$/i.test(name)
          ? 'rhel'
          : null;
  if (!family) {
    throw new AppError(
      'BUNDLE_MALFORMED',
      `OSV ecosystem "${ecosystem}" is not one PatchDeck deploys to (Debian, Ubuntu, Red Hat).`,
    );
  }
  return { family, releases: release ? [release] : [] };
}

function osvSeverity(osv: Osv): Severity {
  for (const s of osv.severity) {
    const word = s.score.toLowerCase();
    if (['critical', 'high', 'medium', 'low'].includes(word)) return word as Severity;
    if (word === 'negligible') return 'low';
  }
  return 'unknown';
}

type DebInfo = { file: string; source: string; name: string; version: string; arch: string };

async function scanDebs(fromDir: string): Promise<DebInfo[]> {
  const names = (await readdir(fromDir)).filter((n) => n.endsWith('.deb')).sort();
  const out: DebInfo[] = [];
  for (const file of names) {
    const source = join(fromDir, file);
    out.push({ file, source, ...(await readDebControl(source)) });
  }
  return out;
}

/** Turns OSV records into patches, finding each fixed package among the `.deb` files. */
async function patchesFromOsv(records: Osv[], fromDir: string): Promise<PatchInput[]> {
  const debs = await scanDebs(fromDir);
  return records.map((osv) => {
    const affected = osv.affected.filter((a) => a.package);
    const first = affected[0]?.package;
    if (!first) {
      throw new AppError(
        'BUNDLE_MALFORMED',
        `OSV record ${osv.id} names no affected package, so there is nothing to deploy.`,
      );
    }
    const packages = affected.map((a) => {
      const name = a.package?.name ?? '';
      const fixed = a.ranges.flatMap((r) => r.events.map((e) => e['fixed'])).find(Boolean);
      const deb = debs.find((d) => d.name === name && (fixed === undefined || d.version === fixed));
      if (!deb) {
        throw new AppError(
          'BUNDLE_PACKAGE_MISMATCH',
          `OSV record ${osv.id} fixes ${name}${fixed ? ` in ${fixed}` : ''}, but no .deb in ${fromDir} is that package.`,
          { advisory: osv.id, name, fixed: fixed ?? null },
        );
      }
      return { name, version: deb.version, arch: deb.arch, file: deb.file, kind: 'deb' as const };
    });
    const cves = [...new Set([...osv.aliases, ...osv.upstream])].filter((id) =>
      /^CVE-\d{4}-\d{4,}$/.test(id),
    );
    const published = osv.published ?? osv.modified ?? '1970-01-01T00:00:00Z';
    return {
      id: osv.id,
      title: osv.summary ?? osv.id,
      vendor: first.ecosystem.split(':')[0] ?? first.ecosystem,
      advisories: [{ id: osv.id, kind: advisoryKind(osv.id) }],
      cves,
      severity: osvSeverity(osv),
      releasedAt: new Date(published).toISOString(),
      os: osvOs(first.ecosystem),
      packages,
    };
  });
}

function isOsv(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    'id' in value &&
    ('affected' in value || 'aliases' in value || 'upstream' in value)
  );
}

/**
 * Reads advisory metadata files (PatchDeck's own format or OSV records) and resolves every
 * package file in `fromDir`, refusing a `.deb` whose control data disagrees (UPD-19).
 */
export async function readAdvisories(
  paths: readonly string[],
  fromDir: string,
): Promise<AdvisoryBundle> {
  const patches: PatchInput[] = [];
  const osv: Osv[] = [];
  for (const path of paths) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8')) as unknown;
    } catch (error) {
      throw new AppError('BUNDLE_MALFORMED', `${path} is not readable JSON (${String(error)}).`);
    }
    const items = Array.isArray(json) ? json : [json];
    if (items.length > 0 && items.every(isOsv)) {
      for (const item of items) {
        const parsed = OsvSchema.safeParse(item);
        if (!parsed.success) {
          throw new AppError(
            'BUNDLE_MALFORMED',
            `${path} holds an OSV record PatchDeck cannot read.`,
          );
        }
        osv.push(parsed.data);
      }
      continue;
    }
    const file = AdvisoryFileSchema.safeParse(json);
    if (!file.success) {
      throw new AppError(
        'BUNDLE_MALFORMED',
        `${path} is neither "${ADVISORY_FORMAT}" metadata nor OSV records (see docs/bundle-format.md).`,
      );
    }
    for (const raw of file.data.patches) {
      const withKinds =
        typeof raw === 'object' && raw !== null && 'packages' in raw && Array.isArray(raw.packages)
          ? {
              ...raw,
              packages: raw.packages.map((p: unknown) =>
                typeof p === 'object' && p !== null && 'file' in p && !('kind' in p)
                  ? { ...p, kind: kindOfFile(String(p.file)) }
                  : p,
              ),
            }
          : raw;
      const parsed = PatchSchema.safeParse(withKinds);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AppError(
          'BUNDLE_MALFORMED',
          `${path}: a patch is not valid (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}).`,
        );
      }
      patches.push(withKinds as PatchInput);
    }
  }
  patches.push(...(await patchesFromOsv(osv, fromDir)));

  const files = new Map<string, string>();
  for (const patch of patches) {
    for (const pkg of patch.packages) {
      const reason = unsafePathReason(pkg.file);
      if (reason) {
        throw new AppError(
          'BUNDLE_UNSAFE_PATH',
          `Package file "${pkg.file}" is not a safe path (${reason}).`,
        );
      }
      const source = join(fromDir, ...pkg.file.split('/'));
      if (pkg.kind === 'deb') {
        await checkDebMatches(source, { name: pkg.name, version: pkg.version, arch: pkg.arch });
      }
      files.set(pkg.file, source);
    }
  }
  return { patches, files: [...files].map(([path, source]) => ({ path, source })) };
}
