// Child process of store-verification.test.ts: imports a bundle through a real core, then dies by
// SIGKILL in the middle of the store check that follows the commit (after the first bytes of the
// store copy were read again), as a power cut would stop it.
//
// Args: <workspace dir> <bundle dir> <root file> <root key fingerprint>
import { createCore } from '../../../electron/core/core';
import { manualClock } from '../../../electron/core/platform/clock';
import { randomIds } from '../../../electron/core/platform/ids';
import { memoryLogger } from '../../../electron/core/platform/logger';
import { createApiClient } from '../../../shared/api/client';
import { inProcessTransport } from '../../helpers/in-process-transport';
import { STRONG_PASSWORD, TEST_SCRYPT } from '../../helpers/test-core';

const [dir, bundleDir, rootPath, fingerprint] = process.argv.slice(2);
if (!dir || !bundleDir || !rootPath || !fingerprint) throw new Error('Missing arguments.');

const core = await createCore({
  workspaceDir: dir,
  transport: 'in-process',
  clock: manualClock('2026-03-01T08:00:00.000Z'),
  ids: randomIds,
  log: memoryLogger(),
  scryptParams: TEST_SCRYPT,
});
const client = createApiClient(inProcessTransport(core));
const session = await client.call('auth.setupAdmin', {
  username: 'admin',
  displayName: 'Site Administrator',
  password: STRONG_PASSWORD,
});
client.setSession(session.token);
await client.call('trust.addPublisher', { rootPath, confirmFingerprint: fingerprint });
core.events.subscribe((event, payload) => {
  const p = payload as { bytesDone: number };
  if (event === 'bundles.storeVerificationProgress' && p.bytesDone > 0) {
    // Pipes are written synchronously on Linux: the line is out before the process dies.
    process.stdout.write('killed-mid-check\n');
    process.kill(process.pid, 'SIGKILL');
  }
  if (event === 'bundles.storeVerificationFinished') process.stdout.write('check-finished\n');
});
const report = await client.call('bundles.import', { source: bundleDir });
process.stdout.write(`imported ${report.bundle.bundleId} ${report.bundle.storeStatus}\n`);
