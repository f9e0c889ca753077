import { execFile } from 'node:child_process';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { Media } from '../../../shared/api/ops/bundles';

/** What media listing reads from the machine; tests pass their own. */
export type MediaProbe = {
  platform: NodeJS.Platform;
  readFile(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
  realpath(path: string): Promise<string>;
  run(command: string, args: readonly string[]): Promise<string>;
  /** Folders under which Linux desktops mount media. */
  mediaRoots: readonly string[];
};

/** The real machine. */
export const systemMediaProbe: MediaProbe = {
  platform: process.platform,
  readFile: (path) => readFile(path, 'utf8'),
  readdir: (path) => readdir(path),
  realpath: (path) => realpath(path),
  run: (command, args) =>
    new Promise((resolve, reject) => {
      execFile(command, [...args], { timeout: 10_000, windowsHide: true }, (error, stdout) => {
        if (error) reject(new Error(`${command} failed: ${error.message}`, { cause: error }));
        else resolve(stdout);
      });
    }),
  mediaRoots: ['/media', '/run/media'],
};

/** Undoes the octal escapes of /proc/mounts (`\040` for a space). */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/** The block device (`sdb`) whose `removable` flag applies to a partition (`sdb1`). */
async function isRemovableDevice(probe: MediaProbe, device: string): Promise<boolean> {
  if (!device.startsWith('/dev/')) return false;
  let name: string;
  try {
    name = basename(await probe.realpath(device));
  } catch {
    name = basename(device);
  }
  const candidates = [name, name.replace(/p?[0-9]+$/, '')];
  for (const candidate of new Set(candidates)) {
    try {
      const flag = await probe.readFile(`/sys/block/${candidate}/removable`);
      return flag.trim() === '1';
    } catch {
      // Not a whole-disk name; try the next candidate.
    }
  }
  return false;
}

/**
 * Linux: mounts from /proc/mounts whose device is flagged removable in /sys/block, plus anything
 * mounted under /media or /run/media (where desktops mount USB sticks).
 */
async function listLinux(probe: MediaProbe): Promise<Media[]> {
  const text = await probe.readFile('/proc/mounts');
  const out: Media[] = [];
  for (const line of text.split('\n')) {
    const [deviceField, pointField, , optionsField] = line.split(' ');
    if (!deviceField || !pointField || !optionsField) continue;
    const device = unescapeMount(deviceField);
    const path = unescapeMount(pointField);
    const underMedia = probe.mediaRoots.some((root) => path.startsWith(`${root}/`));
    const removable = await isRemovableDevice(probe, device);
    if (!removable && !underMedia) continue;
    out.push({
      path,
      label: basename(path) || device,
      removable,
      device: device.startsWith('/dev/') ? device : null,
      readOnly: optionsField.split(',').includes('ro'),
    });
  }
  return out;
}

/** The JSON PowerShell prints for `Get-Volume` rows. */
type WindowsVolume = { DriveLetter?: string | null; FileSystemLabel?: string | null };

/** Windows: removable volumes with a drive letter, from PowerShell's Get-Volume. */
export async function listWindows(probe: MediaProbe): Promise<Media[]> {
  const stdout = await probe.run('powershell.exe', [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    "Get-Volume | Where-Object { $_.DriveType -eq 'Removable' -and $_.DriveLetter } | Select-Object DriveLetter, FileSystemLabel | ConvertTo-Json -Compress",
  ]);
  const trimmed = stdout.trim();
  if (trimmed === '') return [];
  const parsed = JSON.parse(trimmed) as WindowsVolume | WindowsVolume[];
  return (Array.isArray(parsed) ? parsed : [parsed])
    .filter((v) => typeof v.DriveLetter === 'string' && /^[A-Za-z]$/.test(v.DriveLetter))
    .map((v) => {
      const letter = `${String(v.DriveLetter).toUpperCase()}:`;
      return {
        path: `${letter}\\`,
        label: v.FileSystemLabel ? String(v.FileSystemLabel) : letter,
        removable: true,
        device: letter,
        readOnly: false,
      };
    });
}

/** macOS: every volume under /Volumes except the start-up disk (a link to /). */
async function listMac(probe: MediaProbe): Promise<Media[]> {
  const names = await probe.readdir('/Volumes').catch(() => []);
  const out: Media[] = [];
  for (const name of names) {
    const path = join('/Volumes', name);
    const real = await probe.realpath(path).catch(() => path);
    if (real === '/') continue;
    out.push({ path, label: name, removable: true, device: null, readOnly: false });
  }
  return out;
}

/** Lists mounted removable media on this machine, for the import picker. */
export async function listMedia(probe: MediaProbe = systemMediaProbe): Promise<Media[]> {
  if (probe.platform === 'win32') return listWindows(probe);
  if (probe.platform === 'darwin') return listMac(probe);
  return listLinux(probe);
}
