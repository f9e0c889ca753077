import { AppError } from '../../../../shared/api/errors';
import type {
  DiskSpace,
  HostFacts,
  InstalledPackage,
  ListeningService,
} from '../../../../shared/domain/host-facts';
import { powerShellCommand, ps, type PowerShellScript } from '../command';

import type { FactsAdapter, ScanContext } from './adapter';
import { cleanText, FACT_LIMITS, pushBounded, ScanNotes } from './parse-kit';
import { addService, isRecord } from './posix';

const UNINSTALL_KEY = String.raw`HKLM:\Software\Microsoft\Windows\CurrentVersion\Uninstall\*`;
const UNINSTALL_KEY_32 = String.raw`HKLM:\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*`;
const CURRENT_VERSION_KEY = String.raw`HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion`;
const CBS_REBOOT_KEY = String.raw`HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending`;
const WU_REBOOT_KEY = String.raw`HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired`;

/**
 * The whole Windows scan as one PowerShell script that writes one compressed JSON object.
 *
 * Uses only documented interfaces: `Get-CimInstance Win32_OperatingSystem` and
 * `Win32_LogicalDisk`, `Get-HotFix`, the Uninstall registry keys (native and WOW6432Node), the
 * `RebootPending`/`RebootRequired` keys, `Get-NetTCPConnection -State Listen`. Dates leave the
 * host as UTC ISO text (Windows PowerShell 5.1 would otherwise write `/Date(…)/`). A part that
 * fails adds a warning instead of stopping the scan; only the OS query is essential.
 */
export const WINDOWS_FACTS_SCRIPT: PowerShellScript = ps`$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$warnings = New-Object System.Collections.Generic.List[string]
function Get-Part([string] $Name, [scriptblock] $Block) {
  try { & $Block } catch { $warnings.Add($Name + ': ' + $_.Exception.Message) }
}
function Format-Utc($Value) {
  if ($null -eq $Value) { return $null }
  try { ([datetime] $Value).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture) } catch { $null }
}
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$cv = Get-ItemProperty -Path ${CURRENT_VERSION_KEY} -ErrorAction SilentlyContinue
$hotFixes = @(Get-Part 'hotfixes' { Get-HotFix | ForEach-Object { [ordered]@{ HotFixID = [string] $_.HotFixID; InstalledOn = Format-Utc $_.InstalledOn } } })
$programs = @(Get-Part 'programs' { Get-ItemProperty -Path ${UNINSTALL_KEY}, ${UNINSTALL_KEY_32} -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName } | ForEach-Object { [ordered]@{ DisplayName = [string] $_.DisplayName; DisplayVersion = [string] $_.DisplayVersion; Publisher = [string] $_.Publisher; WindowsInstaller = [int] $_.WindowsInstaller; Wow6432Node = [bool] ($_.PSPath -match 'WOW6432Node') } } })
$rebootPending = @()
if (Test-Path -Path ${CBS_REBOOT_KEY}) { $rebootPending += 'Component Based Servicing' }
if (Test-Path -Path ${WU_REBOOT_KEY}) { $rebootPending += 'Windows Update' }
$disks = @(Get-Part 'disks' { Get-CimInstance -ClassName Win32_LogicalDisk -Filter 'DriveType=3' | ForEach-Object { [ordered]@{ DeviceID = [string] $_.DeviceID; Size = [uint64] $_.Size; FreeSpace = [uint64] $_.FreeSpace } } })
$listeners = @(Get-Part 'listeners' { Get-NetTCPConnection -State Listen | ForEach-Object { [ordered]@{ LocalAddress = [string] $_.LocalAddress; LocalPort = [int] $_.LocalPort; ProcessName = (Get-Process -Id $_.OwningProcess -ErrorAction SilentlyContinue).ProcessName } } })
$facts = [ordered]@{
  ComputerName = $env:COMPUTERNAME
  ProcessorArchitecture = $env:PROCESSOR_ARCHITECTURE
  Caption = $os.Caption
  Version = $os.Version
  BuildNumber = $os.BuildNumber
  OSArchitecture = $os.OSArchitecture
  LastBootUpTime = Format-Utc $os.LastBootUpTime
  UptimeSeconds = [int64] ((Get-Date) - $os.LastBootUpTime).TotalSeconds
  DisplayVersion = $cv.DisplayVersion
  UBR = $cv.UBR
  HotFixes = $hotFixes
  Programs = $programs
  RebootPending = $rebootPending
  Disks = $disks
  Listeners = $listeners
  Warnings = $warnings.ToArray()
}
[Console]::Out.Write((ConvertTo-Json -InputObject $facts -Depth 4 -Compress))`;

/** `PROCESSOR_ARCHITECTURE` → the kernel-style machine name and the Windows package arch. */
const ARCHES: Readonly<Record<string, { arch: string; packageArch: string }>> = {
  AMD64: { arch: 'x86_64', packageArch: 'x64' },
  ARM64: { arch: 'aarch64', packageArch: 'arm64' },
  X86: { arch: 'i686', packageArch: 'x86' },
};

/** ConvertTo-Json writes a one-element array as the element on some paths; accept both. */
function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === null || value === undefined ? [] : [value];
}

function text(value: unknown): string {
  return typeof value === 'string' ? cleanText(value) : '';
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value))
    return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}

/** Parses the script's JSON object into facts; throws when the OS part is missing. */
export function parseWindowsFacts(stdout: string, context: ScanContext): HostFacts {
  const notes = new ScanNotes();
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.replace(/^\uFEFF/, '').trim());
  } catch {
    parsed = null;
  }
  const caption = isRecord(parsed) ? text(parsed['Caption']) : '';
  const version = isRecord(parsed) ? text(parsed['Version']) : '';
  const hostname = isRecord(parsed) ? text(parsed['ComputerName']) : '';
  if (!isRecord(parsed) || caption === '' || version === '' || hostname === '') {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `Collecting facts from ${context.address}: Windows PowerShell did not return the expected system description. Check that the account may run powershell.exe and query Win32_OperatingSystem, then scan again.`,
      { address: context.address, family: 'windows' },
    );
  }
  const data = parsed;
  for (const warning of asList(data['Warnings'])) {
    if (typeof warning === 'string') notes.warn(warning);
  }
  const machine = ARCHES[text(data['ProcessorArchitecture']).toUpperCase()];
  const packageArch = machine?.packageArch ?? null;
  const ubr = count(data['UBR']);

  const packages: InstalledPackage[] = [];
  for (const item of asList(data['HotFixes'])) {
    const id = isRecord(item) ? text(item['HotFixID']) : '';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) {
      notes.malformed('hotfixes');
      continue;
    }
    pushBounded(
      packages,
      { name: id.toUpperCase(), version: '', arch: packageArch ?? '', kind: 'msu' },
      FACT_LIMITS.maxPackages,
      'packages',
      notes,
    );
  }
  for (const item of asList(data['Programs'])) {
    const name = isRecord(item) ? text(item['DisplayName']) : '';
    if (!isRecord(item) || name === '') {
      notes.malformed('programs');
      continue;
    }
    const publisher = text(item['Publisher']);
    pushBounded(
      packages,
      {
        name,
        version: text(item['DisplayVersion']),
        arch: item['Wow6432Node'] === true ? 'x86' : (packageArch ?? ''),
        kind: item['WindowsInstaller'] === 1 ? 'msi' : 'program',
        ...(publisher === '' ? {} : { publisher }),
      },
      FACT_LIMITS.maxPackages,
      'packages',
      notes,
    );
  }

  const disks: DiskSpace[] = [];
  for (const item of asList(data['Disks'])) {
    const mount = isRecord(item) ? text(item['DeviceID']) : '';
    const total = isRecord(item) ? count(item['Size']) : null;
    const free = isRecord(item) ? count(item['FreeSpace']) : null;
    if (!/^[A-Za-z]:$/.test(mount) || total === null || free === null) {
      notes.malformed('disks');
      continue;
    }
    pushBounded(
      disks,
      { mount, totalBytes: total, freeBytes: free },
      FACT_LIMITS.maxDisks,
      'disks',
      notes,
    );
  }

  const services: ListeningService[] = [];
  const seen = new Set<string>();
  for (const item of asList(data['Listeners'])) {
    const address = isRecord(item) ? text(item['LocalAddress']) : '';
    const port = isRecord(item) ? count(item['LocalPort']) : null;
    if (address === '' || /\s/.test(address) || port === null || port > 65_535) {
      notes.malformed('services');
      continue;
    }
    const process = isRecord(item) ? text(item['ProcessName']) : '';
    addService(services, seen, { protocol: 'tcp', address, port, process: process || null }, notes);
  }

  const pending = asList(data['RebootPending']).filter((v): v is string => typeof v === 'string');
  return {
    osFamily: 'windows',
    osId: 'windows',
    osName: caption,
    osVersion: version,
    osCodename: text(data['DisplayVersion']) || null,
    kernel: ubr === null ? version : `${version}.${ubr}`,
    arch: machine?.arch ?? (text(data['ProcessorArchitecture']).toLowerCase() || 'unknown'),
    packageArch,
    hostname,
    uptimeSeconds: count(data['UptimeSeconds']) ?? 0,
    lastBoot: isoOrNull(data['LastBootUpTime']),
    disks,
    rebootRequired: pending.length > 0,
    rebootReason:
      pending.length > 0
        ? cleanText(`restart pending (${pending.map((p) => cleanText(p)).join(', ')})`)
        : null,
    packages,
    services,
    containers: [],
    collectedAt: context.collectedAt.toISOString(),
    warnings: notes.list(),
  };
}

/** Facts from Windows hosts over OpenSSH: hotfixes (msu), registered programs, pending restart. */
export const windowsAdapter: FactsAdapter = {
  family: 'windows',
  timeoutMs: 180_000,
  command: () => powerShellCommand(WINDOWS_FACTS_SCRIPT),
  parse(result, context) {
    if (result.code !== 0) {
      throw new AppError(
        'REMOTE_COMMAND_FAILED',
        `Collecting facts from ${context.address}: PowerShell exited with code ${String(result.code)}: ${cleanText(result.stderr.slice(-400), 400)} Check the account's rights on the host, then scan again.`,
        { address: context.address, family: 'windows', exitCode: result.code },
      );
    }
    return parseWindowsFacts(result.stdout, context);
  },
};
