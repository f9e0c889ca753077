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
 * The Debian/Ubuntu sections: dpkg's native architecture, the reboot flag apt's hooks leave
 * (/var/run/reboot-required and the packages that asked for it in `.pkgs`), and every package in
 * dpkg's database with its status.
 */
export const DEBIAN_SECTIONS: RemoteCommand = sh`b dpkg-arch
dpkg --print-architecture
e dpkg-arch $?
b reboot
if [ -e /var/run/reboot-required ]; then
  echo required
  show /var/run/reboot-required.pkgs
fi
e reboot 0
b packages
if has dpkg-query; then
  dpkg-query -W -f '\${Package}\\t\${Version}\\t\${Architecture}\\t\${db:Status-Abbrev}\\n'
  e packages $?
else
  e packages 127
fi`;

/**
 * dpkg's status letters (second column of `db:Status-Abbrev`) that mean the package's files are
 * installed and configured: `i` installed, and `t`/`W`, installed with triggers still pending.
 */
const INSTALLED_STATES = new Set(['i', 't', 'W']);

/**
 * Packages from `dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n'`,
 * keeping the installed ones (removed packages whose configuration files remain are dropped).
 */
export function parseDpkgPackages(lines: readonly string[], notes: ScanNotes): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const line of lines) {
    const fields = line.split('\t');
    const [name, version, arch, status] = fields;
    if (
      fields.length !== 4 ||
      name === undefined ||
      version === undefined ||
      arch === undefined ||
      status === undefined ||
      !/^[a-z0-9][a-z0-9+.-]*$/.test(name) ||
      !/^[A-Za-z0-9.+~:_-]*$/.test(version) ||
      !/^[a-z0-9-]*$/.test(arch) ||
      !/^[uihrp][ncHUFWti][ R]?$/.test(status)
    ) {
      notes.malformed('packages');
      continue;
    }
    if (!INSTALLED_STATES.has(status.charAt(1))) continue;
    pushBounded(
      packages,
      { name: cleanText(name), version: cleanText(version), arch: cleanText(arch), kind: 'deb' },
      FACT_LIMITS.maxPackages,
      'packages',
      notes,
    );
  }
  return packages;
}

/** The reboot flag: set when /var/run/reboot-required exists, with the packages that set it. */
export function parseDebianReboot(lines: readonly string[] | null): {
  rebootRequired: boolean;
  rebootReason: string | null;
} {
  if (lines === null || lines[0] !== 'required')
    return { rebootRequired: false, rebootReason: null };
  const packages = [
    ...new Set(
      lines
        .slice(1)
        .map((line) => cleanText(line))
        .filter((line) => line !== ''),
    ),
  ];
  const reason =
    packages.length > 0
      ? `restart requested by ${packages.slice(0, 20).join(', ')}${packages.length > 20 ? `, and ${packages.length - 20} more` : ''}`
      : 'restart requested (/var/run/reboot-required is present)';
  return { rebootRequired: true, rebootReason: cleanText(reason) };
}

/** Facts from Debian and Ubuntu hosts: dpkg packages, apt's reboot flag. */
export const debianAdapter: FactsAdapter = {
  family: 'debian',
  timeoutMs: 120_000,
  command: (nonce) => posixScript(nonce, [LINUX_COMMON_SECTIONS, DEBIAN_SECTIONS]),
  parse(result, context) {
    const base = parseLinuxBase(result, context, 'debian');
    const packageLines = requireSection(
      base.sections,
      'packages',
      base.target,
      'PatchDeck lists Debian packages with dpkg-query; check that dpkg works on the host (or pick the right OS family), then scan again.',
    );
    const packages = parseDpkgPackages(packageLines, base.notes);
    const dpkgArch = optionalSection(base.sections, 'dpkg-arch', base.notes);
    return {
      osFamily: 'debian',
      ...base.facts,
      packageArch: dpkgArch === null ? null : firstLine(dpkgArch) || null,
      ...parseDebianReboot(optionalSection(base.sections, 'reboot', base.notes)),
      packages,
      warnings: base.notes.list(),
    };
  },
};
