import { z } from 'zod';

/** Operating-system families PatchDeck has a fact collector for; `unknown` when detection fails. */
export const OS_FAMILIES = ['debian', 'rhel', 'windows', 'macos', 'unknown'] as const;

/** One operating-system family. */
export type OsFamily = (typeof OS_FAMILIES)[number];

/**
 * How an installed item is known to its host: a Debian or RPM package, a Windows update (KB),
 * an MSI-installed or otherwise registered Windows program, or a macOS installer receipt.
 */
export const PACKAGE_KINDS = ['deb', 'rpm', 'msu', 'msi', 'pkg', 'program'] as const;

/** One package kind. */
export type PackageKind = (typeof PACKAGE_KINDS)[number];

/** One installed package, update or program. */
export const InstalledPackageSchema = z.object({
  name: z.string(),
  version: z.string(),
  arch: z.string(),
  kind: z.enum(PACKAGE_KINDS),
  /** Who published it, where the host records that (Windows programs). */
  publisher: z.string().optional(),
});

/** A socket a host listens on, with the owning process when the host tells it. */
export const ListeningServiceSchema = z.object({
  protocol: z.enum(['tcp', 'udp']),
  address: z.string(),
  port: z.number().int(),
  process: z.string().nullable(),
});

/** A running container. */
export const ContainerSchema = z.object({
  runtime: z.enum(['docker', 'podman']),
  id: z.string(),
  name: z.string(),
  image: z.string(),
  status: z.string(),
});

/** Size and free space of one mounted file system. */
export const DiskSpaceSchema = z.object({
  mount: z.string(),
  totalBytes: z.number(),
  freeBytes: z.number(),
});

/** Everything PatchDeck learns about what a host runs, from one scan. */
export const HostFactsSchema = z.object({
  osFamily: z.enum(OS_FAMILIES),
  osId: z.string(),
  osName: z.string(),
  osVersion: z.string(),
  osCodename: z.string().nullable(),
  kernel: z.string(),
  arch: z.string(),
  /**
   * The architecture the host's package manager installs for (`amd64` from dpkg, `x86_64` from
   * rpm, `x64` on Windows); null where packages carry none. Can differ from `arch`, the kernel's.
   */
  packageArch: z.string().nullable().optional(),
  hostname: z.string(),
  uptimeSeconds: z.number().int().nonnegative(),
  lastBoot: z.string().nullable(),
  disks: z.array(DiskSpaceSchema),
  rebootRequired: z.boolean(),
  rebootReason: z.string().nullable(),
  packages: z.array(InstalledPackageSchema),
  services: z.array(ListeningServiceSchema),
  containers: z.array(ContainerSchema),
  collectedAt: z.string(),
  /**
   * What the scan could not see or had to skip: a tool that failed, lines it could not read
   * (counted), output cut at a size limit. Empty or absent when the scan was complete.
   */
  warnings: z.array(z.string()).optional(),
});

/** One installed package, update or program. */
export type InstalledPackage = z.infer<typeof InstalledPackageSchema>;

/** A socket a host listens on. */
export type ListeningService = z.infer<typeof ListeningServiceSchema>;

/** A running container. */
export type Container = z.infer<typeof ContainerSchema>;

/** Size and free space of one mounted file system. */
export type DiskSpace = z.infer<typeof DiskSpaceSchema>;

/** Everything PatchDeck learns about what a host runs, from one scan. */
export type HostFacts = z.infer<typeof HostFactsSchema>;
