// Lab hosts see the machine's dpkg database through their overlay until they write to it, so an
// `apt-get install` on the machine during a benchmark would change every host's package list
// half-way. This freezes each host's view: one consistent copy of the machine's dpkg status,
// bind-mounted over /var/lib/dpkg/status (and an empty folder over its updates journal) inside each
// host's own mount namespace (the mounts end with the host).
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Lab } from '../../tests/lab/lab';

const DPKG_STATUS = '/var/lib/dpkg/status';
const DPKG_UPDATES = '/var/lib/dpkg/updates';

/** Packages whose dpkg state is not final (`install ok installed`), from a status file's text. */
export function unsettledPackages(status: string): string[] {
  const unsettled: string[] = [];
  for (const stanza of status.split(/\n\n+/)) {
    const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
    const state = /^Status: (.+)$/m.exec(stanza)?.[1];
    if (name === undefined) continue;
    if (state !== 'install ok installed') unsettled.push(`${name} (${state ?? 'no status'})`);
  }
  return unsettled;
}

/**
 * Copies the machine's dpkg status once it is settled (no package mid-install, no pending
 * journal in /var/lib/dpkg/updates), waiting up to `waitMs` while another program is installing.
 * Returns the copy's path; the caller removes `dir` when done.
 */
export async function settledStatusCopy(
  waitMs: number,
  log: (line: string) => void,
): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync('/var/tmp/patchdeck-bench-dpkg-');
  const file = join(dir, 'status');
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const pendingBefore = readdirSync(DPKG_UPDATES).length;
    copyFileSync(DPKG_STATUS, file);
    const pendingAfter = readdirSync(DPKG_UPDATES).length;
    const unsettled = unsettledPackages(readFileSync(file, 'utf8'));
    if (pendingBefore === 0 && pendingAfter === 0 && unsettled.length === 0) return { dir, file };
    if (Date.now() > deadline) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `This machine's dpkg database did not settle within ${waitMs / 1000} s (${unsettled.length} packages not installed-and-configured: ${unsettled.slice(0, 5).join(', ')}; ${pendingAfter} pending updates). Let the running apt/dpkg finish, then run the benchmark again.`,
      );
    }
    if (!told) {
      log(
        `Waiting for this machine's dpkg to settle (${unsettled.length} packages mid-install, ${pendingAfter} pending updates)...`,
      );
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

/**
 * Bind-mounts the copy over /var/lib/dpkg/status and an empty folder over /var/lib/dpkg/updates
 * inside every host, and checks they took.
 */
export async function freezeHostsDpkg(lab: Lab, statusCopy: string): Promise<void> {
  for (const host of lab.hosts) {
    const result = await lab.exec(
      host,
      [
        'set -e',
        'mkdir -p /var/lib/patchdeck-bench',
        `cp ${statusCopy} /var/lib/patchdeck-bench/dpkg-status`,
        `mount --bind /var/lib/patchdeck-bench/dpkg-status ${DPKG_STATUS}`,
        'mkdir -p /var/lib/patchdeck-bench/dpkg-updates',
        `mount --bind /var/lib/patchdeck-bench/dpkg-updates ${DPKG_UPDATES}`,
        `cmp -s ${statusCopy} ${DPKG_STATUS}`,
        `test -z "$(ls -A ${DPKG_UPDATES})"`,
      ].join('\n'),
    );
    if (result.code !== 0) {
      throw new Error(`Could not freeze dpkg's status in ${host.name}: ${result.stderr.trim()}`);
    }
  }
}
