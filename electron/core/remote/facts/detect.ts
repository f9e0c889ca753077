import type { OsFamily } from '../../../../shared/domain/host-facts';
import { sh, type RemoteCommand } from '../command';
import type { RemoteSession, RunResult } from '../session';

import { splitLines } from './parse-kit';
import { parseOsRelease } from './posix';

/**
 * One probe that every shell a host may answer with can run.
 *
 * A POSIX shell prints `%OS% :OS`, then `uname -s` and os-release. cmd.exe (Windows OpenSSH's
 * default shell) prints the line back with `%OS%` expanded to `Windows_NT`; PowerShell expands
 * `$env:OS` to `Windows_NT` and fails harmlessly on the rest. Nothing in it is a syntax error for
 * any of the three, so the probe always answers.
 */
export const DETECT_COMMAND: RemoteCommand = sh`echo %OS% $env:OS; uname -s; cat /etc/os-release /usr/lib/os-release`;

/** os-release ids (ID or any of ID_LIKE) per family. */
const DEBIAN_IDS = new Set(['debian', 'ubuntu', 'raspbian', 'linuxmint', 'devuan', 'kali']);
const RHEL_IDS = new Set([
  'rhel',
  'fedora',
  'centos',
  'rocky',
  'almalinux',
  'ol',
  'amzn',
  'scientific',
]);

/** Which adapter the probe's output calls for; `unknown` when it matches none. */
export function familyFromProbe(result: Pick<RunResult, 'stdout'>): OsFamily {
  const lines = splitLines(result.stdout.slice(0, 64 * 1024)).map((line) => line.trim());
  if (lines.some((line) => line.includes('Windows_NT'))) return 'windows';
  if (lines.includes('Darwin')) return 'macos';
  if (!lines.includes('Linux')) return 'unknown';
  const release = parseOsRelease(lines);
  const ids = [release.get('ID') ?? '', ...(release.get('ID_LIKE') ?? '').split(/\s+/)]
    .map((id) => id.toLowerCase())
    .filter((id) => id !== '');
  // ID decides before ID_LIKE: Ubuntu is like Debian, Fedora is not like RHEL but is RPM.
  for (const id of ids) {
    if (DEBIAN_IDS.has(id)) return 'debian';
    if (RHEL_IDS.has(id)) return 'rhel';
  }
  return 'unknown';
}

/** Asks the host which OS family it runs, with one cheap command. */
export async function detectFamily(session: RemoteSession): Promise<OsFamily> {
  const result = await session.run(DETECT_COMMAND, { timeoutMs: 30_000 });
  return familyFromProbe(result);
}
