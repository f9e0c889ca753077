import { Command, CommanderError } from 'commander';

import { registerAuditCommands } from './commands/audit';
import { registerBundleCommands } from './commands/bundle';
import { registerKeysCommands } from './commands/keys';
import { registerServeCommand } from './commands/serve';
import { registerWorkspaceCommands } from './commands/workspace';
import { productVersionSync } from './version';

/** Exit code for usage errors and failures that are not a verdict. */
const EXIT_USAGE = 2;

/** Builds the `patchdeck` command line; one module per command group in `commands/`. */
function buildProgram(): Command {
  const program = new Command('patchdeck')
    .description('PatchDeck: patch deployment for offline and air-gapped sites.')
    .version(productVersionSync(), '-V, --version', 'print the PatchDeck version')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerAuditCommands(program);
  registerWorkspaceCommands(program);
  registerKeysCommands(program);
  registerBundleCommands(program);
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too, with exit code 0.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    process.stderr.write(`patchdeck: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_USAGE;
  }
}

void main(process.argv.slice(2));
