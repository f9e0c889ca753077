import { AppError } from '../../../../shared/api/errors';
import type { HostFacts } from '../../../../shared/domain/host-facts';
import type { RunResult } from '../session';

import type { ScanContext } from './adapter';
import {
  optionalSection,
  parseSections,
  requireSection,
  ScanNotes,
  type ScanTarget,
  type Section,
} from './parse-kit';
import {
  osIdentity,
  parseDockerPs,
  parseLinuxUptime,
  parseOsRelease,
  parsePodmanPs,
  parseProcNet,
  parseSs,
  parseStatDisks,
  parseUname,
} from './posix';

/** The facts every Linux host reports the same way, plus what the family parser needs. */
export type LinuxBase = {
  facts: Omit<HostFacts, 'osFamily' | 'packages' | 'rebootRequired' | 'rebootReason' | 'warnings'>;
  sections: Map<string, Section>;
  notes: ScanNotes;
  target: ScanTarget;
};

/**
 * Parses the sections shared by Debian and RHEL hosts (see `LINUX_COMMON_SECTIONS`).
 *
 * os-release, kernel, machine, host name and uptime are essential; disks, sockets and
 * containers are best effort and leave a warning when their tool failed.
 */
export function parseLinuxBase(result: RunResult, context: ScanContext, family: string): LinuxBase {
  const notes = new ScanNotes();
  const target: ScanTarget = { address: context.address, family };
  const sections = parseSections(result.stdout, context.nonce, notes);
  if (sections.size === 0) {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `Collecting facts from ${context.address} printed nothing PatchDeck could read (exit code ${String(result.code)}). Check that the account can run /bin/sh on the host, then scan again.`,
      {
        address: context.address,
        family,
        exitCode: result.code,
        stderrTail: result.stderr.slice(-500),
      },
    );
  }
  const hint = 'Check that the host is a standard Linux system, then scan again.';
  const release = parseOsRelease(requireSection(sections, 'os-release', target, hint));
  const uname = parseUname(requireSection(sections, 'uname', target, hint));
  const uptime = parseLinuxUptime(
    requireSection(sections, 'uptime', target, hint),
    context.collectedAt,
  );
  if (uptime === null || uname === null) {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `Collecting facts from ${context.address}: the kernel, machine, host name or uptime could not be read. ${hint}`,
      { address: context.address, family },
    );
  }
  const disks = parseStatDisks(optionalSection(sections, 'disks', notes) ?? [], notes);

  const ss = optionalSection(sections, 'ss', notes);
  const procNet = optionalSection(sections, 'proc-net', notes);
  const services =
    ss !== null ? parseSs(ss, notes) : procNet !== null ? parseProcNet(procNet, notes) : [];

  const containers = [];
  const docker = sections.get('docker');
  if (docker !== undefined && optionalSection(sections, 'docker', notes) !== null) {
    containers.push(...parseDockerPs(docker, notes));
  }
  const podman = sections.get('podman');
  if (podman !== undefined && optionalSection(sections, 'podman', notes) !== null) {
    containers.push(...parsePodmanPs(podman, notes));
  }

  return {
    facts: {
      ...osIdentity(release),
      kernel: uname.kernel,
      arch: uname.arch,
      hostname: uname.hostname,
      uptimeSeconds: uptime.uptimeSeconds,
      lastBoot: uptime.lastBoot,
      disks,
      services,
      containers,
      collectedAt: context.collectedAt.toISOString(),
    },
    sections,
    notes,
    target,
  };
}
