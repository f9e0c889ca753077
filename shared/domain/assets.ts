import { z } from 'zod';

import { HostFactsSchema, InstalledPackageSchema, OS_FAMILIES } from './host-facts';
import { IsoTime } from './schemas';

/**
 * Criticality tiers: how much a failed or badly timed patch on this host would hurt.
 *
 * Tier 0 is the most critical; rollouts reach it last and with the most care.
 */
export const TIERS = [0, 1, 2, 3] as const;

/** One criticality tier. */
export type Tier = (typeof TIERS)[number];

/** What each tier means, shown next to every tier badge. */
export const TIER_MEANINGS: Readonly<Record<Tier, { label: string; meaning: string }>> = {
  0: {
    label: 'Tier 0 — mission critical',
    meaning:
      'Its failure stops the plant or a safety function. Patch last, in a window, with a rollback plan.',
  },
  1: {
    label: 'Tier 1 — business critical',
    meaning: 'Its failure stops a business service. Patch after the canaries, in a window.',
  },
  2: {
    label: 'Tier 2 — important',
    meaning: 'Its failure degrades a service or slows people down. Patch in the main wave.',
  },
  3: {
    label: 'Tier 3 — low impact',
    meaning: 'Lab, test or spare systems. Good canaries: patch first.',
  },
};

/** Where a host sits in the release path. */
export const ENVIRONMENTS = ['production', 'staging', 'test', 'development'] as const;

/** How sensitive the data on a host is. */
export const DATA_SENSITIVITIES = ['public', 'internal', 'confidential', 'restricted'] as const;

/** How reachable a host is from outside its zone. */
export const EXPOSURES = ['internet-facing', 'dmz', 'internal', 'isolated'] as const;

/** Regulatory regimes offered by default; operators may add their own tags. */
export const REGULATORY_TAGS = [
  'HIPAA',
  'PCI-DSS',
  'SOX',
  'NERC-CIP',
  'IEC-62443',
  'GDPR',
] as const;

/** Where a host record came from. */
export const HOST_SOURCES = ['manual', 'cmdb', 'nmap', 'known_hosts', 'ssh_config'] as const;

/** A short free-text label: tags, zones, groups. */
const Label = z.string().trim().min(1).max(64);

/**
 * The address an operator gives for a host: an IPv4/IPv6 literal or an RFC 1123 host name.
 *
 * A leading dash is refused so the value can never be read as an option by any tool.
 */
export const HostAddress = z
  .string()
  .trim()
  .min(1, 'Enter an address or host name.')
  .max(253)
  .refine(
    (value) =>
      /^(?:\d{1,3}\.){3}\d{1,3}$/.test(value) ||
      /^[0-9A-Fa-f:]+$/.test(value) ||
      /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/.test(value),
    'Use an IP address or a host name made of letters, digits, dots and dashes.',
  );

/** A Unix login name on a host. */
export const RemoteUser = z
  .string()
  .trim()
  .min(1, 'Enter the login name on the host.')
  .max(32)
  .regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'Use letters, digits, dot, dash or underscore.');

/** The attributes an operator maintains for a host (everything but how to reach it). */
export const HostAttributesSchema = z.object({
  name: z.string().trim().min(1).max(120),
  tier: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  environment: z.enum(ENVIRONMENTS),
  owner: z.string().trim().max(120),
  businessService: z.string().trim().max(120),
  dataSensitivity: z.enum(DATA_SENSITIVITIES),
  regulatoryTags: z.array(Label).max(20),
  haGroup: z.string().trim().max(64),
  networkZone: z.string().trim().max(64),
  exposure: z.enum(EXPOSURES),
  tags: z.array(Label).max(50),
  notes: z.string().max(10_000),
});
/** The attributes an operator maintains for a host. */
export type HostAttributes = z.infer<typeof HostAttributesSchema>;

/** How PatchDeck reaches a host. */
export const HostConnectionSchema = z.object({
  address: HostAddress,
  port: z.number().int().min(1).max(65_535),
  username: RemoteUser,
  /** The stored credential used to log in, or null to use the SSH agent. */
  credentialId: z.string().nullable(),
  /** A host in the inventory to jump through (ProxyJump), or null for a direct connection. */
  jumpHostId: z.string().nullable(),
});
/** How PatchDeck reaches a host. */
export type HostConnection = z.infer<typeof HostConnectionSchema>;

/** End-of-life status of a host's operating system, from the shipped dataset. */
export const EolStatusSchema = z.object({
  status: z.enum(['supported', 'soon', 'eol', 'unknown']),
  /** The product and cycle matched, e.g. "Debian 11". */
  product: z.string().nullable(),
  /** The date security support ends (or ended), YYYY-MM-DD. */
  eolDate: z.string().nullable(),
});
/** End-of-life status of a host's operating system. */
export type EolStatus = z.infer<typeof EolStatusSchema>;

/** Why the last scan of a host failed, in terms an operator can act on. */
export const SCAN_FAILURE_KINDS = [
  'unreachable',
  'connection-refused',
  'auth-refused',
  'host-key-unknown',
  'host-key-changed',
  'host-key-revoked',
  'sudo-refused',
  'sudo-password-required',
  'timeout',
  'credentials-locked',
  'command-failed',
  'unsupported-os',
  'internal',
] as const;

/** One kind of scan failure. */
export type ScanFailureKind = (typeof SCAN_FAILURE_KINDS)[number];

/** The outcome of scanning one host. */
export const ScanOutcomeSchema = z.object({
  status: z.enum(['ok', 'failed']),
  failureKind: z.enum(SCAN_FAILURE_KINDS).nullable(),
  /** What happened, for a person. */
  message: z.string().nullable(),
  /** What to do next. */
  action: z.string().nullable(),
});

/** A host as the inventory table shows it: one row, no package list. */
export const HostSummarySchema = HostAttributesSchema.extend({
  id: z.string(),
  address: z.string(),
  port: z.number().int(),
  username: z.string(),
  source: z.enum(HOST_SOURCES),
  osFamily: z.enum(OS_FAMILIES).nullable(),
  osName: z.string().nullable(),
  osVersion: z.string().nullable(),
  kernel: z.string().nullable(),
  arch: z.string().nullable(),
  packageCount: z.number().int().nullable(),
  rebootRequired: z.boolean().nullable(),
  eol: EolStatusSchema,
  hostKey: z.enum(['pinned', 'unknown', 'changed', 'revoked']),
  lastScanAt: IsoTime.nullable(),
  lastScan: ScanOutcomeSchema.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
/** A host as the inventory table shows it. */
export type HostSummary = z.infer<typeof HostSummarySchema>;

/** Everything about one host except its package list (which is paged separately). */
export const HostDetailSchema = HostSummarySchema.extend({
  connection: HostConnectionSchema,
  facts: HostFactsSchema.omit({ packages: true }).nullable(),
  cmdbId: z.string().nullable(),
});
/** Everything about one host except its package list. */
export type HostDetail = z.infer<typeof HostDetailSchema>;

/** Columns the host table can sort by. */
export const HOST_SORT_KEYS = [
  'name',
  'address',
  'tier',
  'environment',
  'osName',
  'eol',
  'lastScanAt',
  'packageCount',
  'owner',
  'businessService',
  'networkZone',
] as const;

/** Filters of the host table; every field narrows, empty means all. */
export const HostFilterSchema = z
  .object({
    text: z.string().max(200).optional(),
    tiers: z.array(z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)])).optional(),
    environments: z.array(z.enum(ENVIRONMENTS)).optional(),
    osFamilies: z.array(z.enum(OS_FAMILIES)).optional(),
    eol: z.array(z.enum(['supported', 'soon', 'eol', 'unknown'])).optional(),
    scan: z.array(z.enum(['never', 'ok', 'failed'])).optional(),
    tag: z.string().max(64).optional(),
  })
  .strict();
/** Filters of the host table. */
export type HostFilter = z.infer<typeof HostFilterSchema>;

/** One scan of one host and what changed in its packages since the scan before. */
export const ScanRecordSchema = z.object({
  id: z.string(),
  hostId: z.string(),
  runId: z.string(),
  startedAt: IsoTime,
  finishedAt: IsoTime.nullable(),
  outcome: ScanOutcomeSchema,
  packageCount: z.number().int().nullable(),
  added: z.number().int(),
  removed: z.number().int(),
  changed: z.number().int(),
});
/** One scan of one host. */
export type ScanRecord = z.infer<typeof ScanRecordSchema>;

/** The package differences one scan found against the previous successful scan. */
export const ScanDiffSchema = z.object({
  scanId: z.string(),
  previousScanId: z.string().nullable(),
  added: z.array(InstalledPackageSchema),
  removed: z.array(InstalledPackageSchema),
  changed: z.array(
    z.object({ name: z.string(), arch: z.string(), from: z.string(), to: z.string() }),
  ),
});
/** The package differences one scan found. */
export type ScanDiff = z.infer<typeof ScanDiffSchema>;

/** The state of one host inside a scan run, as progress events report it. */
export const HOST_SCAN_STATES = ['queued', 'connecting', 'collecting', 'done', 'failed'] as const;

/** A scan run: several hosts scanned with a concurrency limit. */
export const ScanRunSchema = z.object({
  id: z.string(),
  startedAt: IsoTime,
  finishedAt: IsoTime.nullable(),
  startedBy: z.string(),
  concurrency: z.number().int(),
  hosts: z.array(
    z.object({
      hostId: z.string(),
      hostName: z.string(),
      state: z.enum(HOST_SCAN_STATES),
      outcome: ScanOutcomeSchema.nullable(),
    }),
  ),
});
/** A scan run. */
export type ScanRun = z.infer<typeof ScanRunSchema>;

/** A host key PatchDeck trusts (or has revoked) for an address. */
export const PinnedHostKeySchema = z.object({
  address: z.string(),
  port: z.number().int(),
  keyType: z.string(),
  fingerprint: z.string(),
  status: z.enum(['pinned', 'revoked']),
  source: z.enum(['accepted', 'known_hosts', 'repinned']),
  pinnedBy: z.string().nullable(),
  pinnedAt: IsoTime,
});
/** A pinned host key. */
export type PinnedHostKey = z.infer<typeof PinnedHostKeySchema>;

/** A host key a host presented that is not trusted yet, waiting for an operator's decision. */
export const HostKeySightingSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  address: z.string(),
  port: z.number().int(),
  keyType: z.string(),
  fingerprint: z.string(),
  /** unknown: first contact; changed: differs from the pinned key (only an administrator re-pins). */
  kind: z.enum(['unknown', 'changed']),
  pinnedFingerprint: z.string().nullable(),
  seenAt: IsoTime,
});
/** A host key waiting for a decision. */
export type HostKeySighting = z.infer<typeof HostKeySightingSchema>;

/** How a stored credential logs in. */
export const CREDENTIAL_KINDS = ['key', 'agent', 'password'] as const;

/** How sudo is used on hosts reached with a credential. */
export const SUDO_MODES = ['none', 'nopasswd', 'password'] as const;

/** A stored credential as the UI sees it: never a secret, only whether one is stored. */
export const CredentialSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CREDENTIAL_KINDS),
  keyPath: z.string().nullable(),
  agentSocket: z.string().nullable(),
  hasPassphrase: z.boolean(),
  hasPassword: z.boolean(),
  sudo: z.enum(SUDO_MODES),
  hasSudoPassword: z.boolean(),
  usedBy: z.number().int(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
/** A stored credential. */
export type Credential = z.infer<typeof CredentialSchema>;

/** The fields an import can fill, to which the operator maps the source's columns. */
export const IMPORT_FIELDS = [
  'name',
  'address',
  'port',
  'username',
  'cmdbId',
  'osName',
  'tier',
  'environment',
  'owner',
  'businessService',
  'dataSensitivity',
  'regulatoryTags',
  'haGroup',
  'networkZone',
  'exposure',
  'tags',
  'notes',
] as const;

/** One field an import can fill. */
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** The file formats an import reads. */
export const IMPORT_FORMATS = ['csv', 'xlsx', 'xls', 'ods', 'nmap-xml'] as const;

/** A file handed to an import: a path on this machine or the file's bytes. */
export const ImportSourceSchema = z.union([
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  z
    .object({
      fileName: z.string().min(1).max(255),
      contentBase64: z.string().max(48 * 1024 * 1024),
    })
    .strict(),
]);

/** A mapping from import fields to the source's column names. */
export const ImportMappingSchema = z.partialRecord(z.enum(IMPORT_FIELDS), z.string().max(200));
/** A mapping from import fields to column names. */
export type ImportMapping = z.infer<typeof ImportMappingSchema>;

/** What reconciling a source with the inventory found; each item waits for a decision. */
export const ReconciliationSchema = z.object({
  importId: z.string(),
  sourceName: z.string(),
  rowCount: z.number().int(),
  /** Rows that match no host: add them or skip them. */
  newHosts: z.array(
    z.object({ key: z.string(), row: z.number().int(), name: z.string(), address: z.string() }),
  ),
  /** Rows that match a host whose attributes differ: keep the inventory's value or take the source's. */
  mismatches: z.array(
    z.object({
      key: z.string(),
      row: z.number().int(),
      hostId: z.string(),
      hostName: z.string(),
      field: z.enum([
        'name',
        'address',
        'osName',
        'tier',
        'environment',
        'owner',
        'businessService',
      ]),
      inventoryValue: z.string(),
      sourceValue: z.string(),
    }),
  ),
  /** Hosts in the CMDB (from this or an earlier import of the source) that were never reached. */
  neverReached: z.array(
    z.object({ key: z.string(), hostId: z.string(), hostName: z.string(), address: z.string() }),
  ),
  /** Hosts that were reached (scanned) but are not in this source. */
  notInSource: z.array(
    z.object({ key: z.string(), hostId: z.string(), hostName: z.string(), address: z.string() }),
  ),
  /** Rows that match a host exactly: nothing to decide. */
  unchanged: z.number().int(),
});
/** What reconciling a source with the inventory found. */
export type Reconciliation = z.infer<typeof ReconciliationSchema>;

/** The operator's decision on one reconciliation item, by its key. */
export const ReconcileDecisionSchema = z.object({
  key: z.string(),
  decision: z.enum(['add', 'skip', 'take-source', 'keep-inventory', 'keep', 'remove', 'later']),
});
