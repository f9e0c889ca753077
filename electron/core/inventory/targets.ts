import { AppError } from '../../../shared/api/errors';
import type { ReadDb } from '../db/workspace';
import type { SudoMode } from '../remote/session';
import type { Target, TargetAuth } from '../remote/ssh-connection';

import { getCredentialRow, secretSlot, type CredentialRow } from './credentials.repository';
import { getHostRow, type HostRow } from './hosts.repository';
import type { Vault } from './vault';

/** Connection limits and the agent used by hosts without a credential. */
export type ConnectionSettings = {
  /** TCP connect, handshake and authentication together. */
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** The SSH agent socket for hosts without a stored credential (`SSH_AUTH_SOCK`). */
  agentSocket: string | undefined;
};

/** The defaults: 15 s to connect, keep-alive every 10 s, the agent from the environment. */
export function defaultConnectionSettings(
  env: NodeJS.ProcessEnv = process.env,
): ConnectionSettings {
  const agent = env['SSH_AUTH_SOCK'];
  return {
    connectTimeoutMs: 15_000,
    keepaliveIntervalMs: 10_000,
    agentSocket: agent === undefined || agent === '' ? undefined : agent,
  };
}

/** How to reach a host, with the secrets it needs unsealed, and how it gains root. */
export type ResolvedTarget = {
  target: Target;
  /** How commands gain root on the host; undefined when the credential uses no sudo. */
  sudo: SudoMode | undefined;
};

/** Jump chains longer than this are refused (and catch loops). */
const MAX_JUMPS = 4;

function unseal(
  vault: Vault,
  credential: CredentialRow,
  field: 'passphrase' | 'password' | 'sudoPassword',
): string | undefined {
  const sealed = credential.sealed[field];
  return sealed === undefined ? undefined : vault.decrypt(secretSlot(credential.id, field), sealed);
}

function authOf(
  host: HostRow,
  credential: CredentialRow | undefined,
  vault: Vault,
  settings: ConnectionSettings,
): TargetAuth {
  if (!credential) {
    if (settings.agentSocket === undefined) {
      throw new AppError(
        'HOST_AUTH_REFUSED',
        `${host.name} has no stored credential and no SSH agent is running for PatchDeck. Choose a credential for the host.`,
        { hostId: host.id },
      );
    }
    return { kind: 'agent', socketPath: settings.agentSocket };
  }
  switch (credential.kind) {
    case 'key': {
      const passphrase = unseal(vault, credential, 'passphrase');
      return {
        kind: 'key',
        privateKeyPath: credential.keyPath ?? '',
        ...(passphrase === undefined ? {} : { passphrase }),
      };
    }
    case 'agent': {
      const socketPath = credential.agentSocket ?? settings.agentSocket;
      if (socketPath === undefined) {
        throw new AppError(
          'HOST_AUTH_REFUSED',
          `The credential ${credential.name} uses the SSH agent, but no agent socket is set and none is running for PatchDeck. Set the agent socket in the credential.`,
          { hostId: host.id, credentialId: credential.id },
        );
      }
      return { kind: 'agent', socketPath };
    }
    case 'password': {
      const password = unseal(vault, credential, 'password');
      if (password === undefined) {
        throw new AppError(
          'HOST_AUTH_REFUSED',
          `The credential ${credential.name} has no password stored. Enter the password in the credential.`,
          { hostId: host.id, credentialId: credential.id },
        );
      }
      return { kind: 'password', password };
    }
  }
}

function sudoOf(credential: CredentialRow | undefined, vault: Vault): SudoMode | undefined {
  if (!credential || credential.sudo === 'none') return undefined;
  const password =
    credential.sudo === 'password' ? unseal(vault, credential, 'sudoPassword') : undefined;
  // Without a stored password sudo runs with -n, so a host that asks for one says so at once.
  return password === undefined ? { kind: 'nopasswd' } : { kind: 'password', password };
}

function credentialOf(db: ReadDb, host: HostRow): CredentialRow | undefined {
  if (host.credentialId === null) return undefined;
  const credential = getCredentialRow(db, host.credentialId);
  if (!credential) {
    throw new AppError(
      'CREDENTIAL_NOT_FOUND',
      `The credential stored for ${host.name} no longer exists. Choose another credential for the host.`,
      { hostId: host.id, credentialId: host.credentialId },
    );
  }
  return credential;
}

/**
 * Builds the connection target of a host, with its jump hosts, unsealing the secrets it needs.
 *
 * Throws `VAULT_LOCKED` (or `VAULT_NOT_INITIALIZED`) before anything is sent when a needed secret
 * is sealed and the vault is locked; credentials without secrets (a plain key file, the agent)
 * need no vault.
 */
export function resolveTarget(
  db: ReadDb,
  vault: Vault,
  host: HostRow,
  settings: ConnectionSettings,
): ResolvedTarget {
  const credential = credentialOf(db, host);
  return {
    target: targetOf(db, vault, host, credential, settings, [host.id]),
    sudo: sudoOf(credential, vault),
  };
}

/** The target of a host whose own credentials are not needed (reading its host key). */
export function resolveProbeTarget(
  db: ReadDb,
  vault: Vault,
  host: HostRow,
  settings: ConnectionSettings,
): Target {
  const target: Target = {
    address: host.address,
    port: host.port,
    username: host.username,
    // Never used: the probe ends the handshake at the host key, before authentication.
    auth: { kind: 'password', password: '' },
    connectTimeoutMs: settings.connectTimeoutMs,
    keepaliveIntervalMs: 0,
  };
  const jump = jumpOf(db, vault, host, settings, [host.id]);
  return jump ? { ...target, jump } : target;
}

function jumpOf(
  db: ReadDb,
  vault: Vault,
  host: HostRow,
  settings: ConnectionSettings,
  chain: readonly string[],
): Target | undefined {
  if (host.jumpHostId === null) return undefined;
  if (chain.includes(host.jumpHostId) || chain.length > MAX_JUMPS) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The jump hosts of ${host.name} form a loop or a chain longer than ${MAX_JUMPS}. Correct the jump host settings.`,
      { hostId: host.id },
    );
  }
  const jumpHost = getHostRow(db, host.jumpHostId);
  if (!jumpHost) {
    throw new AppError(
      'HOST_NOT_FOUND',
      `The jump host of ${host.name} is no longer in the inventory. Choose another jump host.`,
      { hostId: host.id, jumpHostId: host.jumpHostId },
    );
  }
  return targetOf(db, vault, jumpHost, credentialOf(db, jumpHost), settings, [
    ...chain,
    jumpHost.id,
  ]);
}

function targetOf(
  db: ReadDb,
  vault: Vault,
  host: HostRow,
  credential: CredentialRow | undefined,
  settings: ConnectionSettings,
  chain: readonly string[],
): Target {
  const target: Target = {
    address: host.address,
    port: host.port,
    username: host.username,
    auth: authOf(host, credential, vault, settings),
    connectTimeoutMs: settings.connectTimeoutMs,
    keepaliveIntervalMs: settings.keepaliveIntervalMs,
  };
  const jump = jumpOf(db, vault, host, settings, chain);
  return jump ? { ...target, jump } : target;
}
