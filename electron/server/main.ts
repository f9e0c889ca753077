import { parseArgs } from 'node:util';

import { parsePort, serveUntilSignal } from './serve';

const USAGE = 'Usage: server.mjs [--workspace DIR] [--port N] [--open]';

/** The browser-mode process: `node dist/electron/server.mjs [--workspace DIR] [--port N] [--open]`. */
async function main(argv: readonly string[]): Promise<number> {
  let values: {
    workspace?: string | undefined;
    port?: string | undefined;
    open?: boolean | undefined;
    help?: boolean | undefined;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        workspace: { type: 'string' },
        port: { type: 'string' },
        open: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let port = 0;
  if (values.port !== undefined) {
    try {
      port = parsePort(values.port);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
      return 2;
    }
  }
  await serveUntilSignal({ workspace: values.workspace, port, open: values.open ?? false });
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `PatchDeck could not start browser mode: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
