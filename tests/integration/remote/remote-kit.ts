import { readFileSync } from 'node:fs';

import { MIGRATIONS } from '../../../electron/core/db/migrations/index';
import type { DurableWorkspace } from '../../../electron/core/db/open-workspace';
import { hostKeyPolicy, importKnownHosts } from '../../../electron/core/remote/host-key-store';
import { parseKnownHosts } from '../../../electron/core/remote/host-keys';
import type { Target, TargetAuth } from '../../../electron/core/remote/ssh-connection';
import { AppError } from '../../../shared/api/errors';
import { makeTempDir, openTest } from '../../helpers/db-test-kit';
import type { Lab, LabHost } from '../../lab/lab';

/** The operator id recorded on pins made by these tests. */
export const TEST_OPERATOR = 'op_test';

/** A fresh workspace with the real migrations, for pinned host keys. */
export async function openKeyWorkspace(): Promise<DurableWorkspace> {
  return openTest(makeTempDir('patchdeck-remote-'), { migrations: MIGRATIONS });
}

/** Pins every lab host's keys from the lab's known_hosts file. */
export function trustLab(ws: DurableWorkspace, lab: Lab) {
  const parsed = parseKnownHosts(readFileSync(lab.knownHostsFile(), 'utf8'));
  return ws.transaction((tx) =>
    importKnownHosts(tx, parsed, { operatorId: TEST_OPERATOR, at: '2026-01-01T00:00:00.000Z' }),
  );
}

/** The policy over a workspace's pins. */
export function policyOf(ws: DurableWorkspace) {
  return hostKeyPolicy(ws);
}

/** A target for a lab host as patchsvc, with its plain key unless told otherwise. */
export function targetFor(host: LabHost, auth?: TargetAuth, extra: Partial<Target> = {}): Target {
  return {
    address: host.address,
    port: host.port,
    username: host.user,
    auth: auth ?? { kind: 'key', privateKeyPath: host.userKeyPath },
    connectTimeoutMs: 10_000,
    keepaliveIntervalMs: 5_000,
    ...extra,
  };
}

/** The AppError a promise rejects with (fails the test if it resolves or throws a bug). */
export async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail with an AppError');
}

/** Every process command line inside a lab host, NUL separators turned into spaces. */
export async function commandLinesOn(lab: Lab, host: LabHost): Promise<string> {
  const result = await lab.exec(
    host,
    `for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null; echo; done`,
  );
  return result.stdout;
}
