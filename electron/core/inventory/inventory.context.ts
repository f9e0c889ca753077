import { AppError } from '../../../shared/api/errors';
import type { Workspace, ReadDb } from '../db/workspace';
import type { Clock } from '../platform/clock';
import type { EventBus } from '../platform/events';
import type { Actor } from '../platform/handlers';
import type { IdGenerator } from '../platform/ids';
import type { Logger } from '../platform/logger';

import { getCredentialRow, type CredentialRow } from './credentials.repository';
import { getHostRow, type HostRow } from './hosts.repository';
import type { Scanner } from './scanner';
import type { Vault } from './vault';

/** What the inventory's handlers share. */
export type InventoryContext = {
  workspace: Workspace;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  log: Logger;
  vault: Vault;
  scanner: Scanner;
};

/** The host, or `HOST_NOT_FOUND`. */
export function requireHost(db: ReadDb, hostId: string): HostRow {
  const host = getHostRow(db, hostId);
  if (!host) {
    throw new AppError('HOST_NOT_FOUND', 'That host is not in the inventory (any more).', {
      hostId,
    });
  }
  return host;
}

/** The credential, or `CREDENTIAL_NOT_FOUND`. */
export function requireCredential(db: ReadDb, credentialId: string): CredentialRow {
  const credential = getCredentialRow(db, credentialId);
  if (!credential) {
    throw new AppError('CREDENTIAL_NOT_FOUND', 'That credential does not exist (any more).', {
      credentialId,
    });
  }
  return credential;
}

/** The operator behind a command; commands always have one (the dispatcher checks access). */
export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw new Error('A command ran without a logged-in operator.');
  return actor;
}

/** `name (address:port)`, how hosts are named in audit summaries. */
export function hostLabel(host: { name: string; address: string; port: number }): string {
  return `${host.name} (${host.address}:${host.port})`;
}
