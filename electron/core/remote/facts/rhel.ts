import type { InstalledPackage } from '../../../../shared/domain/host-facts';
import { sh, type RemoteCommand } from '../command';

import type { FactsAdapter } from './adapter';
import { parseLinuxBase } from './linux';
import {
  cleanText,
  FACT_LIMITS,
  firstLine,
  optionalSection,
  pushBounded,
  requireSection,
  type ScanNotes,
} from './parse-kit';
import { LINUX_COMMON_SECTIONS, posixScript } from './posix';

/**
 * The RHEL-family sections: rpm's architecture, the reboot flag (`needs-restarting -r` from
 * dnf-utils when installed, else the installed kernel packages, compared with the running kernel
 * by the parser), and every package in the rpm database with epoch, version, release and arch.
 */
export const RHEL_SECTIONS: RemoteCommand = sh`b rpm-arch
rpm --eval '%{_arch}'
e rpm-arch $?
b reboot
if has needs-restarting; then
  echo needs-restarting
  needs-restarting -r 2>&1
  echo "rc=$?"
elif has rpm; then
  echo kernels
  rpm -q --qf '%{INSTALLTIME}\\t%{VERSION}-%{RELEASE}.%{ARCH}\\n' kernel kernel-core 2>/dev/null
fi
e reboot 0
b packages
if has rpm; then
  rpm -qa --qf '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{ARCH}\\n'
  e packages $?
else
  e packages 127
fi`;

/** Packages from `rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\n'`. */
export function parseRpmPackages(lines: readonly string[], notes: ScanNotes): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const line of lines) {
    const fields = line.split('\t');
    const [name, version, arch] = fields;
    if (
      fields.length !== 3 ||
      name === undefined ||
      version === undefined ||
      arch === undefined ||
      !/^[A-Za-z0-9_+][A-Za-z0-9_+.-]*$/.test(name) ||
      !/^\d{1,10}:[A-Za-z0-9.+~^_]+-[A-Za-z0-9.+~^_]+$/.test(version) ||
      !/^(?:[A-Za-z0-9_]+|\(none\))$/.test(arch)
    ) {
      notes.malformed('packages');
      continue;
    }
    pushBounded(
      packages,
      { name: cleanText(name), version: cleanText(version), arch: cleanText(arch), kind: 'rpm' },
      FACT_LIMITS.maxPackages,
      'packages',
      notes,
    );
  }
  return packages;
}

/**
 * The reboot flag of a RHEL-family host.
 *
 * With `needs-restarting -r`: exit code 1 means a reboot is needed (its output says why), 0 means
 * none. Without it: a reboot is needed when the newest installed kernel package (by install
 * time) is not the running kernel. No kernel package at all (a container image) means no flag.
 */
export function parseRhelReboot(
  lines: readonly string[] | null,
  runningKernel: string,
  notes: ScanNotes,
): { rebootRequired: boolean; rebootReason: string | null } {
  const none = { rebootRequired: false, rebootReason: null };
  if (lines === null || lines.length === 0) return none;
  if (lines[0] === 'needs-restarting') {
    const status = /^rc=(\d+)$/.exec(lines[lines.length - 1] ?? '');
    const code = status ? Number(status[1]) : null;
    const said = cleanText(
      lines
        .slice(1, -1)
        .map((line) => line.trim().replace(/^\*\s*/, ''))
        .filter((line) => line !== '')
        .join('; '),
    );
    if (code === 0) return none;
    if (code === 1)
      return {
        rebootRequired: true,
        rebootReason: said || 'needs-restarting -r reports a reboot is needed',
      };
    notes.warn(
      `reboot: needs-restarting -r failed (exit code ${String(code)})${said ? `: ${said}` : ''}`,
    );
    return none;
  }
  if (lines[0] === 'kernels') {
    let newest: { time: number; release: string } | null = null;
    for (const line of lines.slice(1)) {
      const match = /^(\d{1,12})\t(\S{1,200})$/.exec(line);
      if (!match) continue; // rpm -q prints "package kernel is not installed" for the absent name
      const time = Number(match[1]);
      if (newest === null || time > newest.time) newest = { time, release: match[2]! };
    }
    if (newest === null || newest.release === runningKernel) return none;
    return {
      rebootRequired: true,
      rebootReason: cleanText(
        `kernel ${newest.release} is installed but ${runningKernel} is running`,
      ),
    };
  }
  return none;
}

/** Facts from RHEL-family hosts (RHEL, Rocky, Alma, CentOS, Fedora, Oracle): rpm packages. */
export const rhelAdapter: FactsAdapter = {
  family: 'rhel',
  timeoutMs: 120_000,
  command: (nonce) => posixScript(nonce, [LINUX_COMMON_SECTIONS, RHEL_SECTIONS]),
  parse(result, context) {
    const base = parseLinuxBase(result, context, 'rhel');
    const packageLines = requireSection(
      base.sections,
      'packages',
      base.target,
      'PatchDeck lists RHEL-family packages with rpm; check that rpm works on the host (or pick the right OS family), then scan again.',
    );
    const packages = parseRpmPackages(packageLines, base.notes);
    const rpmArch = optionalSection(base.sections, 'rpm-arch', base.notes);
    const reboot = parseRhelReboot(
      optionalSection(base.sections, 'reboot', base.notes),
      base.facts.kernel,
      base.notes,
    );
    return {
      osFamily: 'rhel',
      ...base.facts,
      packageArch: rpmArch === null ? null : firstLine(rpmArch) || null,
      ...reboot,
      packages,
      warnings: base.notes.list(),
    };
  },
};
