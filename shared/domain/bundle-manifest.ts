import { z } from 'zod';

/**
 * Signed offline patch bundles, format v1 (docs/bundle-format.md).
 *
 * A bundle is a folder (as on a USB stick) or one `.tar` of it, holding the publisher's root
 * chain (`1.root.json`, `2.root.json`, ...), one signed `manifest.json` and the payload files the
 * manifest lists. Every metadata file is `{ signed, signatures }`; signatures are Ed25519 over the
 * RFC 8785 canonical JSON of `signed`.
 */

/** The bundle format version this PatchDeck reads and writes. */
export const BUNDLE_FORMAT_VERSION = 1;

/** Name of the signed manifest inside a bundle. */
export const MANIFEST_FILE = 'manifest.json';

/** Names a root file of version N carries inside a bundle: `N.root.json`. */
export const ROOT_FILE_PATTERN = /^([1-9][0-9]{0,8})\.root\.json$/;

/** Hard limits applied before any metadata is read or parsed (UPD-16). */
export const METADATA_LIMITS = {
  /** Largest `manifest.json` accepted, in bytes. */
  manifestBytes: 16 * 1024 * 1024,
  /** Largest root file accepted, in bytes. */
  rootBytes: 512 * 1024,
  /** Most root files a bundle may carry. */
  rootFiles: 64,
} as const;

/** Hard limits on any bundle, whatever its manifest declares. */
export const BUNDLE_HARD_LIMITS = {
  /** Most payload files in one bundle. */
  fileCount: 100_000,
  /** Largest total payload, in bytes (256 GiB). */
  totalBytes: 256 * 1024 ** 3,
  /** Deepest folder nesting of a payload path. */
  pathDepth: 32,
} as const;

/** An ISO-8601 timestamp with offset. */
const Time = z.iso.datetime({ offset: true });

/** Lowercase hex SHA-256. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'Expected a lowercase hex SHA-256.');

/** A key id: lowercase hex SHA-256 of the raw 32-byte Ed25519 public key. */
export const KeyId = Sha256Hex;

/** An identifier that is safe in file names, URLs and logs: publisher, channel, bundle, patch. */
export const Slug = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:+-]*$/, 'Use letters, digits and . _ : + - only.');

/** One Ed25519 public key. */
export const PublicKeySchema = z
  .object({
    keytype: z.literal('ed25519'),
    scheme: z.literal('ed25519'),
    /** The raw 32-byte public key, base64. */
    public: z.base64().refine((v) => v.length === 44, 'An Ed25519 public key is 32 bytes.'),
  })
  .strict();
/** One Ed25519 public key. */
export type PublicKey = z.infer<typeof PublicKeySchema>;

/** A role of the root: which keys may sign for it, and how many must. */
export const RoleKeysSchema = z
  .object({
    keyids: z.array(KeyId).min(1).max(64),
    threshold: z.number().int().min(1).max(64),
  })
  .strict()
  .refine((r) => r.threshold <= new Set(r.keyids).size, {
    message: 'The threshold is higher than the number of distinct keys.',
  });

/** The signed body of a publisher root (TUF root role, adapted to removable media). */
export const RootSchema = z
  .object({
    _type: z.literal('root'),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    publisher: Slug,
    /** 1 for the first root; a rotation is exactly the previous version + 1. */
    version: z.number().int().min(1).max(999_999_999),
    created: Time,
    keys: z.record(KeyId, PublicKeySchema),
    roles: z
      .object({
        /** Keys that sign the next root. */
        root: RoleKeysSchema,
        /** Keys that sign bundle manifests. */
        targets: RoleKeysSchema,
      })
      .strict(),
  })
  .strict()
  .superRefine((root, ctx) => {
    for (const role of ['root', 'targets'] as const) {
      for (const keyid of root.roles[role].keyids) {
        if (!Object.hasOwn(root.keys, keyid)) {
          ctx.addIssue({
            code: 'custom',
            message: `Role ${role} names key ${keyid}, which the root does not list.`,
          });
        }
      }
    }
  });
/** The signed body of a publisher root. */
export type Root = z.infer<typeof RootSchema>;

/** One signature over the canonical JSON of a metadata file's `signed` body. */
export const SignatureSchema = z
  .object({
    keyid: KeyId,
    /** The 64-byte Ed25519 signature, base64. */
    sig: z.base64().refine((v) => v.length === 88, 'An Ed25519 signature is 64 bytes.'),
  })
  .strict();
/** One signature. */
export type Signature = z.infer<typeof SignatureSchema>;

/** A signed metadata envelope as stored on media. */
export function signedEnvelope<T extends z.ZodType>(body: T) {
  return z
    .object({
      signed: body,
      signatures: z.array(SignatureSchema).max(64),
    })
    .strict();
}

/** A root file on media: `N.root.json`. */
export const SignedRootSchema = signedEnvelope(RootSchema);
/** A root file on media. */
export type SignedRoot = z.infer<typeof SignedRootSchema>;

/** Package formats PatchDeck can deploy. */
export const PACKAGE_KINDS = ['deb', 'rpm', 'msu', 'msi', 'cab', 'pkg'] as const;
/** One package format. */
export type PackageKind = (typeof PACKAGE_KINDS)[number];

/** Operating-system families a patch may apply to. */
export const OS_FAMILIES = ['debian', 'ubuntu', 'rhel', 'windows', 'macos'] as const;
/** One operating-system family. */
export type OsFamily = (typeof OS_FAMILIES)[number];

/** Severities, highest first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;
/** One severity. */
export type Severity = (typeof SEVERITIES)[number];

/** Advisory families a patch may cite. */
export const ADVISORY_KINDS = ['DSA', 'DLA', 'USN', 'RHSA', 'KB', 'OTHER'] as const;
/** One advisory family. */
export type AdvisoryKind = (typeof ADVISORY_KINDS)[number];

/**
 * The steps a patch may ask for before or after its install, by identifier only: the deploy
 * runner owns what each one does. Free shell text is never part of a bundle.
 */
export const STEP_IDS = [
  'check-disk-space',
  'check-package-manager-idle',
  'write-backup-marker',
  'stop-service',
  'start-service',
  'check-service-health',
  'run-smoke-test',
] as const;
/** One step identifier. */
export type StepId = (typeof STEP_IDS)[number];

/** A step and its few plain arguments (a service name, a size); never a command line. */
export const StepSchema = z
  .object({
    step: z.enum(STEP_IDS),
    args: z
      .record(
        z.string().regex(/^[a-z][a-zA-Z0-9]{0,31}$/),
        z
          .string()
          .max(128)
          .regex(/^[A-Za-z0-9@._:+-]*$/, 'Step arguments are plain words, not shell text.'),
      )
      .refine((a) => Object.keys(a).length <= 8, 'At most 8 step arguments.')
      .default({}),
  })
  .strict();
/** A step and its arguments. */
export type Step = z.infer<typeof StepSchema>;

/** A CVE id. */
export const CveId = z
  .string()
  .regex(/^CVE-\d{4}-\d{4,}$/, 'Expected a CVE id like CVE-2024-1234.');

/** One advisory a patch answers. */
export const AdvisoryRefSchema = z
  .object({ id: z.string().min(1).max(64), kind: z.enum(ADVISORY_KINDS) })
  .strict();

/** A CVSS vector as published, with its base score when known. */
export const CvssSchema = z
  .object({
    version: z.enum(['2.0', '3.0', '3.1', '4.0']),
    vector: z.string().min(1).max(256),
    score: z.number().min(0).max(10).nullable().default(null),
  })
  .strict();

/** One package file of a patch: the bundle file and what it must say it is (UPD-19). */
export const PatchPackageSchema = z
  .object({
    name: z.string().min(1).max(256),
    version: z.string().min(1).max(256),
    arch: z.string().min(1).max(32),
    /** Path of the package file in the bundle; listed in `files`. */
    file: z.string().min(1).max(4096),
    kind: z.enum(PACKAGE_KINDS),
  })
  .strict();
/** One package file of a patch. */
export type PatchPackage = z.infer<typeof PatchPackageSchema>;

/** One patch: what it fixes, where it applies, what it installs. */
export const PatchSchema = z
  .object({
    id: Slug,
    title: z.string().min(1).max(500),
    vendor: z.string().min(1).max(128),
    advisories: z.array(AdvisoryRefSchema).max(100).default([]),
    cves: z.array(CveId).max(5000).default([]),
    cvss: z.array(CvssSchema).max(100).default([]),
    severity: z.enum(SEVERITIES),
    /** The vendor's release date (ISO date or timestamp). */
    releasedAt: z.union([z.iso.date(), Time]),
    os: z
      .object({
        family: z.enum(OS_FAMILIES),
        /** Releases it applies to ("12", "22.04", "9", "Server 2022"); empty means any. */
        releases: z.array(z.string().min(1).max(64)).max(64).default([]),
      })
      .strict(),
    packages: z.array(PatchPackageSchema).min(1).max(1000),
    rebootRequired: z.boolean().default(false),
    /**
     * Whether a CVE this patch fixes is on CISA's Known Exploited Vulnerabilities list. Left out
     * when the publisher does not say (the catalog then shows it as unknown, not as "no").
     */
    knownExploited: z.boolean().optional(),
    /** Patch ids this one replaces. */
    supersedes: z.array(Slug).max(1000).default([]),
    /** Patch ids that must be installed first. */
    prerequisites: z.array(Slug).max(1000).default([]),
    preSteps: z.array(StepSchema).max(16).default([]),
    postSteps: z.array(StepSchema).max(16).default([]),
  })
  .strict();
/** One patch. */
export type Patch = z.infer<typeof PatchSchema>;
/** One patch as a publisher writes it (defaults may be left out). */
export type PatchInput = z.input<typeof PatchSchema>;

/** One payload file: relative path with `/` separators, exact length, SHA-256. */
export const ManifestFileSchema = z
  .object({
    path: z.string().min(1).max(4096),
    length: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    sha256: Sha256Hex,
  })
  .strict();
/** One payload file. */
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

/** The signed body of `manifest.json`. */
export const ManifestSchema = z
  .object({
    _type: z.literal('manifest'),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    bundleId: Slug,
    publisher: Slug,
    channel: Slug,
    /** Only grows per publisher and channel; an older number is a rollback. */
    sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    created: Time,
    expires: Time,
    /** The root version whose targets keys signed this manifest. */
    rootVersion: z.number().int().min(1),
    limits: z
      .object({
        totalBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        fileCount: z.number().int().min(0),
      })
      .strict(),
    files: z.array(ManifestFileSchema),
    patches: z.array(PatchSchema),
  })
  .strict();
/** The signed body of `manifest.json`. */
export type Manifest = z.infer<typeof ManifestSchema>;

/** `manifest.json` on media. */
export const SignedManifestSchema = signedEnvelope(ManifestSchema);
/** `manifest.json` on media. */
export type SignedManifest = z.infer<typeof SignedManifestSchema>;

/**
 * A patch as the catalog reads it (`listPatches` in core/bundles): one row per patch per
 * imported bundle, with the bundle it came from and every package's stored hash.
 */
export const CatalogPatchSchema = z.object({
  patchId: z.string(),
  bundleId: z.string(),
  publisher: z.string(),
  channel: z.string(),
  bundleSequence: z.number().int(),
  /** The bundle's signed `created` time. */
  bundleCreated: z.string(),
  importedAt: z.string(),
  title: z.string(),
  vendor: z.string(),
  severity: z.enum(SEVERITIES),
  releasedAt: z.string(),
  advisories: z.array(AdvisoryRefSchema),
  cves: z.array(z.string()),
  cvss: z.array(CvssSchema),
  os: z.object({ family: z.enum(OS_FAMILIES), releases: z.array(z.string()) }),
  packages: z.array(
    PatchPackageSchema.extend({
      sha256: Sha256Hex,
      length: z.number().int(),
    }),
  ),
  rebootRequired: z.boolean(),
  /** On CISA's KEV list as the bundle says; null when the bundle does not say. */
  knownExploited: z.boolean().nullable(),
  supersedes: z.array(z.string()),
  prerequisites: z.array(z.string()),
  preSteps: z.array(StepSchema),
  postSteps: z.array(StepSchema),
});
/** A patch as the catalog reads it. */
export type CatalogPatch = z.infer<typeof CatalogPatchSchema>;

/** The human form of a key id: 16 groups of 4 uppercase hex digits. */
export function keyFingerprint(keyid: string): string {
  return (
    keyid
      .toUpperCase()
      .match(/.{1,4}/g)
      ?.join(' ') ?? ''
  );
}

/** Reduces a typed or pasted fingerprint to lowercase hex for comparison. */
export function normaliseFingerprint(text: string): string {
  return text.replace(/[\s:-]/g, '').toLowerCase();
}
