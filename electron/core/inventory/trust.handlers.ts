import { readFile, stat } from 'node:fs/promises';

import { AppError } from '../../../shared/api/errors';
import { HostAddress, type PinnedHostKey } from '../../../shared/domain/assets';
import { findOperatorById } from '../auth/operators.repository';
import type { ReadDb, WriteTx } from '../db/workspace';
import type { AreaHandlers } from '../platform/handlers';
import {
  importKnownHosts,
  listAllHostKeys,
  listHostKeys,
  pinHostKey,
  repinHostKey,
  type PinnedHostKey as StoredHostKey,
} from '../remote/host-key-store';
import { parseKnownHosts } from '../remote/host-keys';

import {
  countCredentialUsers,
  deleteCredential,
  findCredentialByName,
  insertCredential,
  listCredentials,
  secretSlot,
  toCredential,
  updateCredential,
  type CredentialRow,
  type SecretField,
} from './credentials.repository';
import { findHostByAddress, insertHost, listHostIdentities } from './hosts.repository';
import {
  hostLabel,
  requireActor,
  requireCredential,
  requireHost,
  type InventoryContext,
} from './inventory.context';
import { deleteSighting, getSighting, listSightings, recordSighting } from './sightings.repository';

/** The host-key, credential and vault operations. */
export type TrustOps =
  | 'hostKeys.pending'
  | 'hostKeys.list'
  | 'hostKeys.probe'
  | 'hostKeys.accept'
  | 'hostKeys.repin'
  | 'hostKeys.importKnownHosts'
  | 'credentials.list'
  | 'credentials.create'
  | 'credentials.update'
  | 'credentials.delete'
  | 'vault.status'
  | 'vault.setup'
  | 'vault.unlock'
  | 'vault.lock';

/** known_hosts files larger than this are refused unread. */
export const MAX_KNOWN_HOSTS_BYTES = 16 * 1024 * 1024;

function toPinned(db: ReadDb, key: StoredHostKey): PinnedHostKey {
  const operator = findOperatorById(db, key.pinnedBy);
  return {
    address: key.address,
    port: key.port,
    keyType: key.keyType,
    fingerprint: key.fingerprint,
    status: key.status,
    source: key.source,
    pinnedBy: operator?.username ?? key.pinnedBy,
    pinnedAt: key.pinnedAt,
  };
}

async function readKnownHosts(
  source: { path: string } | { fileName: string; contentBase64: string },
): Promise<string> {
  let bytes: Buffer;
  if ('path' in source) {
    try {
      const info = await stat(source.path);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
      if (info.size > MAX_KNOWN_HOSTS_BYTES) {
        throw new AppError(
          'KNOWN_HOSTS_UNREADABLE',
          `The known_hosts file is larger than ${MAX_KNOWN_HOSTS_BYTES / 1024 / 1024} MiB; no real known_hosts file is. Check that you chose the right file.`,
          { path: source.path, size: info.size },
        );
      }
      bytes = await readFile(source.path);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(
        'KNOWN_HOSTS_UNREADABLE',
        `The known_hosts file could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the path and its permissions.`,
        { path: source.path },
        { cause: error },
      );
    }
  } else {
    bytes = Buffer.from(source.contentBase64, 'base64');
    if (bytes.length > MAX_KNOWN_HOSTS_BYTES) {
      throw new AppError(
        'KNOWN_HOSTS_UNREADABLE',
        `The known_hosts file is larger than ${MAX_KNOWN_HOSTS_BYTES / 1024 / 1024} MiB; no real known_hosts file is.`,
        { fileName: source.fileName },
      );
    }
  }
  if (bytes.includes(0)) {
    throw new AppError(
      'KNOWN_HOSTS_UNREADABLE',
      'The chosen file is not a text file, so it is not a known_hosts file.',
    );
  }
  return bytes.toString('utf8');
}

/** Hosts named literally in a known_hosts file that the inventory lacks, added as new hosts. */
function addMissingHosts(
  tx: WriteTx,
  parsed: ReturnType<typeof parseKnownHosts>,
  ctx: InventoryContext,
  at: string,
): number {
  let added = 0;
  for (const entry of parsed.entries) {
    if (entry.marker !== null) continue;
    for (const pattern of entry.patterns) {
      if (pattern.kind !== 'plain' || pattern.negated || pattern.wildcard) continue;
      if (!HostAddress.safeParse(pattern.host).success) continue;
      if (findHostByAddress(tx, pattern.host, pattern.port)) continue;
      insertHost(tx, {
        id: ctx.ids.next('host'),
        name: pattern.host,
        address: pattern.host,
        port: pattern.port,
        username: 'root',
        source: 'known_hosts',
        at,
      });
      added += 1;
    }
  }
  return added;
}

/**
 * Checks a private key file: readable, small, and a private key in OpenSSH or PEM form. Whether
 * the passphrase opens it shows on the first connection (as an authentication failure).
 */
async function checkKeyFile(path: string): Promise<void> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > 64 * 1024) {
      throw Object.assign(new Error('not a key file'), {
        code: info.isFile() ? 'EFBIG' : 'ENOTFILE',
      });
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError(
      'CREDENTIAL_KEY_UNREADABLE',
      `The private key file could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the path and that PatchDeck may read it.`,
      { keyPath: path },
    );
  }
  if (!/^-----BEGIN (?:OPENSSH |RSA |EC |ENCRYPTED )?PRIVATE KEY-----/m.test(text)) {
    throw new AppError(
      'CREDENTIAL_KEY_UNREADABLE',
      'The file is not an SSH private key (OpenSSH or PEM). Choose the private key, not the .pub file.',
      { keyPath: path },
    );
  }
}

function refuseTakenName(db: ReadDb, name: string, self?: string): void {
  const other = findCredentialByName(db, name);
  if (other && other.id !== self) {
    throw new AppError(
      'CREDENTIAL_NAME_TAKEN',
      `A credential named ${other.name} already exists.`,
      {
        credentialId: other.id,
      },
    );
  }
}

/**
 * The key a host presented and that waits for a decision, once the operator has confirmed its
 * fingerprint; refuses when nothing waits or the confirmed fingerprint is another.
 */
function confirmedSighting(
  workspace: ReadDb,
  host: { id: string; name: string; address: string; port: number },
  fingerprint: string,
  nothingDone: string,
) {
  const sighting = getSighting(workspace, host.id);
  if (
    !sighting ||
    sighting.address.toLowerCase() !== host.address.toLowerCase() ||
    sighting.port !== host.port
  ) {
    throw new AppError(
      'HOST_KEY_NOT_PENDING',
      `${host.name} has no new host key waiting for a decision. Probe or scan it to read the key it presents now.`,
      { hostId: host.id },
    );
  }
  if (sighting.fingerprint !== fingerprint) {
    throw new AppError(
      'HOST_KEY_FINGERPRINT_MISMATCH',
      `The fingerprint you confirmed (${fingerprint}) is not the one ${host.name} presented (${sighting.fingerprint}). ${nothingDone}`,
      { hostId: host.id, presented: sighting.fingerprint, confirmed: fingerprint },
    );
  }
  return sighting;
}

/** Handlers of host-key trust, stored credentials and the credentials vault. */
export function trustHandlers(ctx: InventoryContext): AreaHandlers<TrustOps> {
  const { workspace, events, vault, scanner } = ctx;
  const keysChanged = (hostId: string | null) => {
    events.emit('hostKeys.changed', { hostId });
    events.emit('hosts.changed', { hostIds: hostId === null ? 'all' : [hostId] });
  };

  const seal = (id: string, field: SecretField, value: string | undefined, keep?: string) =>
    value === undefined ? keep : vault.encrypt(secretSlot(id, field), value);

  return {
    'hostKeys.pending': () =>
      Promise.resolve(listSightings(workspace).map(({ publicKeyBase64: _key, ...s }) => s)),

    'hostKeys.list': (input) => {
      if (input.hostId === undefined) {
        return Promise.resolve(listAllHostKeys(workspace).map((k) => toPinned(workspace, k)));
      }
      const host = requireHost(workspace, input.hostId);
      return Promise.resolve(
        listHostKeys(workspace, host.address, host.port).map((k) => toPinned(workspace, k)),
      );
    },

    'hostKeys.probe': async (input, call) => {
      const host = requireHost(workspace, input.hostId);
      const { key, decision } = await scanner.probe(host);
      const status = decision.status === 'trusted' ? 'trusted' : decision.status;
      const pinnedFingerprint =
        decision.status === 'trusted'
          ? key.fingerprint
          : decision.status === 'changed'
            ? decision.pinnedFingerprint
            : null;
      call.describe(
        `Read the host key of ${hostLabel(host)}: ${key.keyType} ${key.fingerprint} (${status})`,
        { hostId: host.id, keyType: key.keyType, fingerprint: key.fingerprint, status },
      );
      call.commit((tx) => {
        if (decision.status === 'unknown' || decision.status === 'changed') {
          recordSighting(tx, {
            hostId: host.id,
            address: host.address,
            port: host.port,
            keyType: key.keyType,
            fingerprint: key.fingerprint,
            publicKeyBase64: key.publicKeyBase64,
            kind: decision.status,
            pinnedFingerprint: decision.status === 'changed' ? decision.pinnedFingerprint : null,
            seenAt: call.now.toISOString(),
          });
        } else {
          deleteSighting(tx, host.id);
        }
      });
      keysChanged(host.id);
      return { keyType: key.keyType, fingerprint: key.fingerprint, status, pinnedFingerprint };
    },

    'hostKeys.accept': (input, call) => {
      const actor = requireActor(call.actor);
      const host = requireHost(workspace, input.hostId);
      const sighting = confirmedSighting(workspace, host, input.fingerprint, 'Nothing was pinned.');
      if (sighting.kind === 'changed') {
        throw new AppError(
          'HOST_KEY_CHANGED',
          `${host.name} presented a different key from the pinned one (${sighting.pinnedFingerprint ?? 'unknown'}). A changed key cannot be accepted; only an administrator can re-pin it, after confirming the change with the host owner.`,
          {
            hostId: host.id,
            fingerprint: sighting.fingerprint,
            pinnedFingerprint: sighting.pinnedFingerprint,
          },
        );
      }
      const at = call.now.toISOString();
      call.describe(
        `Accepted the ${sighting.keyType} host key ${sighting.fingerprint} of ${hostLabel(host)}`,
        {
          hostId: host.id,
          address: host.address,
          port: host.port,
          keyType: sighting.keyType,
          fingerprint: sighting.fingerprint,
          acceptedBy: actor.username,
          at,
        },
      );
      const pinned = call.commit((tx) => {
        const row = pinHostKey(tx, {
          address: host.address,
          port: host.port,
          keyType: sighting.keyType,
          publicKeyBase64: sighting.publicKeyBase64,
          fingerprint: sighting.fingerprint,
          operatorId: actor.operatorId,
          at,
        });
        deleteSighting(tx, host.id);
        return row;
      });
      keysChanged(host.id);
      return Promise.resolve(toPinned(workspace, pinned));
    },

    'hostKeys.repin': (input, call) => {
      const actor = requireActor(call.actor);
      const host = requireHost(workspace, input.hostId);
      const sighting = confirmedSighting(
        workspace,
        host,
        input.fingerprint,
        'Nothing was re-pinned.',
      );
      const at = call.now.toISOString();
      const replaced = listHostKeys(workspace, host.address, host.port)
        .filter((k) => k.status === 'pinned')
        .map((k) => k.fingerprint);
      call.describe(
        `Re-pinned the host key of ${hostLabel(host)} to ${sighting.keyType} ${sighting.fingerprint}: ${input.reason}`,
        {
          hostId: host.id,
          address: host.address,
          port: host.port,
          keyType: sighting.keyType,
          fingerprint: sighting.fingerprint,
          replaced,
          reason: input.reason,
          repinnedBy: actor.username,
          at,
        },
      );
      const result = call.commit((tx) => {
        const done = repinHostKey(tx, {
          address: host.address,
          port: host.port,
          keyType: sighting.keyType,
          publicKeyBase64: sighting.publicKeyBase64,
          fingerprint: sighting.fingerprint,
          operatorId: actor.operatorId,
          at,
        });
        deleteSighting(tx, host.id);
        return done;
      });
      keysChanged(host.id);
      return Promise.resolve(toPinned(workspace, result.pinned));
    },

    'hostKeys.importKnownHosts': async (input, call) => {
      const actor = requireActor(call.actor);
      const text = await readKnownHosts(input.source);
      const parsed = parseKnownHosts(text);
      const at = call.now.toISOString();
      const name = 'path' in input.source ? input.source.path : input.source.fileName;
      const outcome = call.commit((tx) => {
        const hostsAdded = input.addMissingHosts ? addMissingHosts(tx, parsed, ctx, at) : 0;
        const candidates = listHostIdentities(tx).map((h) => ({
          address: h.address,
          port: h.port,
        }));
        const result = importKnownHosts(tx, parsed, {
          operatorId: actor.operatorId,
          at,
          candidates,
        });
        // Sightings of keys that are pinned now have been decided by the import.
        tx.run(
          `DELETE FROM host_key_sightings WHERE EXISTS (SELECT 1 FROM host_keys k
             WHERE k.address = host_key_sightings.address AND k.port = host_key_sightings.port
               AND k.fingerprint = host_key_sightings.fingerprint AND k.status = 'pinned')`,
        );
        return { result, hostsAdded };
      });
      const { result, hostsAdded } = outcome;
      const fingerprintAt = new Map(parsed.entries.map((e) => [e.line, e.fingerprint]));
      const conflicts: { line: number; host: string; fingerprint: string }[] = [];
      const skipped: { line: number; reason: string }[] = [...result.malformed];
      let alreadyPinned = 0;
      for (const item of result.skipped) {
        const conflict = /^(.+:\d+): a different /.exec(item.reason);
        if (conflict) {
          conflicts.push({
            line: item.line,
            host: conflict[1]!,
            fingerprint: fingerprintAt.get(item.line) ?? '',
          });
        } else if (/already pinned$/.test(item.reason)) {
          alreadyPinned += 1;
        } else {
          skipped.push(item);
        }
      }
      skipped.sort((a, b) => a.line - b.line);
      call.describe(
        `Imported known_hosts ${name}: ${result.pinned.length} pinned, ${result.revoked.length} revoked, ${conflicts.length} conflicts, ${skipped.length} lines skipped`,
        {
          source: name,
          pinned: result.pinned.map((k) => ({
            address: k.address,
            port: k.port,
            fingerprint: k.fingerprint,
          })),
          revoked: result.revoked.map((k) => ({
            address: k.address,
            port: k.port,
            fingerprint: k.fingerprint,
          })),
          conflicts,
          hostsAdded,
        },
      );
      keysChanged(null);
      return {
        pinned: result.pinned.length,
        revoked: result.revoked.length,
        alreadyPinned,
        hostsAdded,
        conflicts,
        skipped,
      };
    },

    'credentials.list': () => Promise.resolve(listCredentials(workspace)),

    'credentials.create': async (input, call) => {
      const name = input.name.trim();
      refuseTakenName(workspace, name);
      if (input.kind === 'key') {
        if (input.keyPath === undefined) {
          throw new AppError(
            'VALIDATION_FAILED',
            'A key credential needs the path of the private key file.',
            {
              issues: [{ path: 'keyPath', message: 'Enter the private key file.' }],
            },
          );
        }
        await checkKeyFile(input.keyPath);
      }
      if (input.kind === 'password' && input.password === undefined) {
        throw new AppError('VALIDATION_FAILED', 'A password credential needs the password.', {
          issues: [{ path: 'password', message: 'Enter the password.' }],
        });
      }
      const id = ctx.ids.next('cred');
      const at = call.now.toISOString();
      const row: CredentialRow = {
        id,
        name,
        kind: input.kind,
        keyPath: input.kind === 'key' ? (input.keyPath ?? null) : null,
        agentSocket: input.kind === 'agent' ? (input.agentSocket ?? null) : null,
        sudo: input.sudo,
        sealed: {},
        createdAt: at,
        updatedAt: at,
      };
      const passphrase =
        input.kind === 'key' ? seal(id, 'passphrase', input.passphrase) : undefined;
      const password = input.kind === 'password' ? seal(id, 'password', input.password) : undefined;
      const sudoPassword =
        input.sudo === 'password' ? seal(id, 'sudoPassword', input.sudoPassword) : undefined;
      if (passphrase !== undefined) row.sealed.passphrase = passphrase;
      if (password !== undefined) row.sealed.password = password;
      if (sudoPassword !== undefined) row.sealed.sudoPassword = sudoPassword;
      call.describe(`Added credential ${name} (${input.kind}, sudo ${input.sudo})`, {
        credentialId: id,
        kind: input.kind,
        keyPath: row.keyPath,
        sudo: input.sudo,
        secrets: Object.keys(row.sealed),
      });
      call.commit((tx) => {
        refuseTakenName(tx, name);
        insertCredential(tx, row);
      });
      return toCredential(row, 0);
    },

    'credentials.update': async (input, call) => {
      const current = requireCredential(workspace, input.credentialId);
      const name = input.name?.trim() ?? current.name;
      refuseTakenName(workspace, name, current.id);
      const keyPath = current.kind === 'key' ? (input.keyPath ?? current.keyPath) : null;
      if (current.kind === 'key' && input.keyPath !== undefined) await checkKeyFile(input.keyPath);
      const sudo = input.sudo ?? current.sudo;
      const row: CredentialRow = {
        ...current,
        name,
        keyPath,
        agentSocket: current.kind === 'agent' ? (input.agentSocket ?? current.agentSocket) : null,
        sudo,
        sealed: {},
        updatedAt: call.now.toISOString(),
      };
      const passphrase =
        current.kind === 'key'
          ? seal(current.id, 'passphrase', input.passphrase, current.sealed.passphrase)
          : undefined;
      const password =
        current.kind === 'password'
          ? seal(current.id, 'password', input.password, current.sealed.password)
          : undefined;
      const sudoPassword =
        sudo === 'password'
          ? seal(current.id, 'sudoPassword', input.sudoPassword, current.sealed.sudoPassword)
          : undefined;
      if (passphrase !== undefined) row.sealed.passphrase = passphrase;
      if (password !== undefined) row.sealed.password = password;
      if (sudoPassword !== undefined) row.sealed.sudoPassword = sudoPassword;
      const changed = Object.keys(input).filter((key) => key !== 'credentialId');
      call.describe(`Changed credential ${current.name}: ${changed.join(', ') || 'nothing'}`, {
        credentialId: current.id,
        fields: changed,
      });
      call.commit((tx) => {
        refuseTakenName(tx, name, current.id);
        updateCredential(tx, row);
      });
      return toCredential(row, countCredentialUsers(workspace, current.id));
    },

    'credentials.delete': (input, call) => {
      const current = requireCredential(workspace, input.credentialId);
      const users = countCredentialUsers(workspace, current.id);
      if (users > 0) {
        throw new AppError(
          'CREDENTIAL_IN_USE',
          `${users} host${users === 1 ? '' : 's'} still log in with ${current.name}. Give them another credential first.`,
          { credentialId: current.id, usedBy: users },
        );
      }
      call.describe(`Deleted credential ${current.name}`, { credentialId: current.id });
      call.commit((tx) => {
        if (countCredentialUsers(tx, current.id) > 0) {
          throw new AppError('CREDENTIAL_IN_USE', `Hosts still log in with ${current.name}.`);
        }
        deleteCredential(tx, current.id);
      });
      return Promise.resolve({ done: true as const });
    },

    'vault.status': () => Promise.resolve(vault.status()),

    'vault.setup': async (input, call) => {
      const prepared = await vault.prepare(input.passphrase);
      call.describe('Set up the credentials vault');
      try {
        call.commit((tx) => vault.store(tx, prepared, call.now.toISOString()));
      } catch (error) {
        vault.lock();
        throw error;
      }
      vault.activate();
      return { initialized: true as const, unlocked: vault.isUnlocked };
    },

    'vault.unlock': async (input, call) => {
      await vault.unlock(input.passphrase);
      call.describe('Unlocked the credentials vault');
      return { initialized: true as const, unlocked: vault.isUnlocked };
    },

    'vault.lock': (_input, call) => {
      call.describe('Locked the credentials vault');
      vault.lock();
      return Promise.resolve(vault.status());
    },
  };
}
