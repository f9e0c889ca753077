import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

import { NodeSSH, type Config as SshConfig } from 'node-ssh';
import ssh2, {
  type Algorithms,
  type ClientChannel,
  type KeyboardInteractiveAuthMethod,
  type PasswordAuthMethod,
  type Client,
  type ServerHostKeyAlgorithm,
} from 'ssh2';

import { AppError } from '../../../shared/api/errors';
import type { Logger } from '../platform/logger';

import { connectFailure } from './classify';
import type { RemoteCommand } from './command';
import { fingerprintOf, keyTypeOf, type HostKeyDecision, type HostKeyPolicy } from './host-keys';
import {
  ensureSucceeded,
  type RemoteSession,
  type RunOptions,
  type RunResult,
  type SessionEndpoint,
} from './session';
import { SudoExchange, sudoFailure, wrapWithSudo } from './sudo';

// ssh2 is CommonJS: Node's ES module loader names only some of its exports, so take them from
// the default export (the package's module.exports). node-ssh opens the connection; its ssh2
// client is then used directly for exec channels, so exit codes, stdin and timeouts stay ours
// (node-ssh's `exec()` does not check exit codes and its `cwd` option runs `cd …;` unchecked).
const { utils } = ssh2;

/** How to prove who we are to a host. Exactly one method is tried. */
export type TargetAuth =
  | { kind: 'key'; privateKeyPath: string; passphrase?: string }
  | { kind: 'agent'; socketPath: string }
  | { kind: 'password'; password: string };

/** A host to connect to, optionally through a bastion (ProxyJump). */
export type Target = {
  address: string;
  port: number;
  username: string;
  auth: TargetAuth;
  /** Connect to this bastion first and reach the target through it. */
  jump?: Target;
  /** Limit for TCP connect, handshake and authentication together. */
  connectTimeoutMs: number;
  /** SSH keep-alive interval; the connection is dropped after 3 unanswered ones. 0 turns it off. */
  keepaliveIntervalMs: number;
};

/** What {@link connect} needs from its caller. */
export type ConnectDeps = {
  /** Decides whether each presented host key (target and bastions) is trusted. */
  hostKeys: HostKeyPolicy;
  log?: Logger;
};

/** Host key algorithms in order of preference; the key types pinned for a host go first. */
const HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
];

/**
 * The transport algorithms PatchDeck offers: ssh2's defaults without SHA-1 key exchange, SHA-1
 * signatures (`ssh-rsa`), `ssh-dss`, CBC ciphers and SHA-1 MACs.
 */
const ALGORITHMS: Required<Omit<Algorithms, 'serverHostKey' | 'compress'>> = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  cipher: [
    'aes128-gcm@openssh.com',
    'aes256-gcm@openssh.com',
    'chacha20-poly1305@openssh.com',
    'aes256-ctr',
    'aes192-ctr',
    'aes128-ctr',
  ],
  hmac: [
    'hmac-sha2-256-etm@openssh.com',
    'hmac-sha2-512-etm@openssh.com',
    'hmac-sha2-256',
    'hmac-sha2-512',
  ],
};

/** Host key algorithms for a host, the pinned key types first (as OpenSSH orders them). */
export function hostKeyAlgorithms(pinnedKeyTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const preferred = pinnedKeyTypes.flatMap((type) =>
    type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256'] : [type],
  );
  return HOST_KEY_ALGORITHMS.filter((a) => preferred.includes(a)).concat(
    HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a)),
  );
}

/** A grace period between asking the remote command to stop and closing its channel. */
const STOP_GRACE_MS = 1500;

/**
 * Opens an SSH session to a target (through its bastion, if it has one). The host key is checked
 * against the policy during the handshake; anything but `trusted` ends the connection before any
 * credential is sent, with `HOST_KEY_UNKNOWN`, `HOST_KEY_CHANGED` or `HOST_KEY_REVOKED`.
 */
export async function connect(target: Target, deps: ConnectDeps): Promise<RemoteSession> {
  return openSession(target, deps);
}

async function openSession(target: Target, deps: ConnectDeps): Promise<SshSession> {
  if (!target.jump) {
    const client = await openClient(target, deps, undefined);
    return new SshSession(client, endpointOf(target), deps, undefined);
  }
  // ProxyJump: reach the bastion (itself perhaps through others), then tunnel to the target.
  const via = await openSession(target.jump, deps);
  try {
    const stream = await via.forwardTo(target.address, target.port, target.connectTimeoutMs);
    const client = await openClient(target, deps, { stream, via: via.endpoint.address });
    return new SshSession(client, endpointOf(target), deps, via);
  } catch (error) {
    await via.close();
    throw error;
  }
}

function endpointOf(target: Target): SessionEndpoint {
  return { address: target.address, port: target.port, username: target.username };
}

async function authConfig(target: Target): Promise<SshConfig> {
  const auth = target.auth;
  switch (auth.kind) {
    case 'key': {
      let data: Buffer;
      try {
        data = await readFile(auth.privateKeyPath);
      } catch (error) {
        throw new AppError(
          'HOST_AUTH_REFUSED',
          `The private key file for ${target.address} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the key path stored for this host.`,
          { address: target.address, port: target.port, privateKeyPath: auth.privateKeyPath },
          { cause: error },
        );
      }
      const parsed = utils.parseKey(data, auth.passphrase);
      if (parsed instanceof Error) {
        const encrypted = /encrypted|passphrase|decrypt/i.test(parsed.message);
        throw new AppError(
          'HOST_AUTH_REFUSED',
          encrypted
            ? `The private key for ${target.address} is protected by a passphrase, and the passphrase given was missing or wrong. Enter the key's passphrase.`
            : `The private key file for ${target.address} is not a usable SSH private key: ${parsed.message}.`,
          { address: target.address, port: target.port, privateKeyPath: auth.privateKeyPath },
        );
      }
      return {
        // node-ssh accepts the key text only as a string.
        privateKey: data.toString('utf8'),
        ...(auth.passphrase === undefined ? {} : { passphrase: auth.passphrase }),
        authHandler: ['publickey'],
      };
    }
    case 'agent':
      return { agent: auth.socketPath, authHandler: ['agent'] };
    case 'password': {
      const password: PasswordAuthMethod = {
        type: 'password',
        username: target.username,
        password: auth.password,
      };
      const keyboard: KeyboardInteractiveAuthMethod = {
        type: 'keyboard-interactive',
        username: target.username,
        prompt: (_name, _instructions, _lang, prompts, finish) =>
          finish(prompts.map(() => auth.password)),
      };
      return { authHandler: [password, keyboard] };
    }
  }
}

/** A host key refusal recorded by the verifier, turned into the connect error. */
type Refusal = {
  decision: Exclude<HostKeyDecision, { status: 'trusted' }>;
  keyType: string;
  fingerprint: string;
};

function refusalError(refusal: Refusal, target: Target): AppError {
  const base = {
    address: target.address,
    port: target.port,
    keyType: refusal.keyType,
    fingerprint: refusal.fingerprint,
  };
  const where = `${target.address}:${target.port}`;
  switch (refusal.decision.status) {
    case 'unknown':
      return new AppError(
        'HOST_KEY_UNKNOWN',
        `${where} presented a ${refusal.keyType} host key that is not pinned (${refusal.fingerprint}). The connection was stopped before logging in. Confirm the fingerprint with the host owner, then accept it.`,
        base,
      );
    case 'changed':
      return new AppError(
        'HOST_KEY_CHANGED',
        `HOST KEY CHANGED: ${where} presented ${refusal.keyType} ${refusal.fingerprint}, but ${refusal.decision.pinnedType} ${refusal.decision.pinnedFingerprint} is pinned. No credentials were sent. This may be an interception; only an administrator can re-pin the key.`,
        {
          ...base,
          pinnedFingerprint: refusal.decision.pinnedFingerprint,
          pinnedType: refusal.decision.pinnedType,
        },
      );
    case 'revoked':
      return new AppError(
        'HOST_KEY_REVOKED',
        `${where} presented the host key ${refusal.fingerprint}, which is revoked. No credentials were sent. Have the host owner replace the host key.`,
        base,
      );
  }
}

async function openClient(
  target: Target,
  deps: ConnectDeps,
  through: { stream: ClientChannel; via: string } | undefined,
): Promise<Client> {
  const auth = await authConfig(target);
  const pinnedTypes = deps.hostKeys.pinnedKeyTypes?.(target.address, target.port) ?? [];
  let refusal: Refusal | undefined;
  let handshakeDone = false;

  const config: SshConfig = {
    host: target.address,
    port: target.port,
    username: target.username,
    ...auth,
    ...(through ? { sock: through.stream } : {}),
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: target.keepaliveIntervalMs,
    keepaliveCountMax: 3,
    agentForward: false,
    tryKeyboard: false,
    algorithms: { ...ALGORITHMS, serverHostKey: hostKeyAlgorithms(pinnedTypes) },
    // Mandatory: without a verifier ssh2 accepts any host key. Runs before authentication.
    hostVerifier: (key: Buffer) => {
      const keyType = keyTypeOf(key) ?? 'unknown';
      const fingerprint = fingerprintOf(key);
      const decision = deps.hostKeys.check({
        address: target.address,
        port: target.port,
        keyType,
        fingerprint,
        publicKeyBase64: key.toString('base64'),
      });
      if (decision.status === 'trusted') {
        handshakeDone = true;
        return true;
      }
      refusal = { decision, keyType, fingerprint };
      return false;
    },
  };

  const ssh = new NodeSSH();
  let bastionClosed = false;
  const onBastionClose = () => {
    bastionClosed = true;
    ssh.connection?.end();
  };
  // A bastion channel failing must fail this connection too.
  through?.stream.once('close', onBastionClose);
  try {
    await ssh.connect(config);
  } catch (error) {
    ssh.connection?.end();
    throw refusal
      ? refusalError(refusal, target)
      : connectFailure(
          bastionClosed ? new Error('Connection lost: the bastion closed the channel') : error,
          {
            address: target.address,
            port: target.port,
            handshakeDone,
            ...(through ? { via: through.via } : {}),
          },
        );
  }
  const client = ssh.connection;
  if (!client) {
    throw connectFailure(new Error('Connection lost before the session was ready'), {
      address: target.address,
      port: target.port,
      handshakeDone,
    });
  }
  through?.stream.removeListener('close', onBastionClose);
  through?.stream.once('close', () => client.end());
  return client;
}

/**
 * Sends an RFC 4254 "signal" request. ssh2's `channel.signal()` does nothing once stdin was closed
 * (it checks that the channel is writable), but sshd still delivers the signal to the command's
 * process then, and without it sshd keeps the channel open until the command ends by itself.
 */
function sendSignal(channel: ClientChannel, name: 'TERM' | 'KILL'): void {
  const internal = channel as unknown as {
    outgoing?: { id?: unknown; state?: unknown };
    _client?: { _protocol?: { signal?: (id: number, signal: string) => void } };
  };
  const id = internal.outgoing?.id;
  const protocol = internal._client?._protocol;
  const state = internal.outgoing?.state;
  if (typeof id === 'number' && (state === 'open' || state === 'eof') && protocol?.signal) {
    protocol.signal(id, name);
  }
}

/** Channels in flight, to fail them when the connection drops. */
type Pending = { fail: (error: Error) => void };

class SshSession implements RemoteSession {
  readonly #client: Client;
  readonly #via: SshSession | undefined;
  readonly #pending = new Set<Pending>();
  #open = true;

  constructor(
    client: Client,
    readonly endpoint: SessionEndpoint,
    private readonly deps: ConnectDeps,
    via: SshSession | undefined,
  ) {
    this.#client = client;
    this.#via = via;
    client.on('error', (error) => {
      this.deps.log?.warn('ssh connection error', {
        address: endpoint.address,
        port: endpoint.port,
        error: error.message,
      });
    });
    client.on('close', () => {
      this.#open = false;
      const lost = connectFailure(new Error('Connection lost'), {
        address: endpoint.address,
        port: endpoint.port,
        handshakeDone: true,
      });
      for (const pending of [...this.#pending]) pending.fail(lost);
      void this.#via?.close();
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Opens a direct-tcpip channel from this host to another (for jump hosts). */
  forwardTo(address: string, port: number, timeoutMs: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new AppError(
            'HOST_UNREACHABLE',
            `${address}:${port} could not be reached through ${this.endpoint.address} in time. Check the network path from the bastion.`,
            { address, port, via: this.endpoint.address },
          ),
        );
      }, timeoutMs);
      this.#client.forwardOut('127.0.0.1', 0, address, port, (error, stream) => {
        clearTimeout(timer);
        if (error) {
          reject(connectFailure(error, { address, port, via: this.endpoint.address }));
          return;
        }
        resolve(stream);
      });
    });
  }

  async run(command: RemoteCommand, options: RunOptions = {}): Promise<RunResult> {
    if (!this.#open) {
      throw new AppError(
        'HOST_UNREACHABLE',
        `The connection to ${this.endpoint.address} is closed. Retry to reconnect.`,
        { address: this.endpoint.address, port: this.endpoint.port },
      );
    }
    const sudo = options.sudo;
    const text = sudo ? wrapWithSudo(command, sudo).text : command.text;
    const exchange = sudo ? new SudoExchange(sudo) : undefined;
    const result = await this.#exec(text, (channel) =>
      this.#collect(channel, command, options, exchange),
    );
    if (sudo && exchange) {
      const failure = sudoFailure(exchange, sudo, this.endpoint);
      if (failure) throw failure;
    }
    return result;
  }

  async runChecked(command: RemoteCommand, options: RunOptions = {}): Promise<RunResult> {
    return ensureSucceeded(await this.run(command, options), command, this.endpoint);
  }

  /**
   * Opens an exec channel. `collect` is attached in the same tick as the channel opens: a quick
   * command's output, exit status and close can arrive in the same packet batch.
   */
  #exec(text: string, collect: (channel: ClientChannel) => Promise<RunResult>): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.#client.exec(text, (error, channel) => {
        if (error) {
          reject(
            connectFailure(error, {
              address: this.endpoint.address,
              port: this.endpoint.port,
              handshakeDone: true,
            }),
          );
          return;
        }
        collect(channel).then(resolve, reject);
      });
    });
  }

  #collect(
    channel: ClientChannel,
    command: RemoteCommand,
    options: RunOptions,
    exchange: SudoExchange | undefined,
  ): Promise<RunResult> {
    const endpoint = this.endpoint;
    return new Promise<RunResult>((resolve, reject) => {
      const out = new StringDecoder('utf8');
      const err = new StringDecoder('utf8');
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      let signal: string | null = null;
      let timer: NodeJS.Timeout | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const pending: Pending = {
        fail: (error) => finish(() => reject(error)),
      };
      this.#pending.add(pending);

      const finish = (then: () => void) => {
        if (!this.#pending.delete(pending)) return;
        clearTimeout(timer);
        clearTimeout(killTimer);
        then();
      };

      const sendStdin = () => {
        if (options.stdin !== undefined) channel.write(options.stdin);
        channel.end();
      };

      channel.on('data', (chunk: Buffer) => {
        stdout += out.write(chunk);
      });
      channel.stderr.on('data', (chunk: Buffer) => {
        const text = err.write(chunk);
        if (!exchange) {
          stderr += text;
          return;
        }
        const step = exchange.push(text);
        if (step.write !== undefined) channel.write(step.write);
        if (step.ready) sendStdin();
        if (step.giveUp) channel.end();
        stderr += step.output;
      });
      channel.on('exit', (exitCode: number | null, signalName?: string) => {
        code = typeof exitCode === 'number' ? exitCode : null;
        signal = signalName ?? null;
      });
      channel.on('close', () => {
        stdout += out.end();
        stderr += err.end();
        if (timedOut) {
          finish(() =>
            reject(
              new AppError(
                'REMOTE_TIMEOUT',
                `A command on ${endpoint.address} did not finish within ${options.timeoutMs ?? 0} ms and was stopped. Its effect on the host is unknown: re-inspect the host before retrying.`,
                {
                  address: endpoint.address,
                  port: endpoint.port,
                  timeoutMs: options.timeoutMs,
                  command: command.text.split('\n', 1)[0],
                },
              ),
            ),
          );
          return;
        }
        finish(() => resolve({ code, signal, stdout, stderr }));
      });

      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          // Ask the command to stop (sudo passes TERM on to its child), then force the channel shut.
          sendSignal(channel, 'TERM');
          killTimer = setTimeout(() => {
            sendSignal(channel, 'KILL');
            channel.close();
          }, STOP_GRACE_MS);
        }, options.timeoutMs);
      }
      if (!exchange) sendStdin();
    });
  }

  async close(): Promise<void> {
    if (this.#open) {
      await new Promise<void>((resolve) => {
        this.#client.once('close', () => resolve());
        this.#client.end();
      });
    }
    await this.#via?.close();
  }
}
