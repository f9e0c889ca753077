import { z } from 'zod';

import {
  CatalogPatchSchema,
  ManifestFileSchema,
  PatchSchema,
  SEVERITIES,
} from '../../domain/bundle-manifest';
import { op } from '../op';

const Empty = z.object({}).strict();

/** A path on the machine running the core: a bundle folder, a `.tar`, or a root file. */
const SourcePath = z.string().trim().min(1).max(4096);

/** A place where removable media is mounted. */
export const MediaSchema = z.object({
  /** Where to pick a bundle from (a mount point or a drive root). */
  path: z.string(),
  /** The volume label or device name, for the operator. */
  label: z.string(),
  /** Whether the OS says it is removable (USB stick, card) or only found under a media folder. */
  removable: z.boolean(),
  /** The device behind it, when known (`/dev/sdb1`, `E:`). */
  device: z.string().nullable(),
  /** Mounted read-only. */
  readOnly: z.boolean(),
});
/** A place where removable media is mounted. */
export type Media = z.infer<typeof MediaSchema>;

/** One key of a root, as the trust screens show it. */
export const RootKeySchema = z.object({
  keyid: z.string(),
  fingerprint: z.string(),
  roles: z.array(z.enum(['root', 'targets'])),
});

/** What one signature of a manifest was worth. */
export const SignatureCheckSchema = z.object({
  keyid: z.string(),
  fingerprint: z.string(),
  /** trusted: a current targets key; unknown: not in the root; root-only: a root key, not targets; revoked. */
  status: z.enum(['valid', 'invalid', 'unknown', 'root-only', 'revoked', 'duplicate']),
});

/** Who signed a bundle and how it verified. */
export const VerificationSchema = z.object({
  publisher: z.string(),
  rootVersion: z.number().int(),
  threshold: z.number().int(),
  validSignatures: z.number().int(),
  signatures: z.array(SignatureCheckSchema),
  /** Roots newer than the trusted one that this bundle carried and that verified. */
  rootsAccepted: z.array(z.number().int()),
  expired: z.boolean(),
  /** Set when an administrator imported an expired bundle anyway. */
  expiryOverridden: z.boolean(),
  /** The clock reading the expiry was judged against. */
  checkedAt: z.string(),
  files: z.number().int(),
  bytes: z.number(),
});

/**
 * The copy of a bundle in the workspace store, read again from the disk after the import
 * committed: `verifying` until that check ends, then `verified`, or `corrupt` (quarantined: the
 * bad file was removed from the store). Only a `verified` bundle may be offered for deployment.
 */
export const StoreStatusSchema = z.enum(['verifying', 'verified', 'corrupt']);
/** The state of a bundle's store copy. */
export type StoreStatus = z.infer<typeof StoreStatusSchema>;

/** The headline of a bundle. */
export const BundleSummarySchema = z.object({
  bundleId: z.string(),
  publisher: z.string(),
  channel: z.string(),
  sequence: z.number().int(),
  created: z.string(),
  expires: z.string(),
  importedAt: z.string(),
  importedBy: z.string(),
  files: z.number().int(),
  bytes: z.number(),
  patches: z.number().int(),
  /** Highest severity among its patches. */
  severity: z.enum(SEVERITIES),
  expiryOverridden: z.boolean(),
  /** The state of the copy in the workspace store (see StoreStatusSchema). */
  storeStatus: StoreStatusSchema,
  /** When the store copy was last checked to the end; null while the first check runs. */
  storeCheckedAt: z.string().nullable(),
});
/** The headline of a bundle. */
export type BundleSummary = z.infer<typeof BundleSummarySchema>;

/** What an import did. */
export const ImportReportSchema = z.object({
  taskId: z.string(),
  /** `repaired`: a quarantined bundle's missing files were copied into the store again. */
  outcome: z.enum(['imported', 'already-imported', 'repaired']),
  bundle: BundleSummarySchema,
  verification: VerificationSchema,
  /** Payload bytes read from the media (each file once). */
  bytesRead: z.number(),
  /** Payload bytes newly written to the store (files already there are not copied again). */
  bytesStored: z.number(),
  durationMs: z.number(),
  /** Payload throughput, MB/s (10^6 bytes). */
  megabytesPerSecond: z.number(),
});
/** What an import did. */
export type ImportReport = z.infer<typeof ImportReportSchema>;

/** What a source on media turned out to be, read without importing it. */
export const InspectionSchema = z.object({
  source: z.string(),
  kind: z.enum(['bundle', 'root']),
  container: z.enum(['directory', 'tar', 'file']),
  publisher: z.string(),
  /** Whether the publisher is in the trust store, and at which root version. */
  trustedRootVersion: z.number().int().nullable(),
  /** The newest root the source carries. */
  rootVersion: z.number().int(),
  rootKeys: z.array(RootKeySchema),
  bundle: z
    .object({
      bundleId: z.string(),
      channel: z.string(),
      sequence: z.number().int(),
      created: z.string(),
      expires: z.string(),
      files: z.number().int(),
      bytes: z.number(),
      patches: z.number().int(),
      signedBy: z.array(z.object({ keyid: z.string(), fingerprint: z.string() })),
    })
    .nullable(),
});
/** What a source on media turned out to be. */
export type Inspection = z.infer<typeof InspectionSchema>;

/** A trusted publisher and its keys. */
export const PublisherSchema = z.object({
  publisher: z.string(),
  rootVersion: z.number().int(),
  addedAt: z.string(),
  addedBy: z.string(),
  updatedAt: z.string(),
  rootThreshold: z.number().int(),
  targetsThreshold: z.number().int(),
  keys: z.array(
    RootKeySchema.extend({
      status: z.enum(['active', 'revoked']),
      revokedAt: z.string().nullable(),
      revokedReason: z.string().nullable(),
      bundlesVerified: z.number().int(),
      lastUsedAt: z.string().nullable(),
    }),
  ),
  channels: z.array(
    z.object({
      channel: z.string(),
      sequence: z.number().int(),
      bundleId: z.string(),
      created: z.string(),
    }),
  ),
});
/** A trusted publisher and its keys. */
export type Publisher = z.infer<typeof PublisherSchema>;

/** One bundle with its files, patches and how it verified. */
export const BundleDetailSchema = BundleSummarySchema.extend({
  manifestSha256: z.string(),
  sourceKind: z.enum(['directory', 'tar']),
  fileList: z.array(ManifestFileSchema),
  patchList: z.array(PatchSchema),
  verification: VerificationSchema,
});
/** One bundle in full. */
export type BundleDetail = z.infer<typeof BundleDetailSchema>;

/**
 * Bundles and the trust store: media, inspection, verified import, the bundle list, publishers.
 *
 * Reads need `workspace.read`; importing `bundles.import` (technicians and administrators);
 * importing an expired bundle also `bundles.overrideExpiry`; the trust store `trust.manage`
 * (administrators).
 */
export const bundleOperations = {
  'media.list': op('query', 'workspace.read', Empty, z.array(MediaSchema)),
  'bundles.inspect': op(
    'query',
    'workspace.read',
    z.object({ source: SourcePath }).strict(),
    InspectionSchema,
  ),
  'bundles.import': op(
    'command',
    'bundles.import',
    z
      .object({
        source: SourcePath,
        /** Import even though the bundle has expired (administrators; audited with the clock). */
        allowExpired: z.boolean().default(false),
        /** An id the caller picks to match `bundles.importProgress` events; made up if absent. */
        taskId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
      })
      .strict(),
    ImportReportSchema,
  ),
  'bundles.list': op('query', 'workspace.read', Empty, z.array(BundleSummarySchema)),
  'bundles.get': op(
    'query',
    'workspace.read',
    z.object({ bundleId: z.string().min(1).max(128) }).strict(),
    BundleDetailSchema,
  ),
  'bundles.listPatches': op('query', 'workspace.read', Empty, z.array(CatalogPatchSchema)),
  'trust.list': op('query', 'workspace.read', Empty, z.array(PublisherSchema)),
  'trust.addPublisher': op(
    'command',
    'trust.manage',
    z
      .object({
        /** A root file (`N.root.json`) or a bundle carrying one. */
        rootPath: SourcePath,
        /** The fingerprint of one of the root's keys, as the operator read it from the publisher. */
        confirmFingerprint: z.string().trim().min(16).max(200),
      })
      .strict(),
    PublisherSchema,
  ),
  'trust.revokeKey': op(
    'command',
    'trust.manage',
    z
      .object({
        keyid: z.string().regex(/^[0-9a-f]{64}$/),
        reason: z.string().trim().min(3).max(500),
      })
      .strict(),
    PublisherSchema,
  ),
} as const;

/** A stored file whose copy did not read back as signed. */
export const CorruptFileSchema = z.object({
  path: z.string(),
  sha256: z.string(),
  length: z.number(),
  /** The SHA-256 read back; null when the file could not be read to the end. */
  actualSha256: z.string().nullable(),
  actualLength: z.number(),
  /** The read error (EIO, ENOENT, …), or null when the file read but differed. */
  error: z.string().nullable(),
});

/** Events of bundle import and of the check of the store copy that follows it. */
export const bundleEvents = {
  /**
   * An import moved on: payload bytes read (each once), hashed and written so far, and the
   * current rate. The last event (`done`) comes when the bundle is committed: the media may be
   * removed then.
   */
  'bundles.importProgress': z.object({
    taskId: z.string(),
    phase: z.enum(['verifying-metadata', 'copying', 'recording', 'done']),
    bytesDone: z.number(),
    bytesTotal: z.number(),
    bytesPerSecond: z.number(),
    file: z.string().nullable(),
  }),
  /** The store copy of a committed bundle is being read again from the disk. */
  'bundles.storeVerificationProgress': z.object({
    bundleId: z.string(),
    bytesDone: z.number(),
    bytesTotal: z.number(),
    bytesPerSecond: z.number(),
    file: z.string().nullable(),
  }),
  /** The check of a bundle's store copy ended: verified, or corrupt and quarantined. */
  'bundles.storeVerificationFinished': z.object({
    bundleId: z.string(),
    storeStatus: z.enum(['verified', 'corrupt']),
    /** Whether every file was read from the disk itself, bypassing the OS file cache. */
    readFromDisk: z.boolean(),
    bytes: z.number(),
    durationMs: z.number(),
    corruptFiles: z.array(CorruptFileSchema),
    /** Other bundles quarantined with it because they list a corrupt file too. */
    alsoQuarantined: z.array(z.string()),
  }),
} as const;
