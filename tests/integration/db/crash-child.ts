// The process the crash test kills. It opens the workspace with the real openWorkspace, inserts
// rows forever and prints each id on stdout only after transaction() has returned, so every
// printed id is an acknowledged write. Arguments: <dir> <iteration> <snapshotEveryWrites>.
import { writeSync } from 'node:fs';

import { openWorkspace } from '../../../electron/core/db/open-workspace';
import { systemClock } from '../../../electron/core/platform/clock';
import { fileLogger } from '../../../electron/core/platform/logger';

import { CRASH_MIGRATIONS } from './crash-schema';

async function main(): Promise<void> {
  const [dir, iterationText, everyText] = process.argv.slice(2);
  if (!dir || !iterationText || !everyText) throw new Error('usage: <dir> <iteration> <every>');
  const iteration = Number(iterationText);
  const ws = await openWorkspace({
    dir,
    clock: systemClock,
    log: fileLogger(undefined, false),
    migrations: CRASH_MIGRATIONS,
    snapshotEveryWrites: Number(everyText),
  });
  writeSync(1, 'open\n');
  const body = 'x'.repeat(200);
  for (let n = 0; ; n += 1) {
    const id = `${iteration}:${n}`;
    ws.transaction((tx) =>
      tx.run('INSERT INTO items (id, iteration, body) VALUES (?, ?, ?)', [id, iteration, body]),
    );
    writeSync(1, `${id}\n`);
    // Let background snapshots make progress, so kills also land inside them.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
