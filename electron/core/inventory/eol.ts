import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';

import type { EolStatus } from '../../../shared/domain/assets';
import type { OsFamily } from '../../../shared/domain/host-facts';

/** A release is `soon` when its security support ends within this many days. */
export const EOL_SOON_DAYS = 180;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const EolDatasetSchema = z.object({
  capturedAt: IsoDate,
  source: z.string().min(1),
  products: z
    .array(
      z.object({
        id: z.string().min(1),
        product: z.string().min(1),
        note: z.string().optional(),
        cycles: z
          .array(
            z.object({
              cycle: z.string().min(1),
              eolDate: IsoDate.nullable(),
              /** Windows: the build number that identifies the release. */
              build: z.number().int().optional(),
              /** Windows clients: Enterprise and Education editions end later. */
              enterpriseEolDate: IsoDate.optional(),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

/** The end-of-life dataset: product cycles and the dates their security support ends. */
export type EolDataset = z.infer<typeof EolDatasetSchema>;

/** Where the dataset sits inside the shipped resources folder. */
const DATASET_PATH = join('eol', 'eol.json');

/**
 * Where the shipped dataset is: in the packaged app's resources folder (Electron's
 * `process.resourcesPath`), else in the nearest `resources/` folder above this module (run from
 * sources or from the built bundles).
 */
export function defaultEolDatasetPath(): string {
  const candidates: string[] = [];
  const packaged = (process as { resourcesPath?: unknown }).resourcesPath;
  if (typeof packaged === 'string') candidates.push(join(packaged, DATASET_PATH));
  const metaUrl = (import.meta as { url?: unknown } | undefined)?.url;
  let dir =
    typeof metaUrl === 'string' && metaUrl !== ''
      ? dirname(fileURLToPath(metaUrl))
      : typeof __dirname === 'string'
        ? __dirname
        : process.cwd();
  for (;;) {
    candidates.push(join(dir, 'resources', DATASET_PATH));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(`The end-of-life dataset is missing; looked in ${candidates.join(', ')}.`);
  }
  return found;
}

/** Reads and checks a dataset file; a malformed file is a broken build, so it throws. */
export function readEolDatasetSync(path: string): EolDataset {
  return EolDatasetSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

let shipped: EolDataset | undefined;

/** The dataset shipped with this build (resources/eol/eol.json), read and checked once. */
export function shippedEolDataset(): EolDataset {
  shipped ??= readEolDatasetSync(defaultEolDatasetPath());
  return shipped;
}

/** What the matcher needs to know about a host's operating system. */
export type OsIdentity = {
  osFamily: OsFamily | null;
  osId: string | null;
  osName: string | null;
  osVersion: string | null;
};

/** A product cycle matched to a host: "Debian 12" and the end of its security support. */
export type EolMatch = { product: string; eolDate: string | null };

function major(version: string | null): string | null {
  const m = /^(\d+)/.exec(version ?? '');
  return m ? m[1]! : null;
}

function majorMinor(version: string | null): string | null {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m ? `${m[1]!}.${m[2]!}` : null;
}

function findCycle(
  dataset: EolDataset,
  productId: string,
  cycle: string | null,
  label?: string,
): EolMatch | null {
  if (cycle === null) return null;
  const product = dataset.products.find((p) => p.id === productId);
  const entry = product?.cycles.find((c) => c.cycle === cycle);
  if (!product || !entry) return null;
  return { product: `${label ?? product.product} ${entry.cycle}`, eolDate: entry.eolDate };
}

/** The Windows build number from "10.0.20348", "10.0.20348.2227" or "20348". */
function windowsBuild(version: string | null): number | null {
  const parts = (version ?? '').split('.');
  const candidate = parts.length >= 3 ? parts[2] : parts[0];
  const build = Number(candidate);
  return Number.isInteger(build) && build > 0 ? build : null;
}

function matchWindows(dataset: EolDataset, os: OsIdentity): EolMatch | null {
  const name = os.osName ?? '';
  // LTSC and IoT editions follow their own, much longer lifecycles: never guess them.
  if (/\bLTS[BC]\b|\bIoT\b/i.test(name)) return null;
  const isServer = /server/i.test(name);
  const productId = isServer ? 'windows-server' : 'windows';
  const product = dataset.products.find((p) => p.id === productId);
  if (!product) return null;
  const build = windowsBuild(os.osVersion);
  let entry = build === null ? undefined : product.cycles.find((c) => c.build === build);
  if (!entry && isServer) {
    const year = /server\s+(\d{4}(?:\s+R2)?)/i.exec(name)?.[1]?.replace(/\s+/g, ' ');
    entry = product.cycles.find((c) => c.cycle.toUpperCase() === year?.toUpperCase());
  }
  if (!entry) return null;
  const enterprise = /enterprise|education/i.test(name);
  const eolDate =
    enterprise && entry.enterpriseEolDate !== undefined ? entry.enterpriseEolDate : entry.eolDate;
  return { product: `${product.product} ${entry.cycle}`, eolDate };
}

function matchMac(dataset: EolDataset, version: string | null): EolMatch | null {
  const m = major(version);
  if (m === null) return null;
  const cycle = m === '10' ? majorMinor(version) : m;
  return findCycle(dataset, 'macos', cycle);
}

/**
 * The product cycle of a host's operating system, from its os-release identity (Linux), its
 * build number and edition (Windows) or its version (macOS); null when the dataset has no
 * matching cycle.
 */
export function matchEol(
  os: OsIdentity,
  dataset: EolDataset = shippedEolDataset(),
): EolMatch | null {
  const id = (os.osId ?? '').toLowerCase();
  const name = os.osName ?? '';
  if (os.osFamily === 'windows' || id === 'windows') return matchWindows(dataset, os);
  if (os.osFamily === 'macos' || id === 'macos') return matchMac(dataset, os.osVersion);
  switch (id) {
    case 'debian':
      return findCycle(dataset, 'debian', major(os.osVersion));
    case 'ubuntu':
      return findCycle(dataset, 'ubuntu', majorMinor(os.osVersion));
    case 'rhel':
      return findCycle(dataset, 'rhel', major(os.osVersion));
    case 'rocky':
      return findCycle(dataset, 'rocky', major(os.osVersion));
    case 'almalinux':
      return findCycle(dataset, 'almalinux', major(os.osVersion));
    case 'centos':
      return /stream/i.test(name)
        ? findCycle(dataset, 'centos-stream', major(os.osVersion))
        : findCycle(dataset, 'centos', major(os.osVersion));
    case 'ol':
      return findCycle(dataset, 'oracle-linux', major(os.osVersion));
    case 'sles':
    case 'sles_sap':
      return findCycle(dataset, 'sles', majorMinor(os.osVersion));
    case 'opensuse-leap':
      return findCycle(dataset, 'opensuse-leap', majorMinor(os.osVersion));
    default:
      return null;
  }
}

/** Name patterns that identify an operating system from a free-text name (CMDB, Nmap). */
const NAME_PATTERNS: readonly { pattern: RegExp; os: (m: RegExpExecArray) => OsIdentity }[] = [
  {
    pattern: /windows\s+server\s+(\d{4}(?:\s+R2)?)/i,
    os: (m) => ({ osFamily: 'windows', osId: 'windows', osName: m[0], osVersion: null }),
  },
  {
    pattern: /\bdebian\b\D*?(\d+)/i,
    os: (m) => ({ osFamily: 'debian', osId: 'debian', osName: 'Debian', osVersion: m[1]! }),
  },
  {
    pattern: /\bubuntu\b\D*?(\d+\.\d+)/i,
    os: (m) => ({ osFamily: 'debian', osId: 'ubuntu', osName: 'Ubuntu', osVersion: m[1]! }),
  },
  {
    pattern: /\b(?:red\s*hat\s+enterprise\s+linux|rhel)\b\D*?(\d+(?:\.\d+)?)/i,
    os: (m) => ({ osFamily: 'rhel', osId: 'rhel', osName: 'RHEL', osVersion: m[1]! }),
  },
  {
    pattern: /\brocky\b\D*?(\d+(?:\.\d+)?)/i,
    os: (m) => ({ osFamily: 'rhel', osId: 'rocky', osName: 'Rocky Linux', osVersion: m[1]! }),
  },
  {
    pattern: /\balma\s*linux\b\D*?(\d+(?:\.\d+)?)/i,
    os: (m) => ({ osFamily: 'rhel', osId: 'almalinux', osName: 'AlmaLinux', osVersion: m[1]! }),
  },
  {
    pattern: /\bcentos\s+stream\b\D*?(\d+)/i,
    os: (m) => ({ osFamily: 'rhel', osId: 'centos', osName: 'CentOS Stream', osVersion: m[1]! }),
  },
  {
    pattern: /\bcentos\b\D*?(\d+(?:\.\d+)?)/i,
    os: (m) => ({ osFamily: 'rhel', osId: 'centos', osName: 'CentOS Linux', osVersion: m[1]! }),
  },
  {
    pattern: /\boracle\s+linux\b\D*?(\d+(?:\.\d+)?)/i,
    os: (m) => ({ osFamily: 'rhel', osId: 'ol', osName: 'Oracle Linux', osVersion: m[1]! }),
  },
  {
    pattern: /\b(?:suse\s+linux\s+enterprise\s+server|sles)\s*(\d+)(?:\s*(?:sp|\.)\s*(\d+))?/i,
    os: (m) => ({
      osFamily: 'unknown',
      osId: 'sles',
      osName: 'SLES',
      osVersion: `${m[1]!}.${m[2] ?? '0'}`,
    }),
  },
  {
    pattern: /\bmac\s*os(?:\s*x)?\b\D*?(\d+(?:\.\d+)?)/i,
    os: (m) => ({ osFamily: 'macos', osId: 'macos', osName: 'macOS', osVersion: m[1]! }),
  },
];

/**
 * The product cycle of a free-text operating-system name, as a CMDB or Nmap gives it
 * ("Ubuntu 22.04.3 LTS", "Windows Server 2019 Standard", "SLES 15 SP5"); null when unknown.
 */
export function matchEolByName(
  name: string,
  dataset: EolDataset = shippedEolDataset(),
): EolMatch | null {
  for (const { pattern, os } of NAME_PATTERNS) {
    const m = pattern.exec(name);
    if (m) return matchEol(os(m), dataset);
  }
  return null;
}

/** Adds days to a YYYY-MM-DD date. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The reference dates an EOL status is judged against: today and the end of the "soon" window. */
export type EolHorizon = { today: string; soonUntil: string };

/** Today (UTC) and the last day counted as `soon`. */
export function eolHorizon(now: Date, soonDays = EOL_SOON_DAYS): EolHorizon {
  const today = now.toISOString().slice(0, 10);
  return { today, soonUntil: addDays(today, soonDays) };
}

/**
 * Judges a matched cycle against today: `eol` once the end date has passed, `soon` within the
 * window, `supported` after it, `unknown` when nothing matched or no end date is known.
 */
export function eolStatus(
  match: { product: string | null; eolDate: string | null } | null,
  horizon: EolHorizon,
): EolStatus {
  const product = match?.product ?? null;
  const eolDate = match?.eolDate ?? null;
  if (eolDate === null) return { status: 'unknown', product, eolDate };
  if (eolDate < horizon.today) return { status: 'eol', product, eolDate };
  if (eolDate <= horizon.soonUntil) return { status: 'soon', product, eolDate };
  return { status: 'supported', product, eolDate };
}
