import { z } from 'zod';

import {
  CREDENTIAL_KINDS,
  CredentialSchema,
  EolStatusSchema,
  HOST_SCAN_STATES,
  HOST_SORT_KEYS,
  HostAddress,
  HostAttributesSchema,
  HostDetailSchema,
  HostFilterSchema,
  HostKeySightingSchema,
  HostSummarySchema,
  IMPORT_FORMATS,
  ImportMappingSchema,
  ImportSourceSchema,
  PinnedHostKeySchema,
  ReconcileDecisionSchema,
  ReconciliationSchema,
  RemoteUser,
  ScanDiffSchema,
  ScanOutcomeSchema,
  ScanRecordSchema,
  ScanRunSchema,
  SUDO_MODES,
} from '../../domain/assets';
import { InstalledPackageSchema } from '../../domain/host-facts';
import { op } from '../op';

const Id = z.string().min(1).max(100);
const Secret = z.string().min(1).max(4096);
const Empty = z.object({}).strict();

/** A path to a file on the machine running the core (key files, ssh_config). */
const LocalPath = z.string().trim().min(1).max(4096);

/** The fields of a new host; attributes left out take the defaults. */
const NewHostSchema = HostAttributesSchema.partial()
  .extend({
    address: HostAddress,
    port: z.number().int().min(1).max(65_535).default(22),
    username: RemoteUser,
    credentialId: Id.nullable().default(null),
    jumpHostId: Id.nullable().default(null),
  })
  .strict();

/**
 * Assets: the host inventory, scans, host-key trust, credentials and imports.
 *
 * Reads need `workspace.read`; changing the inventory `hosts.manage`; scanning `hosts.scan`;
 * trusting a first-seen host key `hostkeys.accept`; re-pinning a changed key `hostkeys.repin`
 * (administrators only); credentials `credentials.manage`.
 */
export const assetOperations = {
  'hosts.list': op(
    'query',
    'workspace.read',
    z
      .object({
        filter: HostFilterSchema.default({}),
        sort: z
          .object({ key: z.enum(HOST_SORT_KEYS), direction: z.enum(['asc', 'desc']) })
          .strict()
          .default({ key: 'name', direction: 'asc' }),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(2000).default(500),
      })
      .strict(),
    z.object({
      hosts: z.array(HostSummarySchema),
      total: z.number().int(),
      /** Counts over the whole inventory (not the filter), for badges and charts. */
      counts: z.object({
        all: z.number().int(),
        byTier: z.array(z.number().int()).length(4),
        eol: z.number().int(),
        eolSoon: z.number().int(),
        neverScanned: z.number().int(),
        scanFailed: z.number().int(),
      }),
    }),
  ),
  'hosts.get': op('query', 'workspace.read', z.object({ hostId: Id }).strict(), HostDetailSchema),
  'hosts.packages': op(
    'query',
    'workspace.read',
    z
      .object({
        hostId: Id,
        search: z.string().max(200).default(''),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5000).default(1000),
      })
      .strict(),
    z.object({ packages: z.array(InstalledPackageSchema), total: z.number().int() }),
  ),
  'hosts.create': op('command', 'hosts.manage', NewHostSchema, HostDetailSchema),
  'hosts.update': op(
    'command',
    'hosts.manage',
    HostAttributesSchema.partial()
      .extend({
        hostId: Id,
        address: HostAddress.optional(),
        port: z.number().int().min(1).max(65_535).optional(),
        username: RemoteUser.optional(),
        credentialId: Id.nullable().optional(),
        jumpHostId: Id.nullable().optional(),
      })
      .strict(),
    HostDetailSchema,
  ),
  'hosts.delete': op(
    'command',
    'hosts.manage',
    z.object({ hostIds: z.array(Id).min(1).max(100_000) }).strict(),
    z.object({ deleted: z.number().int() }),
  ),
  /**
   * Adds (or updates) the concrete Hosts of an OpenSSH ssh_config file with their jump hosts
   * (ProxyJump), all or nothing. A file with ProxyCommand, `Match exec` or Include is refused.
   */
  'hosts.importSshConfig': op(
    'command',
    'hosts.manage',
    z
      .object({
        source: ImportSourceSchema,
        /**
         * The credential every imported host logs in with; null for this machine's SSH agent;
         * left out to give each host the key credential whose key file is its IdentityFile.
         */
        credentialId: Id.nullable().optional(),
      })
      .strict(),
    z.object({
      added: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      /** Hosts of the file that were not imported, with the line of their Host section. */
      skipped: z.array(
        z.object({ host: z.string(), line: z.number().int().optional(), reason: z.string() }),
      ),
      /** The identity files the hosts name, and the key credential using each (null: none). */
      identityFiles: z.array(
        z.object({
          path: z.string(),
          hosts: z.array(z.string()),
          credentialId: z.string().nullable(),
          credentialName: z.string().nullable(),
        }),
      ),
    }),
  ),
  'hosts.scanHistory': op(
    'query',
    'workspace.read',
    z.object({ hostId: Id, limit: z.number().int().min(1).max(500).default(50) }).strict(),
    z.array(ScanRecordSchema),
  ),
  'hosts.scanDiff': op(
    'query',
    'workspace.read',
    z.object({ scanId: Id }).strict(),
    ScanDiffSchema,
  ),

  'scans.start': op(
    'command',
    'hosts.scan',
    z
      .object({
        /** The hosts to scan; leave out to scan every host. */
        hostIds: z.array(Id).min(1).max(100_000).optional(),
        concurrency: z.number().int().min(1).max(64).default(8),
      })
      .strict(),
    z.object({ runId: z.string(), total: z.number().int() }),
  ),
  'scans.get': op('query', 'workspace.read', z.object({ runId: Id }).strict(), ScanRunSchema),
  'scans.active': op('query', 'workspace.read', Empty, z.array(ScanRunSchema)),

  'hostKeys.pending': op('query', 'workspace.read', Empty, z.array(HostKeySightingSchema)),
  'hostKeys.list': op(
    'query',
    'workspace.read',
    z.object({ hostId: Id.optional() }).strict(),
    z.array(PinnedHostKeySchema),
  ),
  'hostKeys.probe': op(
    'command',
    'hosts.scan',
    z.object({ hostId: Id }).strict(),
    z.object({
      keyType: z.string(),
      fingerprint: z.string(),
      status: z.enum(['trusted', 'unknown', 'changed', 'revoked']),
      pinnedFingerprint: z.string().nullable(),
    }),
  ),
  'hostKeys.accept': op(
    'command',
    'hostkeys.accept',
    z
      .object({
        hostId: Id,
        /** The fingerprint the operator checked; it must equal the key the host presented. */
        fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'Use the SHA256: fingerprint.'),
      })
      .strict(),
    PinnedHostKeySchema,
  ),
  'hostKeys.repin': op(
    'command',
    'hostkeys.repin',
    z
      .object({
        hostId: Id,
        fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'Use the SHA256: fingerprint.'),
        reason: z.string().trim().min(3, 'Say why the key changed.').max(500),
      })
      .strict(),
    PinnedHostKeySchema,
  ),
  'hostKeys.importKnownHosts': op(
    'command',
    'hostkeys.accept',
    z.object({ source: ImportSourceSchema, addMissingHosts: z.boolean().default(false) }).strict(),
    z.object({
      pinned: z.number().int(),
      revoked: z.number().int(),
      alreadyPinned: z.number().int(),
      hostsAdded: z.number().int(),
      /** Keys that differ from a pinned key: never applied by an import. */
      conflicts: z.array(
        z.object({ line: z.number().int(), host: z.string(), fingerprint: z.string() }),
      ),
      skipped: z.array(z.object({ line: z.number().int(), reason: z.string() })),
    }),
  ),

  'credentials.list': op('query', 'workspace.read', Empty, z.array(CredentialSchema)),
  'credentials.create': op(
    'command',
    'credentials.manage',
    z
      .object({
        name: z.string().trim().min(1).max(120),
        kind: z.enum(CREDENTIAL_KINDS),
        keyPath: LocalPath.optional(),
        agentSocket: LocalPath.optional(),
        passphrase: Secret.optional(),
        password: Secret.optional(),
        sudo: z.enum(SUDO_MODES).default('nopasswd'),
        sudoPassword: Secret.optional(),
      })
      .strict(),
    CredentialSchema,
  ),
  'credentials.update': op(
    'command',
    'credentials.manage',
    z
      .object({
        credentialId: Id,
        name: z.string().trim().min(1).max(120).optional(),
        keyPath: LocalPath.optional(),
        agentSocket: LocalPath.optional(),
        passphrase: Secret.optional(),
        password: Secret.optional(),
        sudo: z.enum(SUDO_MODES).optional(),
        sudoPassword: Secret.optional(),
      })
      .strict(),
    CredentialSchema,
  ),
  'credentials.delete': op(
    'command',
    'credentials.manage',
    z.object({ credentialId: Id }).strict(),
    z.object({ done: z.literal(true) }),
  ),

  /** Secrets (passphrases, passwords) are encrypted under a key derived from the vault passphrase. */
  'vault.status': op(
    'query',
    'session',
    Empty,
    z.object({ initialized: z.boolean(), unlocked: z.boolean() }),
  ),
  'vault.setup': op(
    'command',
    'credentials.manage',
    z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
    z.object({ initialized: z.literal(true), unlocked: z.boolean() }),
  ),
  'vault.unlock': op(
    'command',
    'hosts.scan',
    z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
    z.object({ initialized: z.literal(true), unlocked: z.boolean() }),
  ),
  'vault.lock': op(
    'command',
    'session',
    Empty,
    z.object({ initialized: z.boolean(), unlocked: z.boolean() }),
  ),

  'imports.preview': op(
    'command',
    'hosts.manage',
    z
      .object({
        format: z.enum(IMPORT_FORMATS),
        source: ImportSourceSchema,
        /** The worksheet to read; the first when left out. */
        sheet: z.string().max(200).optional(),
      })
      .strict(),
    z.object({
      importId: z.string(),
      /** The name mappings are remembered under (the file's header signature or the Nmap scanner). */
      sourceName: z.string(),
      sheets: z.array(z.string()),
      columns: z.array(z.string()),
      sampleRows: z.array(z.array(z.string())),
      rowCount: z.number().int(),
      /** The mapping used the last time a file of this source was imported, else a guess. */
      mapping: ImportMappingSchema,
      mappingRemembered: z.boolean(),
    }),
  ),
  'imports.reconcile': op(
    'command',
    'hosts.manage',
    z.object({ importId: Id, mapping: ImportMappingSchema }).strict(),
    ReconciliationSchema,
  ),
  'imports.apply': op(
    'command',
    'hosts.manage',
    z.object({ importId: Id, decisions: z.array(ReconcileDecisionSchema).max(200_000) }).strict(),
    z.object({
      added: z.number().int(),
      updated: z.number().int(),
      removed: z.number().int(),
      deferred: z.number().int(),
    }),
  ),

  'eol.info': op(
    'query',
    'workspace.read',
    Empty,
    z.object({
      capturedAt: z.string(),
      source: z.string(),
      products: z.array(
        z.object({
          product: z.string(),
          cycles: z.array(z.object({ cycle: z.string(), eolDate: z.string().nullable() })),
        }),
      ),
      soonDays: z.number().int(),
      /** Hosts per EOL status over the whole inventory. */
      hosts: z.record(EolStatusSchema.shape.status, z.number().int()),
    }),
  ),
} as const;

/** Events of the assets area. */
export const assetEvents = {
  /** Hosts were added, changed or removed (`all` after bulk imports). */
  'hosts.changed': z.object({ hostIds: z.union([z.array(z.string()), z.literal('all')]) }),
  /** One host moved on inside a scan run. */
  'scans.progress': z.object({
    runId: z.string(),
    hostId: z.string(),
    hostName: z.string(),
    state: z.enum(HOST_SCAN_STATES),
    outcome: ScanOutcomeSchema.nullable(),
    done: z.number().int(),
    total: z.number().int(),
  }),
  /** A scan run ended. */
  'scans.finished': z.object({
    runId: z.string(),
    ok: z.number().int(),
    failed: z.number().int(),
  }),
  /** Pinned keys or pending sightings changed. */
  'hostKeys.changed': z.object({ hostId: z.string().nullable() }),
} as const;
