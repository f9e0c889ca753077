import { InvalidArgumentError, type Command } from 'commander';

import { parsePort, serveUntilSignal } from '../../server/serve';

function portOption(value: string): number {
  try {
    return parsePort(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `patchdeck serve [--workspace DIR] [--port N] [--open]`: browser mode in this terminal. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run PatchDeck in browser mode on 127.0.0.1 (prints the URL with its token).')
    .option(
      '--workspace <dir>',
      'workspace folder (default: PATCHDECK_HOME or the user data folder)',
    )
    .option('--port <n>', 'port to listen on (default: chosen by the system)', portOption)
    .option('--open', 'open the URL in a local browser')
    .action(async (options: { workspace?: string; port?: number; open?: boolean }) => {
      await serveUntilSignal({
        workspace: options.workspace,
        port: options.port,
        open: options.open ?? false,
      });
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
}
