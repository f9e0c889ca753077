import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';

import type { Command } from 'commander';

import { AppError } from '../../../shared/api/errors';
import {
  checkWorkspace,
  restoreWorkspace,
  type BackupCheck,
  type OpenVerdict,
  type RestoreOutcome,
  type RestorePlan,
  type WorkspaceCheck,
} from '../../core/audit/workspace-recovery';
import { systemClock } from '../../core/platform/clock';
import { fileLogger } from '../../core/platform/logger';
import { defaultWorkspaceDir } from '../../core/platform/paths';

/** Exit codes of `patchdeck workspace check`. */
export const CHECK_EXIT = { healthy: 0, damaged: 1, error: 2 } as const;

/** Exit codes of `patchdeck workspace restore`. */
export const RESTORE_EXIT = { done: 0, refused: 1, error: 2, planned: 3 } as const;

type Out = (line: string) => void;

const stdout: Out = (line) => process.stdout.write(`${line}\n`);
const stderr: Out = (line) => process.stderr.write(`${line}\n`);

function failureText(error: unknown): string {
  return error instanceof AppError
    ? `${error.code}: ${error.message}`
    : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
}

function describeVerdict(verdict: OpenVerdict): string {
  if (!verdict.opens) return `does not open: ${verdict.problem ?? 'unreadable'}`;
  const chain = verdict.auditChain;
  const chainText = !chain
    ? 'audit chain not checked'
    : chain.valid
      ? `audit chain intact (${chain.checked} records` +
        `${verdict.newestAuditAt ? `, newest ${verdict.newestAuditAt}` : ''})`
      : `audit chain BROKEN at record #${chain.firstBadSeq ?? '?'}: ${chain.problem ?? ''}`;
  return `integrity ${verdict.integrity === 'ok' ? 'ok' : `FAILED (${verdict.integrity ?? ''})`}, ${chainText}`;
}

function describeBackup(backup: BackupCheck, check: WorkspaceCheck): string {
  const head = backup.usable ? 'good' : 'NOT USABLE';
  const base = `${head}: ${describeVerdict(backup.alone)}`;
  if (!backup.usable) return base;
  if (backup.restore === 'complete') {
    return `${base}; with the journal replayed it holds every change up to #${backup.withJournal?.journalSeq ?? '?'}`;
  }
  const from = (backup.alone.snapshotSeq ?? 0) + 1;
  const lost =
    check.journal.lastSeq !== null && check.journal.lastSeq >= from
      ? `changes #${from} to #${check.journal.lastSeq} would be set aside`
      : 'restoring it alone';
  // The first sentence only: the rest of the opening's advice is about manual steps.
  const why = (backup.withJournal?.problem ?? 'unknown').split('. ')[0];
  return `${base}; the journal does not fit it (${why}): ${lost}`;
}

/** The human-readable report of `patchdeck workspace check`. */
export function describeCheck(check: WorkspaceCheck): string[] {
  const lines: string[] = [];
  lines.push(
    check.healthy
      ? `Workspace ${check.dir} is healthy.`
      : `Workspace ${check.dir} is DAMAGED: ${check.damagedFile ?? 'workspace.db'}: ${check.damage ?? ''}.`,
  );
  lines.push(`  workspace.db: ${describeVerdict(check.workspace)}`);
  const j = check.journal;
  lines.push(
    `  journal: ${j.segments.length} segment(s)` +
      (j.firstSeq === null
        ? ', no changes recorded'
        : `, changes #${j.firstSeq} to #${j.lastSeq ?? '?'}`),
  );
  if (check.backups.length === 0) {
    lines.push('Backups: none.');
  } else {
    lines.push('Backups, newest first:');
    for (const backup of check.backups) {
      lines.push(`  ${backup.file} (${backup.size} bytes): ${describeBackup(backup, check)}`);
    }
  }
  lines.push(`Next: ${check.advice}`);
  return lines;
}

function resolveDir(workspace: string | undefined): string {
  return resolve(workspace ?? defaultWorkspaceDir());
}

/** `patchdeck workspace check`: read-only; returns the exit code. */
export async function runWorkspaceCheck(
  options: { workspace?: string | undefined; json?: boolean | undefined },
  out: Out = stdout,
  err: Out = stderr,
): Promise<number> {
  const dir = resolveDir(options.workspace);
  try {
    const check = await checkWorkspace(dir, {
      clock: systemClock,
      log: fileLogger(undefined, false),
    });
    if (options.json) out(JSON.stringify(check));
    else describeCheck(check).forEach((line) => out(line));
    return check.healthy ? CHECK_EXIT.healthy : CHECK_EXIT.damaged;
  } catch (error) {
    err(`Could not check the workspace in ${dir}: ${failureText(error)}`);
    return CHECK_EXIT.error;
  }
}

function describePlan(dir: string, plan: RestorePlan): string[] {
  const steps: string[] = [];
  if (plan.journalSetAside.length > 0) {
    steps.push(
      `rename the journal segments that do not fit the backup (${plan.journalSetAside
        .map((m) => `${m.from} → ${m.to}`)
        .join(', ')}); changes ${plan.lostChanges ?? 'in them'} will NOT be applied`,
    );
  }
  if (plan.backupsSetAside.length > 0) {
    steps.push(
      `rename the backups newer than it, which belong to the history being set aside (${plan.backupsSetAside
        .map((m) => `${m.from} → ${m.to}`)
        .join(', ')})`,
    );
  }
  steps.push(
    plan.damagedFile && plan.damagedTo
      ? `keep the damaged ${plan.damagedFile} as ${plan.damagedTo} (never deleted)`
      : 'workspace.db is missing: nothing to keep aside',
  );
  steps.push(
    `copy ${plan.backup.file} (${describeVerdict(plan.backup.alone)}) into place as workspace.db`,
  );
  steps.push(
    plan.backup.restore === 'complete'
      ? `open the workspace, replaying the journal on top: every acknowledged change up to ` +
          `#${plan.backup.withJournal?.journalSeq ?? '?'} comes back`
      : 'open the workspace as the backup was',
  );
  steps.push('check integrity and the audit chain, and record the restore in the audit log');
  return [
    `The workspace in ${dir} is damaged (${plan.reason}).`,
    'With --yes, `patchdeck workspace restore` would:',
    ...steps.map((step, i) => `  ${i + 1}. ${step}`),
    'Nothing was changed. Run the same command with --yes to restore.',
  ];
}

function describeOutcome(outcome: RestoreOutcome): { lines: string[]; code: number } {
  const dir = outcome.check.dir;
  switch (outcome.kind) {
    case 'healthy':
      return {
        lines: [
          `The workspace in ${dir} opens and passes every check; there is nothing to restore. ` +
            'Nothing was changed.',
        ],
        code: RESTORE_EXIT.done,
      };
    case 'refused':
      return {
        lines: [
          `Cannot restore the workspace in ${dir} (${outcome.check.damage ?? 'damaged'}): ${outcome.reason}`,
        ],
        code: RESTORE_EXIT.refused,
      };
    case 'planned':
      return { lines: describePlan(dir, outcome.plan), code: RESTORE_EXIT.planned };
    case 'restored': {
      const { plan, result } = outcome;
      const lines = [
        `Restored the workspace in ${dir} from ${plan.backup.file} (damage: ${plan.reason}).`,
        plan.damagedTo
          ? `  The damaged file is kept as ${join(dir, plan.damagedTo)} (${result.damagedSize ?? 0} bytes, sha256 ${result.damagedSha256 ?? '?'}).`
          : '  workspace.db was missing; nothing was kept aside.',
      ];
      if (plan.journalSetAside.length > 0) {
        lines.push(
          `  Journal segments set aside, NOT applied (changes ${plan.lostChanges ?? '?'}): ` +
            `${plan.journalSetAside.map((m) => m.to).join(', ')}.`,
        );
      }
      if (plan.backupsSetAside.length > 0) {
        lines.push(
          `  Newer backups set aside: ${plan.backupsSetAside.map((m) => m.to).join(', ')}.`,
        );
      }
      lines.push(
        `  The workspace holds every change up to #${result.journalSeq}; integrity ok; audit ` +
          `chain intact (${result.auditRecords} records); the restore is audit record ` +
          `#${result.record.seq}.`,
        'Next: start PatchDeck and check that the latest work is there (the newest audit ' +
          'records); keep the damaged file for support; take a fresh site backup of the folder. ' +
          '`patchdeck workspace check` shows the state at any time.',
      );
      return { lines, code: RESTORE_EXIT.done };
    }
  }
}

function operatorName(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to the environment.
  }
  name ||= process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown';
  return `cli:${name}`;
}

/** `patchdeck workspace restore`: returns the exit code. */
export async function runWorkspaceRestore(
  options: { workspace?: string | undefined; from?: string | undefined; yes?: boolean | undefined },
  out: Out = stdout,
  err: Out = stderr,
): Promise<number> {
  const dir = resolveDir(options.workspace);
  const execute = options.yes ?? false;
  try {
    const outcome = await restoreWorkspace({
      dir,
      from: options.from,
      execute,
      clock: systemClock,
      // A dry run must leave the folder exactly as it was, so only a real restore logs there.
      log: fileLogger(execute ? join(dir, 'core.log') : undefined, false),
      operatorName: operatorName(),
    });
    const { lines, code } = describeOutcome(outcome);
    const write = code === RESTORE_EXIT.refused ? err : out;
    lines.forEach((line) => write(line));
    return code;
  } catch (error) {
    err(`Could not restore the workspace in ${dir}: ${failureText(error)}`);
    return RESTORE_EXIT.error;
  }
}

const WORKSPACE_OPTION_HELP = 'workspace folder (default: PATCHDECK_HOME or the user data folder)';

/** `patchdeck workspace check|restore`. */
export function registerWorkspaceCommands(program: Command): void {
  const workspace = program
    .command('workspace')
    .description('Check a workspace folder and restore it from a backup after damage.');
  workspace
    .command('check')
    .description(
      'Check the workspace and each backup, read-only. Exit 0 healthy, 1 damaged, 2 error.',
    )
    .option('--workspace <dir>', WORKSPACE_OPTION_HELP)
    .option('--json', 'print the result as one JSON object')
    .action(async (options: { workspace?: string; json?: boolean }) => {
      process.exitCode = await runWorkspaceCheck(options);
    });
  workspace
    .command('restore')
    .description(
      'Restore a damaged workspace from its newest good backup, replaying the journal. Without ' +
        '--yes only prints the plan. Exit 0 done or nothing to do, 1 refused, 2 error, 3 plan only.',
    )
    .option('--workspace <dir>', WORKSPACE_OPTION_HELP)
    .option('--from <file>', 'the backup to restore (a file name in the folder, or a path)')
    .option('--yes', 'restore (otherwise only print what would be done)')
    .action(async (options: { workspace?: string; from?: string; yes?: boolean }) => {
      process.exitCode = await runWorkspaceRestore(options);
    });
}
