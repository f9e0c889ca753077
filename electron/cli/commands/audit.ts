import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { AppError } from '../../../shared/api/errors';
import { verifyAuditChain, type ChainVerification } from '../../core/audit/audit-chain';
import { openWorkspace } from '../../core/db/open-workspace';
import { systemClock } from '../../core/platform/clock';
import { fileLogger } from '../../core/platform/logger';
import { defaultWorkspaceDir } from '../../core/platform/paths';

/** Exit codes of `patchdeck audit verify`. */
export const AUDIT_EXIT = { valid: 0, broken: 1, error: 2 } as const;

/** The human-readable verdict for a verification. */
export function describeVerification(dir: string, result: ChainVerification): string {
  if (result.valid) {
    return result.checked === 0
      ? `Audit log of ${dir} is empty: nothing to verify.`
      : `Audit chain intact: ${result.checked} records checked in ${dir}; head #${result.headSeq} ${result.headHash}.`;
  }
  const at = result.firstBadSeq === null ? '' : ` at record #${result.firstBadSeq}`;
  return `Audit chain BROKEN${at} in ${dir}: ${result.problem ?? 'unknown problem'} (${result.checked} records before it are intact).`;
}

/** Opens the workspace read-only, walks the audit chain and reports; returns the exit code. */
export async function runAuditVerify(
  options: { workspace?: string | undefined; json?: boolean | undefined },
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const dir = resolve(options.workspace ?? defaultWorkspaceDir());
  try {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      err(`No workspace at ${dir}. Pass --workspace DIR.`);
      return AUDIT_EXIT.error;
    }
    const workspace = await openWorkspace({
      dir,
      readOnly: true,
      clock: systemClock,
      log: fileLogger(undefined),
    });
    let result: ChainVerification;
    try {
      result = await verifyAuditChain(workspace);
    } finally {
      await workspace.close();
    }
    out(
      options.json
        ? JSON.stringify({ workspace: dir, ...result })
        : describeVerification(dir, result),
    );
    return result.valid ? AUDIT_EXIT.valid : AUDIT_EXIT.broken;
  } catch (error) {
    const message =
      error instanceof AppError
        ? `${error.code}: ${error.message}`
        : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
    err(`Could not verify the audit log of ${dir}: ${message}`);
    return AUDIT_EXIT.error;
  }
}

/** `patchdeck audit verify [--workspace DIR] [--json]`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('Check the hash-chained audit log.');
  audit
    .command('verify')
    .description(
      'Verify the audit chain of a workspace, read-only. Exit 0 intact, 1 broken, 2 error.',
    )
    .option(
      '--workspace <dir>',
      'workspace folder (default: PATCHDECK_HOME or the user data folder)',
    )
    .option('--json', 'print the result as one JSON object')
    .action(async (options: { workspace?: string; json?: boolean }) => {
      process.exitCode = await runAuditVerify(options);
    });
}
