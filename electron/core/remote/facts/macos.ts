import { AppError } from '../../../../shared/api/errors';
import type {
  DiskSpace,
  InstalledPackage,
  ListeningService,
} from '../../../../shared/domain/host-facts';
import { sh, type RemoteCommand } from '../command';

import type { FactsAdapter } from './adapter';
import {
  cleanText,
  FACT_LIMITS,
  firstLine,
  optionalSection,
  parseCount,
  parseSections,
  pushBounded,
  requireSection,
  ScanNotes,
} from './parse-kit';
import { addService, posixScript, splitAddressPort } from './posix';

/**
 * The macOS sections: `sw_vers`, kernel and machine from `uname`, the boot time
 * (`sysctl -n kern.boottime`) with the host's own clock (`date +%s`), space on / (`df -P -k /`),
 * installer receipts (`pkgutil --pkgs`, then `pkgutil --pkg-info` for each) and TCP listeners
 * (`lsof -nP -iTCP -sTCP:LISTEN`, which exits 1 when it finds none).
 */
export const MACOS_SECTIONS: RemoteCommand = sh`b sw-vers
sw_vers
e sw-vers $?
b kernel
uname -r
e kernel $?
b arch
uname -m
e arch $?
b hostname
uname -n
e hostname $?
b boottime
sysctl -n kern.boottime && date +%s
e boottime $?
b disks
df -P -k /
e disks $?
b packages
if has pkgutil; then
  pkgutil --pkgs | while IFS= read -r p; do pkgutil --pkg-info "$p"; echo; done
  e packages $?
else
  e packages 127
fi
if has lsof; then
  b lsof
  lsof -nP -iTCP -sTCP:LISTEN
  e lsof 0
fi`;

/** `ProductName:\tmacOS` lines of `sw_vers` as a map. */
export function parseSwVers(lines: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of lines) {
    const match = /^([A-Za-z]{1,40}):\s*(.*)$/.exec(line);
    if (match && !values.has(match[1]!)) values.set(match[1]!, cleanText(match[2]!));
  }
  return values;
}

/** Marketing names by major version, as Apple publishes them. */
const MACOS_NAMES: Readonly<Record<string, string>> = {
  '11': 'Big Sur',
  '12': 'Monterey',
  '13': 'Ventura',
  '14': 'Sonoma',
  '15': 'Sequoia',
  '26': 'Tahoe',
};

/** The macOS marketing name for a ProductVersion (`14.4.1` → `Sonoma`), or null. */
export function macosCodename(version: string): string | null {
  return MACOS_NAMES[version.split('.')[0] ?? ''] ?? null;
}

/**
 * Uptime from `kern.boottime` (`{ sec = 1712345678, usec = 0 } Thu Apr …`) and the host's
 * `date +%s`, both by the host's clock.
 */
export function parseBootTime(
  lines: readonly string[],
): { uptimeSeconds: number; lastBoot: string } | null {
  const boot = /\{\s*sec\s*=\s*(\d{1,12})\s*,/.exec(lines[0] ?? '');
  const now = parseCount((lines[1] ?? '').trim());
  if (!boot || now === null) return null;
  const bootSeconds = Number(boot[1]);
  return {
    uptimeSeconds: Math.max(0, now - bootSeconds),
    lastBoot: new Date(bootSeconds * 1000).toISOString(),
  };
}

/** Disk space from `df -P -k` (1024-byte blocks; "Available" is the free figure). */
export function parseDfK(lines: readonly string[], notes: ScanNotes): DiskSpace[] {
  const disks: DiskSpace[] = [];
  for (const line of lines) {
    if (line.startsWith('Filesystem')) continue;
    const match = /^.*?\s+(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s+\d{1,3}%\s+(\/.*)$/.exec(line);
    if (!match) {
      notes.malformed('disks');
      continue;
    }
    pushBounded(
      disks,
      {
        mount: cleanText(match[4]!),
        totalBytes: Number(match[1]) * 1024,
        freeBytes: Number(match[3]) * 1024,
      },
      FACT_LIMITS.maxDisks,
      'disks',
      notes,
    );
  }
  return disks;
}

/**
 * Installer receipts from `pkgutil --pkg-info` blocks (`package-id: …`, `version: …`, …).
 *
 * Receipts record no architecture, so `arch` is empty.
 */
export function parsePkgInfo(lines: readonly string[], notes: ScanNotes): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let current: { name: string; version: string } | null = null;
  const flush = () => {
    if (current !== null) {
      pushBounded(
        packages,
        { name: current.name, version: current.version, arch: '', kind: 'pkg' },
        FACT_LIMITS.maxPackages,
        'packages',
        notes,
      );
    }
    current = null;
  };
  for (const line of lines) {
    if (line.trim() === '') continue;
    const match = /^([a-z-]{1,30}):\s?(.*)$/.exec(line);
    if (!match) {
      notes.malformed('packages');
      continue;
    }
    const [, key, value] = match as unknown as [string, string, string];
    if (key === 'package-id') {
      flush();
      if (/^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/.test(value)) current = { name: value, version: '' };
      else notes.malformed('packages');
    } else if (key === 'version' && current !== null) {
      current.version = cleanText(value);
    }
  }
  flush();
  return packages;
}

/** TCP listeners from `lsof -nP -iTCP -sTCP:LISTEN` (`launchd 1 root 40u IPv6 … TCP *:22 (LISTEN)`). */
export function parseLsof(lines: readonly string[], notes: ScanNotes): ListeningService[] {
  const services: ListeningService[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    if (line.startsWith('COMMAND')) continue;
    const match = /^(\S{1,64})\s+\d+\s.*\sTCP\s+(\S+)\s+\(LISTEN\)$/.exec(line);
    const endpoint = match ? splitAddressPort(match[2]!) : null;
    if (!match || endpoint === null) {
      notes.malformed('services');
      continue;
    }
    addService(
      services,
      seen,
      { protocol: 'tcp', ...endpoint, process: cleanText(match[1]!) },
      notes,
    );
  }
  return services;
}

/** Facts from macOS hosts: installer receipts, no reboot flag (macOS keeps none). */
export const macosAdapter: FactsAdapter = {
  family: 'macos',
  // pkgutil starts once per receipt; a few hundred receipts take tens of seconds.
  timeoutMs: 300_000,
  command: (nonce) => posixScript(nonce, [MACOS_SECTIONS]),
  parse(result, context) {
    const notes = new ScanNotes();
    const target = { address: context.address, family: 'macos' };
    const sections = parseSections(result.stdout, context.nonce, notes);
    const hint = 'Check that the host is a standard macOS system, then scan again.';
    const swVers = parseSwVers(requireSection(sections, 'sw-vers', target, hint));
    const kernel = firstLine(requireSection(sections, 'kernel', target, hint));
    const arch = firstLine(requireSection(sections, 'arch', target, hint));
    const hostname = firstLine(requireSection(sections, 'hostname', target, hint));
    const boot = parseBootTime(requireSection(sections, 'boottime', target, hint));
    const version = swVers.get('ProductVersion') ?? '';
    if (boot === null || version === '' || kernel === '' || hostname === '') {
      throw new AppError(
        'REMOTE_COMMAND_FAILED',
        `Collecting facts from ${context.address}: the macOS version, kernel, host name or boot time could not be read. ${hint}`,
        { address: context.address, family: 'macos' },
      );
    }
    const packages = parsePkgInfo(
      requireSection(
        sections,
        'packages',
        target,
        'PatchDeck lists macOS installer receipts with pkgutil; check that it runs on the host, then scan again.',
      ),
      notes,
    );
    const lsof = optionalSection(sections, 'lsof', notes);
    return {
      osFamily: 'macos',
      osId: 'macos',
      osName: swVers.get('ProductName') || 'macOS',
      osVersion: version,
      osCodename: macosCodename(version),
      kernel,
      arch,
      packageArch: null,
      hostname,
      uptimeSeconds: boot.uptimeSeconds,
      lastBoot: boot.lastBoot,
      disks: parseDfK(optionalSection(sections, 'disks', notes) ?? [], notes),
      rebootRequired: false,
      rebootReason: null,
      packages,
      services: lsof === null ? [] : parseLsof(lsof, notes),
      containers: [],
      collectedAt: context.collectedAt.toISOString(),
      warnings: notes.list(),
    };
  },
};
