import { isAbsolute, join } from 'node:path';

import SSHConfig, { type Line } from 'ssh-config';

import { AppError } from '../../../shared/api/errors';

import { checkHostname } from './command';
import type { Target, TargetAuth } from './ssh-connection';

/** What the ssh_config file does not say, and where `~` points. */
export type SshConfigDefaults = {
  /** The user's home folder, for `~/` in IdentityFile. */
  homeDir: string;
  /** The user when the file names none. */
  username?: string;
  /** The agent socket used when a host has no IdentityFile (and no `IdentityAgent none`). */
  agentSocket?: string;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
};

function unsupported(message: string, details: Record<string, unknown>): never {
  throw new AppError('SSH_CONFIG_UNSUPPORTED', message, details);
}

/**
 * Parses ssh_config text and refuses what PatchDeck will never do: run a `Match exec` command,
 * follow an `Include` (it reads only the file it was given), or canonicalise names through DNS.
 */
export function parseSshConfig(text: string): SSHConfig {
  const config = SSHConfig.parse(text);
  const check = (lines: readonly Line[]) => {
    for (const line of lines) {
      if (line.type !== SSHConfig.DIRECTIVE) continue;
      const param = line.param.toLowerCase();
      if (param === 'include') {
        unsupported(
          'The ssh_config file uses Include, which PatchDeck does not follow. Paste the included settings into the file and import it again.',
          { directive: 'Include' },
        );
      }
      if (param === 'match' && /(^|\s)exec(\s|=|$)/i.test(valueText(line.value))) {
        unsupported(
          'The ssh_config file uses "Match exec", which would run a command on this machine. PatchDeck never runs commands from ssh_config: remove it and import again.',
          { directive: 'Match exec' },
        );
      }
      // Canonicalisation makes the ssh-config package look host names up in DNS: PatchDeck
      // reaches only the hosts an operator configured, and resolves nothing else.
      if (param === 'canonicalizehostname' && !/^(no|none)$/i.test(valueText(line.value))) {
        unsupported(
          'The ssh_config file uses CanonicalizeHostName, which would look host names up in DNS. Give each host its HostName instead, remove the line and import again.',
          { directive: 'CanonicalizeHostName' },
        );
      }
      if ('config' in line) check(line.config);
    }
  };
  check(config);
  return config;
}

function valueText(
  value: Line extends infer L ? (L extends { value: infer V } ? V : never) : never,
): string {
  return typeof value === 'string' ? value : value.map((v) => v.val).join(' ');
}

type Computed = Record<string, string | string[]>;

function first(computed: Computed, key: string): string | undefined {
  const value = computed[key.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function all(computed: Computed, key: string): string[] {
  const value = computed[key.toLowerCase()];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function parsePort(text: string | undefined, alias: string): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || port < 1 || port > 65535) {
    unsupported(`The Port "${text}" for ${alias} is not a TCP port (1 to 65535).`, {
      alias,
      port: text,
    });
  }
  return port;
}

/** Expands the `%` tokens OpenSSH allows in HostName and IdentityFile that we can know. */
function expandTokens(text: string, tokens: Record<string, string>, alias: string): string {
  return text.replace(/%(.)/g, (match, letter: string) => {
    if (letter === '%') return '%';
    const value = tokens[letter];
    if (value === undefined) {
      unsupported(`The token ${match} in the settings for ${alias} is not supported.`, {
        alias,
        token: match,
      });
    }
    return value;
  });
}

type Hop = { host: string; user?: string; port?: number };

/** Reads one ProxyJump hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
function parseHop(text: string, alias: string): Hop {
  const body = text.startsWith('ssh://') ? text.slice('ssh://'.length) : text;
  const match = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::([0-9]{1,5}))?$/.exec(body);
  const host = match?.[2];
  if (!match || !host) {
    unsupported(`The ProxyJump hop "${text}" for ${alias} is not [user@]host[:port].`, {
      alias,
      hop: text,
    });
  }
  const port = parsePort(match[3], alias);
  return {
    host: host.replace(/^\[|\]$/g, ''),
    ...(match[1] === undefined ? {} : { user: match[1] }),
    ...(port === undefined ? {} : { port }),
  };
}

/**
 * Resolves a host alias from ssh_config into a {@link Target}: HostName, User, Port, the first
 * IdentityFile (or the agent), and ProxyJump (one hop or a chain; each hop's own settings are
 * looked up in the same file). ProxyCommand is refused, never run.
 */
export function resolveSshConfigHost(
  config: SSHConfig,
  alias: string,
  defaults: SshConfigDefaults,
): Target {
  return resolveHop(config, { host: alias }, defaults, [], undefined);
}

function resolveHop(
  config: SSHConfig,
  hop: Hop,
  defaults: SshConfigDefaults,
  seen: readonly string[],
  inheritedAuth: TargetAuth | undefined,
): Target {
  const alias = hop.host;
  if (seen.includes(alias.toLowerCase())) {
    unsupported(`The ProxyJump settings loop back to ${alias}.`, {
      alias,
      chain: [...seen, alias],
    });
  }
  const computed = config.compute(alias, { ignoreCase: true, matchExec: false });

  const proxyCommand = first(computed, 'ProxyCommand');
  if (proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none') {
    unsupported(
      `The settings for ${alias} use ProxyCommand, which PatchDeck never runs. Use ProxyJump to reach the host through a bastion.`,
      { alias, directive: 'ProxyCommand' },
    );
  }

  const username = hop.user ?? first(computed, 'User') ?? defaults.username;
  if (username === undefined) {
    unsupported(`No User is set for ${alias}. Add a User line to its Host section.`, { alias });
  }
  const port = hop.port ?? parsePort(first(computed, 'Port'), alias) ?? 22;
  const tokens = {
    h: alias,
    n: alias,
    p: String(port),
    r: username,
    u: username,
    d: defaults.homeDir,
  };
  const address = checkHostname(
    expandTokens(first(computed, 'HostName') ?? alias, { ...tokens }, alias),
    'HostName',
  );
  const resolvedTokens = { ...tokens, h: address };

  const target: Target = {
    address,
    port,
    username,
    auth: authFor(computed, alias, resolvedTokens, defaults, inheritedAuth),
    connectTimeoutMs: defaults.connectTimeoutMs,
    keepaliveIntervalMs: defaults.keepaliveIntervalMs,
  };

  const proxyJump = first(computed, 'ProxyJump');
  if (proxyJump === undefined || proxyJump.toLowerCase() === 'none') return target;
  const hops = proxyJump.split(',').map((text) => parseHop(text.trim(), alias));
  const nextSeen = [...seen, alias.toLowerCase()];
  // "ProxyJump a,b": a is reached first (with its own settings), b through a, the target through b.
  let jump: Target | undefined;
  for (const [index, next] of hops.entries()) {
    // A hop with no key of its own uses the key of the host that names it, as ssh -J does.
    const resolved = resolveHop(config, next, defaults, nextSeen, target.auth);
    if (index > 0 && jump !== undefined) {
      jump = { ...withoutJump(resolved), jump };
    } else {
      jump = resolved;
    }
  }
  return jump === undefined ? target : { ...target, jump };
}

function withoutJump(target: Target): Target {
  const { jump: _ignored, ...rest } = target;
  return rest;
}

function authFor(
  computed: Computed,
  alias: string,
  tokens: Record<string, string>,
  defaults: SshConfigDefaults,
  inheritedAuth: TargetAuth | undefined,
): TargetAuth {
  const identity = all(computed, 'IdentityFile').find((file) => file.toLowerCase() !== 'none');
  if (identity !== undefined) {
    const expanded = expandTokens(identity, tokens, alias);
    const path = expanded.startsWith('~/')
      ? join(defaults.homeDir, expanded.slice(2))
      : isAbsolute(expanded)
        ? expanded
        : join(defaults.homeDir, expanded);
    return { kind: 'key', privateKeyPath: path };
  }
  const agent = first(computed, 'IdentityAgent');
  if (agent !== undefined && agent.toLowerCase() !== 'none' && agent !== 'SSH_AUTH_SOCK') {
    const expanded = expandTokens(agent, tokens, alias);
    return {
      kind: 'agent',
      socketPath: expanded.startsWith('~/') ? join(defaults.homeDir, expanded.slice(2)) : expanded,
    };
  }
  if (agent?.toLowerCase() !== 'none' && defaults.agentSocket !== undefined) {
    return { kind: 'agent', socketPath: defaults.agentSocket };
  }
  if (inheritedAuth !== undefined) return inheritedAuth;
  unsupported(
    `No IdentityFile is set for ${alias}, and no SSH agent is available. Add an IdentityFile line to its Host section.`,
    { alias },
  );
}
