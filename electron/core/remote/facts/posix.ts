import type { Container, DiskSpace, ListeningService } from '../../../../shared/domain/host-facts';
import { asShellWord, joinCommands, sh, type RemoteCommand } from '../command';

import {
  cleanText,
  FACT_LIMITS,
  parseCount,
  pushBounded,
  type ScanNotes,
  type Section,
} from './parse-kit';

/**
 * The start of every batched POSIX script: a fixed locale and PATH, and the helpers that print
 * section markers (`b name` / `e name rc`), test for a tool (`has tool`) and print a file with
 * shell builtins only (`show file`: no process started).
 *
 * The nonce is fresh per scan (see `parseSections`); it is quoted by the `sh` template.
 */
export function scriptPrelude(nonce: string): RemoteCommand {
  return sh`M=${nonce}
LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
b() { printf '\\n@@%s@@ begin %s\\n' "$M" "$1"; }
e() { printf '\\n@@%s@@ end %s %s\\n' "$M" "$1" "$2"; }
has() { command -v "$1" >/dev/null 2>&1; }
bounded() { if has timeout; then timeout 20 "$@"; else "$@"; fi; }
show() { [ -r "$1" ] || return 1; while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done <"$1"; }`;
}

/**
 * One batched script, run by `/bin/sh` whatever the account's login shell is: the prelude, then
 * the given sections.
 */
export function posixScript(nonce: string, sections: readonly RemoteCommand[]): RemoteCommand {
  const script = joinCommands([scriptPrelude(nonce), ...sections], '\n');
  return sh`/bin/sh -c ${asShellWord(script)}`;
}

/**
 * Sections every Linux host answers the same way: os-release, kernel release, machine and host
 * name (one `uname -nrm`, which prints them in that order), uptime and boot time, space on / and
 * /var (statfs, deduplicated by device), listening sockets (`ss`, or /proc/net when `ss` is
 * missing or fails) and running containers (only where docker or podman is installed).
 *
 * Small files are read with shell builtins (os-release, /proc/uptime); /proc/stat, whose
 * interrupt line runs to many kilobytes, is left to one `grep`, and /proc/net (which can be
 * megabytes) to `cat`. With `ss` present the section starts five processes (uname, grep, two
 * stat, ss).
 */
export const LINUX_COMMON_SECTIONS: RemoteCommand = sh`b os-release
show /etc/os-release || show /usr/lib/os-release
e os-release $?
b uname
uname -nrm
e uname $?
b uptime
show /proc/uptime && grep '^btime ' /proc/stat
e uptime $?
b disks
set -- /
[ -d /var ] && set -- / /var
nl='
'
if d=$(stat -c %d -- "$@") && f=$(stat -f -c '%S %b %a' -- "$@"); then
  for p in "$@"; do
    printf '%s\\t%s\\t%s\\n' "$p" "\${d%%"$nl"*}" "\${f%%"$nl"*}"
    d=\${d#*"$nl"}
    f=\${f#*"$nl"}
  done
  r=0
else
  r=1
fi
e disks $r
r=1
if has ss; then
  b ss
  ss -H -ltnup 2>&1
  r=$?
  e ss $r
fi
if [ "$r" -ne 0 ]; then
  b proc-net
  for f in /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; do
    [ -r "$f" ] && printf '# %s\\n' "$f" && cat "$f"
  done
  e proc-net 0
fi
if has docker; then
  b docker
  bounded docker ps --no-trunc --format '{{json .}}' 2>&1
  e docker $?
fi
if has podman; then
  b podman
  bounded podman ps --format json 2>&1
  e podman $?
fi`;

/**
 * Host name, kernel release and machine from one line of `uname -nrm` (POSIX fixes that order),
 * or null when the line does not have exactly these three words.
 */
export function parseUname(
  lines: readonly string[],
): { hostname: string; kernel: string; arch: string } | null {
  const words = (lines.find((line) => line.trim() !== '') ?? '').trim().split(/\s+/);
  if (words.length !== 3) return null;
  const [hostname, kernel, arch] = words.map((word) => cleanText(word)) as [string, string, string];
  return { hostname, kernel, arch };
}

/** Parsed `KEY=value` lines of os-release(5); the first occurrence of a key wins. */
export function parseOsRelease(lines: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of lines) {
    const match = /^([A-Z][A-Z0-9_]{0,63})=(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, key, raw] = match as unknown as [string, string, string];
    if (!values.has(key)) values.set(key, cleanText(unquoteShellValue(raw)));
  }
  return values;
}

/** Undoes os-release quoting: `"..."` with backslash escapes, `'...'`, or a bare word. */
function unquoteShellValue(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    return raw.slice(1, -1).replace(/\\([\\$"`])/g, '$1');
  }
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  return raw;
}

/** Name, version and codename from os-release values. */
export function osIdentity(release: ReadonlyMap<string, string>): {
  osId: string;
  osName: string;
  osVersion: string;
  osCodename: string | null;
} {
  const codename = release.get('VERSION_CODENAME') || release.get('UBUNTU_CODENAME') || null;
  return {
    osId: release.get('ID') || 'linux',
    osName: release.get('NAME') || release.get('PRETTY_NAME') || 'Linux',
    osVersion: release.get('VERSION_ID') ?? '',
    osCodename: codename,
  };
}

/**
 * Uptime from /proc/uptime and the boot time from the `btime` line of /proc/stat.
 *
 * The boot time comes from the host's clock; without it, it is estimated from ours.
 */
export function parseLinuxUptime(
  lines: readonly string[],
  collectedAt: Date,
): { uptimeSeconds: number; lastBoot: string | null } | null {
  const uptime = /^(\d{1,12})(?:\.\d+)?\s/.exec(`${lines[0] ?? ''} `);
  if (!uptime) return null;
  const uptimeSeconds = Number(uptime[1]);
  const btimeLine = lines.find((line) => line.startsWith('btime '));
  const btime = btimeLine === undefined ? null : parseCount(btimeLine.slice(6).trim());
  const bootMs = btime !== null ? btime * 1000 : collectedAt.getTime() - uptimeSeconds * 1000;
  return { uptimeSeconds, lastBoot: new Date(bootMs).toISOString() };
}

/**
 * Disk space from lines `path<TAB>device<TAB>blockSize totalBlocks availableBlocks`.
 *
 * Free space is what an unprivileged writer can use (statfs `f_bavail`), the figure df shows as
 * "Available". A path on the same device as an earlier one (/var inside /) is not repeated.
 */
export function parseStatDisks(lines: readonly string[], notes: ScanNotes): DiskSpace[] {
  const disks: DiskSpace[] = [];
  const seenDevices = new Set<string>();
  for (const line of lines) {
    const match = /^(\/\S*)\t(\d+)\t(\d+) (\d+) (\d+)$/.exec(line);
    if (!match) {
      notes.malformed('disks');
      continue;
    }
    const [, mount, device, size, total, free] = match as unknown as string[];
    const blockSize = parseCount(size!);
    const totalBlocks = parseCount(total!);
    const freeBlocks = parseCount(free!);
    if (blockSize === null || totalBlocks === null || freeBlocks === null) {
      notes.malformed('disks');
      continue;
    }
    if (seenDevices.has(device!)) continue;
    seenDevices.add(device!);
    pushBounded(
      disks,
      {
        mount: cleanText(mount!),
        totalBytes: blockSize * totalBlocks,
        freeBytes: blockSize * freeBlocks,
      },
      FACT_LIMITS.maxDisks,
      'disks',
      notes,
    );
  }
  return disks;
}

/**
 * Splits `host:port` as ss and lsof print it (`0.0.0.0:22`, `[::]:22`, `*:22`,
 * `127.0.0.53%lo:53`) into a bare address and a port; null when it is not one.
 */
export function splitAddressPort(text: string): { address: string; port: number } | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  const port = parseCount(text.slice(colon + 1));
  if (port === null || port > 65_535) return null;
  let address = text.slice(0, colon);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone > 0) address = address.slice(0, zone);
  if (address === '' || /\s/.test(address)) return null;
  return { address: cleanText(address), port };
}

/** Keeps one entry per protocol, address and port (reused ports appear once per socket). */
export function addService(
  services: ListeningService[],
  seen: Set<string>,
  service: ListeningService,
  notes: ScanNotes,
): void {
  const key = `${service.protocol} ${service.address} ${service.port}`;
  if (seen.has(key)) return;
  seen.add(key);
  pushBounded(services, service, FACT_LIMITS.maxServices, 'services', notes);
}

/**
 * Listening sockets from `ss -H -ltnup`: TCP in state LISTEN, UDP in state UNCONN.
 *
 * The process name is the first `("name",pid=…)` entry; ss shows it only for sockets the
 * scanning account may inspect, so it is null otherwise.
 */
export function parseSs(lines: readonly string[], notes: ScanNotes): ListeningService[] {
  const services: ListeningService[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    const [netid, state, , , local] = fields;
    if (fields.length < 6 || local === undefined) {
      notes.malformed('services');
      continue;
    }
    const protocol = netid === 'tcp' ? 'tcp' : netid === 'udp' ? 'udp' : null;
    if (protocol === null) {
      notes.malformed('services');
      continue;
    }
    if ((protocol === 'tcp' && state !== 'LISTEN') || (protocol === 'udp' && state !== 'UNCONN')) {
      continue;
    }
    const endpoint = splitAddressPort(local);
    if (endpoint === null) {
      notes.malformed('services');
      continue;
    }
    const users = /\(\("((?:[^"\\]|\\.){1,64})",pid=\d+/.exec(fields.slice(6).join(' '));
    const process = users ? cleanText(users[1]!) : null;
    addService(services, seen, { protocol, ...endpoint, process }, notes);
  }
  return services;
}

/**
 * Listening sockets from /proc/net/tcp, tcp6, udp and udp6, for hosts without `ss`.
 *
 * Each file is introduced by a `# /proc/net/<name>` line. Addresses are hex in the kernel's byte
 * order; the owning process is not known here.
 */
export function parseProcNet(lines: readonly string[], notes: ScanNotes): ListeningService[] {
  const services: ListeningService[] = [];
  const seen = new Set<string>();
  let file: { protocol: 'tcp' | 'udp'; v6: boolean } | null = null;
  for (const line of lines) {
    const header = /^# \/proc\/net\/(tcp|udp)(6?)$/.exec(line);
    if (header) {
      file = { protocol: header[1] as 'tcp' | 'udp', v6: header[2] === '6' };
      continue;
    }
    const fields = line.trim().split(/\s+/);
    if (file === null || fields[0] === 'sl') continue;
    const [, local, remote, state] = fields;
    const match = /^([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})$/.exec(local ?? '');
    if (
      !match ||
      remote === undefined ||
      state === undefined ||
      match[1]!.length !== (file.v6 ? 32 : 8)
    ) {
      notes.malformed('services');
      continue;
    }
    const listening =
      file.protocol === 'tcp' ? state === '0A' : state === '07' && /^0+:0000$/.test(remote);
    if (!listening) continue;
    const address = file.v6 ? hexToIpv6(match[1]!) : hexToIpv4(match[1]!);
    addService(
      services,
      seen,
      { protocol: file.protocol, address, port: Number.parseInt(match[2]!, 16), process: null },
      notes,
    );
  }
  return services;
}

/** `0100007F` (little-endian, as /proc/net prints it) → `127.0.0.1`. */
function hexToIpv4(hex: string): string {
  const bytes = [6, 4, 2, 0].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return bytes.join('.');
}

/** Four little-endian 32-bit words → the canonical (compressed) IPv6 text. */
function hexToIpv6(hex: string): string {
  const groups: string[] = [];
  for (let word = 0; word < 4; word += 1) {
    const chunk = hex.slice(word * 8, word * 8 + 8);
    const bytes = [6, 4, 2, 0].map((at) => chunk.slice(at, at + 2));
    groups.push(`${bytes[0]}${bytes[1]}`, `${bytes[2]}${bytes[3]}`);
  }
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** Running containers from `docker ps --no-trunc --format` with the json template (one object per line). */
export function parseDockerPs(section: Section, notes: ScanNotes): Container[] {
  const containers: Container[] = [];
  for (const line of section.lines) {
    if (line.trim() === '') continue;
    const item = parseJsonObject(line);
    const container = item === null ? null : toContainer('docker', item);
    if (container === null) notes.malformed('docker');
    else pushBounded(containers, container, FACT_LIMITS.maxContainers, 'containers', notes);
  }
  return containers;
}

/** Running containers from `podman ps --format json` (one JSON array). */
export function parsePodmanPs(section: Section, notes: ScanNotes): Container[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(section.lines.join('\n'));
  } catch {
    notes.warn('podman: the container list was not valid JSON');
    return [];
  }
  if (!Array.isArray(parsed)) {
    notes.warn('podman: the container list was not a JSON array');
    return [];
  }
  const containers: Container[] = [];
  for (const item of parsed as unknown[]) {
    const container = isRecord(item) ? toContainer('podman', item) : null;
    if (container === null) notes.malformed('podman');
    else pushBounded(containers, container, FACT_LIMITS.maxContainers, 'containers', notes);
  }
  return containers;
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Docker prints `ID`/`Names` (a comma-joined string); podman `Id`/`Names` (an array). */
function toContainer(
  runtime: Container['runtime'],
  item: Record<string, unknown>,
): Container | null {
  const id = item['ID'] ?? item['Id'];
  const rawNames = item['Names'];
  const names = Array.isArray(rawNames)
    ? rawNames.filter((name): name is string => typeof name === 'string').join(',')
    : rawNames;
  const image = item['Image'];
  // podman leaves Status empty in JSON on some versions; State ("running") is then the status.
  const status =
    typeof item['Status'] === 'string' && item['Status'] !== '' ? item['Status'] : item['State'];
  if (typeof id !== 'string' || !/^[0-9a-f]{12,64}$/.test(id)) return null;
  if (typeof names !== 'string' || typeof image !== 'string' || typeof status !== 'string') {
    return null;
  }
  return {
    runtime,
    id,
    name: cleanText(names),
    image: cleanText(image),
    status: cleanText(status),
  };
}
