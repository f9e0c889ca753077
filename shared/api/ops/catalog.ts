import { z } from 'zod';

import {
  AdvisoryRefSchema,
  CvssSchema,
  OS_FAMILIES,
  PACKAGE_KINDS,
  SEVERITIES,
  StepSchema,
} from '../../domain/bundle-manifest';
import { op } from '../op';

/** Whether a patch is needed on a host (see core/policy/applicability). */
export const APPLICABILITY_STATUSES = [
  'missing',
  'installed',
  'not-applicable',
  'superseded',
] as const;

/** One applicability status. */
export const ApplicabilityStatusSchema = z.enum(APPLICABILITY_STATUSES);

/** How one package of a patch compares with what a host has. */
export const PackageFindingSchema = z.object({
  name: z.string(),
  arch: z.string(),
  kind: z.enum(PACKAGE_KINDS),
  /** The version the patch installs (for a Windows update, its KB). */
  required: z.string(),
  /** The newest matching version on the host; null when the host does not have the package. */
  installed: z.string().nullable(),
  /** True at or above, false below, null when the host lacks the package. */
  satisfied: z.boolean().nullable(),
});

/** The verdict for one patch on one host. */
export const ApplicabilitySchema = z.object({
  patchId: z.string(),
  status: ApplicabilityStatusSchema,
  /** What the host's own packages say, before supersession. */
  ownStatus: z.enum(['missing', 'installed', 'not-applicable']),
  /** One sentence naming the package and versions that decided it. */
  reason: z.string(),
  decidedBy: PackageFindingSchema.nullable(),
  packages: z.array(PackageFindingSchema),
  /** For a superseded patch: the replacing patch to deploy or count instead. */
  supersededBy: z.string().nullable(),
});

/** How many scanned hosts are in each state for one patch. */
export const HostCountsSchema = z.object({
  missing: z.number().int(),
  installed: z.number().int(),
  superseded: z.number().int(),
  notApplicable: z.number().int(),
});

/** One patch of the catalog, as the catalog table shows it. */
export const CatalogEntrySchema = z.object({
  patchId: z.string(),
  title: z.string(),
  vendor: z.string(),
  severity: z.enum(SEVERITIES),
  /** The highest CVSS base score the patch cites, when any is given. */
  cvssScore: z.number().nullable(),
  cves: z.array(z.string()),
  advisories: z.array(AdvisoryRefSchema),
  os: z.object({ family: z.enum(OS_FAMILIES), releases: z.array(z.string()) }),
  releasedAt: z.string(),
  rebootRequired: z.boolean(),
  /** The newest imported bundle carrying the patch (the entry shown). */
  bundleId: z.string(),
  publisher: z.string(),
  bundleCreated: z.string(),
  /** Patch ids this one replaces. */
  supersedes: z.array(z.string()),
  /** Patches of the catalog that replace this one, directly or through a chain; nearest first. */
  supersededBy: z.array(z.string()),
  /** On CISA's Known Exploited Vulnerabilities list, as the bundle says; null when it does not say. */
  knownExploited: z.boolean().nullable(),
  hosts: HostCountsSchema,
});
/** One patch of the catalog. */
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

/** Filters of the catalog table; every one given must hold. */
export const CatalogFilterSchema = z
  .object({
    severity: z.array(z.enum(SEVERITIES)).max(SEVERITIES.length).optional(),
    cve: z.string().trim().min(1).max(64).optional(),
    vendor: z.string().trim().min(1).max(128).optional(),
    osFamily: z.enum(OS_FAMILIES).optional(),
    knownExploited: z.boolean().optional(),
    /** Only patches missing on at least one host (true) or on none (false). */
    missing: z.boolean().optional(),
    /** Words found in the id, title, vendor, CVEs or advisories. */
    text: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
/** Filters of the catalog table. */
export type CatalogFilter = z.infer<typeof CatalogFilterSchema>;

/** How old the catalog's knowledge is. */
export const CatalogFreshnessSchema = z.object({
  /** The signed `created` time of the newest imported bundle; null before any import. */
  newestBundleCreated: z.string().nullable(),
  /** Now minus that time, in seconds; null before any import. */
  ageSeconds: z.number().nullable(),
  /** Scanned hosts the counts cover. */
  scannedHosts: z.number().int(),
  /** Hosts in the inventory never scanned successfully (not counted anywhere). */
  unscannedHosts: z.number().int(),
});

/** One host's verdict on one patch, for the patch's detail screen. */
export const PatchHostSchema = ApplicabilitySchema.omit({ patchId: true }).extend({
  hostId: z.string(),
  hostName: z.string(),
  tier: z.number().int(),
});

/** One patch in full: its catalog entry, its packages and every scanned host's verdict. */
export const CatalogPatchDetailSchema = z.object({
  patch: CatalogEntrySchema.extend({
    packages: z.array(
      z.object({
        name: z.string(),
        version: z.string(),
        arch: z.string(),
        kind: z.enum(PACKAGE_KINDS),
        file: z.string(),
      }),
    ),
    cvss: z.array(CvssSchema),
    prerequisites: z.array(z.string()),
    preSteps: z.array(StepSchema),
    postSteps: z.array(StepSchema),
    /** Every imported bundle that carries the patch, newest first. */
    bundles: z.array(
      z.object({
        bundleId: z.string(),
        publisher: z.string(),
        channel: z.string(),
        sequence: z.number().int(),
        created: z.string(),
      }),
    ),
  }),
  hosts: z.array(PatchHostSchema),
  freshness: CatalogFreshnessSchema,
});

/** One patch's verdict on the host screen. */
export const HostPatchSchema = ApplicabilitySchema.extend({
  title: z.string(),
  severity: z.enum(SEVERITIES),
  knownExploited: z.boolean().nullable(),
  releasedAt: z.string(),
  rebootRequired: z.boolean(),
});

/**
 * The patch catalog: every patch of every imported bundle, with where it is missing.
 *
 * All three are queries under `workspace.read`; they read the latest scan of each host and the
 * imported bundles, and change nothing.
 */
export const catalogOperations = {
  'catalog.list': op(
    'query',
    'workspace.read',
    z
      .object({
        filter: CatalogFilterSchema.default({}),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5000).default(500),
      })
      .strict(),
    z.object({
      /** Highest severity first, then most hosts missing, then newest release. */
      patches: z.array(CatalogEntrySchema),
      /** Patches matching the filter (before offset and limit). */
      total: z.number().int(),
      /** Patches in the catalog, whatever the filter. */
      catalogSize: z.number().int(),
      freshness: CatalogFreshnessSchema,
    }),
  ),
  'catalog.get': op(
    'query',
    'workspace.read',
    z.object({ patchId: z.string().min(1).max(128) }).strict(),
    CatalogPatchDetailSchema,
  ),
  'catalog.hostApplicability': op(
    'query',
    'workspace.read',
    z
      .object({
        hostId: z.string().min(1).max(100),
        /** Also list patches that do not apply to the host. */
        includeNotApplicable: z.boolean().default(false),
      })
      .strict(),
    z.object({
      hostId: z.string(),
      hostName: z.string(),
      /** When the facts used were collected; null when the host was never scanned. */
      collectedAt: z.string().nullable(),
      counts: HostCountsSchema,
      patches: z.array(HostPatchSchema),
      freshness: CatalogFreshnessSchema,
    }),
  ),
} as const;
