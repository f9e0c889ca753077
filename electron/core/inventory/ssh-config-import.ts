import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';

import type { OpOutput, OpParsedInput } from '../../../shared/api/contract';
import { AppError } from '../../../shared/api/errors';
import { HostAddress, RemoteUser } from '../../../shared/domain/assets';
import type { ReadDb, WriteTx } from '../db/workspace';
import type { AreaHandlers } from '../platform/handlers';
import { parseSshConfig } from '../remote/ssh-config';

import { listCredentials } from './credentials.repository';
import {
  getHostRow,
  insertHost,
  listHostIdentities,
  updateHostAttributes,
  updateHostConnection,
  type HostConnectionChange,
  type HostRow,
} from './hosts.repository';
import { loadSource } from './import/parse-file';
import { requireActor, requireCredential, type InventoryContext } from './inventory.context';

/** ssh_config files larger than this are refused unread; real ones are a few kilobytes. */
export const MAX_SSH_CONFIG_BYTES = 1024 * 1024;

/** Jump chains longer than this are not imported (the connection code refuses them too). */
const MAX_JUMPS = 4;

type Input = OpParsedInput<'hosts.importSshConfig'>;
type Output = OpOutput<'hosts.importSshConfig'>;
type Skipped = Output['skipped'][number];
type SshConfig = ReturnType<typeof parseSshConfig>;
type Computed = Record<string, string | string[]>;

/** One directive line of the file as written, for naming lines in messages. */
type Directive = { line: number; keyword: string; value: string };

/** One ProxyJump hop as written: `[user@]host[:port]`. */
type Hop = { text: string; host: string; user?: string; port?: number };

/** A concrete `Host` alias of the file with the settings OpenSSH would use for it. */
type Entry = {
  alias: string;
  line: number | undefined;
  address: string;
  port: number;
  /** The file's User; undefined when the file names none (an existing host keeps its own). */
  username: string | undefined;
  /** IdentityFile paths in order, `~` and `%` tokens expanded. */
  identityFiles: string[];
  /** The ProxyJump hops; null when the file says nothing, [] for `ProxyJump none`. */
  hops: Hop[] | null;
  proxyJump: string | undefined;
  /** The inventory host at the same address and port. */
  existing: HostRow | undefined;
};

/** A host of the route graph: a Host of the file (`f:<index>`) or an inventory host (`h:<id>`). */
type NodeKey = string;

/** Where a node's route goes next; `fixed` once something says so, free while nothing does. */
type Route = { jump: NodeKey | null; fixed: boolean };

/** What the import will write, decided before anything is written. */
type ImportPlan = {
  entries: Entry[];
  /** The route of each imported Host (by entry index); entries not listed are skipped. */
  imported: Map<number, NodeKey | null>;
  /** Inventory hosts (outside the file) that a ProxyJump chain gives a jump host. */
  chainedInventory: Map<string, NodeKey>;
  skipped: Skipped[];
};

function unsupported(directive: Directive, fileName: string, what: string, advice: string): never {
  throw new AppError(
    'SSH_CONFIG_UNSUPPORTED',
    `Line ${directive.line} of ${fileName} ${what} PatchDeck never runs commands from ssh_config and reads nothing but the file it is given; nothing was imported. ${advice}`,
    { line: directive.line, directive: directive.keyword, fileName },
  );
}

function unquote(text: string): string {
  return text.replace(/^"(.*)"$/, '$1');
}

/** The directive lines of ssh_config text with their line numbers (comments and blanks left out). */
function readDirectives(text: string): Directive[] {
  const out: Directive[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([^\s=]+)\s*=?\s*(.*)$/.exec(trimmed);
    if (!match) continue;
    out.push({ line: index + 1, keyword: match[1]!.toLowerCase(), value: match[2]!.trim() });
  }
  return out;
}

/** Refuses, naming the line, what would make PatchDeck run a command or read another file. */
function refuseUnsupported(directives: readonly Directive[], fileName: string): void {
  for (const d of directives) {
    if (d.keyword === 'include') {
      unsupported(
        d,
        fileName,
        'uses Include, which PatchDeck does not follow.',
        'Paste the included settings into the file, then import it again.',
      );
    }
    if (d.keyword === 'proxycommand' && unquote(d.value).toLowerCase() !== 'none') {
      unsupported(
        d,
        fileName,
        'sets ProxyCommand, which would run a command on this machine.',
        'Use ProxyJump to reach the host through a bastion, then import again.',
      );
    }
    if (d.keyword === 'canonicalizehostname' && unquote(d.value).toLowerCase() !== 'no') {
      unsupported(
        d,
        fileName,
        'sets CanonicalizeHostName, which would look host names up in DNS while the file is read.',
        'Write each full host name in HostName instead, then import again.',
      );
    }
    if (d.keyword === 'match' && /(^|\s)!?exec(\s|=|$)/i.test(d.value)) {
      unsupported(
        d,
        fileName,
        'uses "Match exec", which would run a command on this machine.',
        'Remove that Match section, then import again.',
      );
    }
  }
}

function first(computed: Computed, key: string): string | undefined {
  const value = computed[key];
  return Array.isArray(value) ? value.join(' ') || undefined : value;
}

function all(computed: Computed, key: string): string[] {
  const value = computed[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Expands `%` tokens; `unknown` names the first token it cannot expand. */
function expandTokens(
  text: string,
  tokens: Readonly<Record<string, string | undefined>>,
): { text: string; unknown?: string } {
  let unknown: string | undefined;
  const expanded = text.replace(/%(.)/g, (match, letter: string) => {
    if (letter === '%') return '%';
    const value = tokens[letter];
    if (value === undefined) {
      unknown ??= match;
      return match;
    }
    return value;
  });
  return unknown === undefined ? { text: expanded } : { text: expanded, unknown };
}

function parsePort(text: string | undefined): number | undefined | 'invalid' {
  if (text === undefined) return undefined;
  const port = Number(text);
  return /^[0-9]{1,5}$/.test(text) && port >= 1 && port <= 65_535 ? port : 'invalid';
}

/** Reads one hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
function parseHop(text: string): Hop | undefined {
  const body = text.startsWith('ssh://') ? text.slice('ssh://'.length) : text;
  const match = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::([0-9]{1,5}))?$/.exec(body);
  const host = match?.[2];
  if (!match || !host) return undefined;
  const port = parsePort(match[3]);
  if (port === 'invalid') return undefined;
  return {
    text,
    host: host.replace(/^\[|\]$/g, ''),
    ...(match[1] === undefined ? {} : { user: match[1] }),
    ...(port === undefined ? {} : { port }),
  };
}

function localUser(): { name: string | undefined; uid: string | undefined } {
  try {
    const info = userInfo();
    return { name: info.username, uid: String(info.uid) };
  } catch {
    return { name: undefined, uid: undefined };
  }
}

/** An IdentityFile as OpenSSH would open it: tokens expanded, `~/` and relative paths from home. */
function identityPath(
  written: string,
  tokens: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): string {
  const { text } = expandTokens(unquote(written), tokens);
  if (text === '~') return homeDir;
  if (text.startsWith('~/')) return normalize(join(homeDir, text.slice(2)));
  return normalize(isAbsolute(text) || text.startsWith('~') ? text : join(homeDir, text));
}

/** The settings OpenSSH would use for a host name (keys lower-case). */
type SettingsOf = (host: string) => Computed;

/**
 * Reads the settings of many hosts quickly: each host's settings are computed over the sections
 * that can apply to it (every pattern, Match and global line, plus the Host sections naming it
 * literally), in file order, so the result is what computing over the whole file gives.
 */
function settingsReader(config: SshConfig): SettingsOf {
  const always: number[] = [];
  const literal = new Map<string, number[]>();
  for (const [index, line] of config.entries()) {
    if (!('param' in line)) continue;
    const isHost = 'config' in line && line.param.toLowerCase() === 'host';
    // Patterns as the ssh-config package splits them when it matches a Host line.
    const patterns = !isHost
      ? []
      : typeof line.value === 'string'
        ? line.value.split(',')
        : line.value.map((v) => v.val);
    if (isHost && patterns.length > 0 && patterns.every((p) => /^[A-Za-z0-9._-]+$/.test(p))) {
      for (const pattern of new Set(patterns)) {
        const list = literal.get(pattern);
        if (list) list.push(index);
        else literal.set(pattern, [index]);
      }
    } else {
      always.push(index);
    }
  }
  return (host) => {
    const indices = [...always, ...(literal.get(host) ?? [])].sort((a, b) => a - b);
    // Array methods of SSHConfig return an SSHConfig (Symbol.species), with its compute().
    const reduced = config.slice(0, 0) as SshConfig;
    for (const index of indices) reduced.push(config[index]!);
    return reduced.compute(host, { ignoreCase: true, matchExec: false });
  };
}

/** The concrete aliases of the file's `Host` lines (no patterns), each once, with its line. */
function concreteAliases(
  config: SshConfig,
  directives: readonly Directive[],
): { alias: string; line: number | undefined }[] {
  const sectionLines = directives
    .filter((d) => d.keyword === 'host' || d.keyword === 'match')
    .map((d) => d.line);
  const sections = config.filter(
    (line) => 'config' in line && ['host', 'match'].includes(line.param.toLowerCase()),
  );
  const linesKnown = sectionLines.length === sections.length;
  const seen = new Set<string>();
  const out: { alias: string; line: number | undefined }[] = [];
  for (const [index, section] of sections.entries()) {
    if (!('param' in section) || section.param.toLowerCase() !== 'host') continue;
    const patterns =
      typeof section.value === 'string'
        ? section.value.split(/\s+/)
        : section.value.map((v) => v.val);
    for (const pattern of patterns) {
      const alias = pattern.trim();
      if (alias === '' || /[*?!]/.test(alias) || seen.has(alias.toLowerCase())) continue;
      seen.add(alias.toLowerCase());
      out.push({ alias, line: linesKnown ? sectionLines[index] : undefined });
    }
  }
  return out;
}

/** Everything the planner looks up in the inventory, read once. */
type InventoryView = {
  byEndpoint: Map<string, string>;
  byName: Map<string, string[]>;
  rows: Map<string, HostRow | undefined>;
  row(hostId: string): HostRow | undefined;
};

function readInventory(db: ReadDb): InventoryView {
  const byEndpoint = new Map<string, string>();
  const byName = new Map<string, string[]>();
  for (const host of listHostIdentities(db)) {
    byEndpoint.set(endpointKey(host.address, host.port), host.id);
    const name = host.name.toLowerCase();
    byName.set(name, [...(byName.get(name) ?? []), host.id]);
  }
  const rows = new Map<string, HostRow | undefined>();
  return {
    byEndpoint,
    byName,
    rows,
    row(hostId) {
      if (!rows.has(hostId)) rows.set(hostId, getHostRow(db, hostId));
      return rows.get(hostId);
    },
  };
}

function endpointKey(address: string, port: number): string {
  return `${address.trim().toLowerCase()}:${port}`;
}

/**
 * Reads the settings OpenSSH would use for each concrete alias; aliases that cannot become a
 * host are returned as skipped, with the reason.
 */
function readEntries(
  config: SshConfig,
  settingsOf: SettingsOf,
  directives: readonly Directive[],
  inventory: InventoryView,
  homeDir: string,
): {
  entries: Entry[];
  skipped: Map<number, string>;
  aliasIndex: Map<string, number>;
  /** The imported Hosts by `address:port`. */
  byEndpoint: Map<string, number>;
} {
  const local = localUser();
  const entries: Entry[] = [];
  const skipped = new Map<number, string>();
  const aliasIndex = new Map<string, number>();
  const byEndpoint = new Map<string, number>();
  for (const { alias, line } of concreteAliases(config, directives)) {
    const computed = settingsOf(alias);
    const index = entries.length;
    const skip = (reason: string) => skipped.set(index, reason);
    aliasIndex.set(alias.toLowerCase(), index);

    const hostName = expandTokens(unquote(first(computed, 'hostname') ?? alias), { h: alias });
    const address = hostName.text.trim();
    const port = parsePort(first(computed, 'port'));
    const user = first(computed, 'user');
    const proxyJump = first(computed, 'proxyjump');
    const existingId =
      port === 'invalid' ? undefined : inventory.byEndpoint.get(endpointKey(address, port ?? 22));
    const existing = existingId === undefined ? undefined : inventory.row(existingId);
    const username = user === undefined ? undefined : unquote(user);
    const hopTexts =
      proxyJump === undefined
        ? null
        : proxyJump.toLowerCase() === 'none'
          ? []
          : proxyJump.split(',').map((t) => t.trim());
    const hops = hopTexts?.map((text) => parseHop(text) ?? text) ?? null;
    const tokens = {
      d: homeDir,
      h: address,
      n: alias,
      p: String(port === 'invalid' ? 22 : (port ?? 22)),
      r: username ?? existing?.username,
      u: local.name,
      i: local.uid,
    };
    const entry: Entry = {
      alias,
      line,
      address,
      port: port === 'invalid' ? 22 : (port ?? 22),
      username,
      identityFiles: all(computed, 'identityfile')
        .filter((file) => unquote(file).toLowerCase() !== 'none')
        .map((file) => identityPath(file, tokens, homeDir)),
      hops: hops?.filter((hop): hop is Hop => typeof hop !== 'string') ?? null,
      proxyJump,
      existing,
    };
    entries.push(entry);

    const badHop = hops?.find((hop) => typeof hop === 'string');
    const twin = byEndpoint.get(endpointKey(entry.address, entry.port));
    if (hostName.unknown !== undefined) {
      skip(
        `Its HostName uses ${hostName.unknown}, which PatchDeck cannot expand. Write the address.`,
      );
    } else if (!HostAddress.safeParse(address).success) {
      skip(`Its HostName "${address}" is not an IP address or a host name.`);
    } else if (port === 'invalid') {
      skip(`Its Port "${first(computed, 'port') ?? ''}" is not a TCP port (1 to 65535).`);
    } else if (username === undefined && !existing) {
      skip('No User is set for it. Add a User line to its Host section (or to "Host *").');
    } else if (username !== undefined && !RemoteUser.safeParse(username).success) {
      skip(`Its User "${username}" is not a login name.`);
    } else if (typeof badHop === 'string') {
      skip(`Its ProxyJump hop "${badHop}" is not [user@]host[:port].`);
    } else if (twin !== undefined) {
      const other = entries[twin]!;
      // Another alias of a host already read: the host is imported once, under the first name.
      aliasIndex.set(alias.toLowerCase(), twin);
      skip(
        `It is another name for ${other.alias} (same address and port), imported as ${other.alias}.`,
      );
    } else if (!existing && nameTaken(inventory, alias)) {
      const other = inventory.row(inventory.byName.get(alias.toLowerCase())?.[0] ?? '');
      skip(
        `The inventory has a host named ${alias} at ${other?.address ?? '?'}:${other?.port ?? '?'}, but this file reaches ${alias} at ${address}:${entry.port}. Correct the address of one of them, then import again.`,
      );
    } else {
      byEndpoint.set(endpointKey(entry.address, entry.port), index);
    }
  }
  return { entries, skipped, aliasIndex, byEndpoint };
}

function nameTaken(inventory: InventoryView, name: string): boolean {
  return (inventory.byName.get(name.toLowerCase())?.length ?? 0) > 0;
}

/**
 * Decides what an ssh_config import writes: which Hosts become (or update) inventory hosts and
 * through which jump host each is reached, and which are skipped and why.
 *
 * `ProxyJump a,b` for host X reaches b through a and X through b, so X's jump host is b and b's
 * is a. A hop is a Host of the same file, or an inventory host at the address and port the file's
 * settings give it (or with its name). A host keeps one route: a chain that would reach a host
 * another way than its own settings (or another chain) say is skipped with the reason.
 */
function planImport(
  config: SshConfig,
  directives: readonly Directive[],
  inventory: InventoryView,
  homeDir: string,
): ImportPlan {
  const settingsOf = settingsReader(config);
  const { entries, skipped, aliasIndex, byEndpoint } = readEntries(
    config,
    settingsOf,
    directives,
    inventory,
    homeDir,
  );
  const entryKeyOfHost = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    if (entry.existing && !skipped.has(index)) entryKeyOfHost.set(entry.existing.id, index);
  }
  const keyOfHost = (hostId: string): NodeKey => {
    const index = entryKeyOfHost.get(hostId);
    return index === undefined ? `h:${hostId}` : `f:${index}`;
  };
  const labelOf = (key: NodeKey): string =>
    key.startsWith('f:')
      ? (entries[Number(key.slice(2))]?.alias ?? key)
      : (inventory.row(key.slice(2))?.name ?? key);

  const userOf = (key: NodeKey): string | undefined => {
    if (key.startsWith('f:')) {
      const entry = entries[Number(key.slice(2))];
      return entry?.username ?? entry?.existing?.username;
    }
    return inventory.row(key.slice(2))?.username;
  };

  const resolveHop = (hop: Hop): { key: NodeKey } | { reason: string } => {
    const checkUser = (key: NodeKey) => {
      const user = userOf(key);
      return hop.user === undefined || user === undefined || hop.user === user
        ? { key }
        : {
            reason: `Its ProxyJump logs in to ${labelOf(key)} as ${hop.user}, but PatchDeck logs in to a jump host as that host's own user (${user}). Make them the same, then import again.`,
          };
    };
    const named = aliasIndex.get(hop.host.toLowerCase());
    if (named !== undefined && (hop.port === undefined || hop.port === entries[named]?.port)) {
      return checkUser(`f:${named}`);
    }
    // Not a Host of this file: where the file's settings (a pattern, say) put it.
    const computed = settingsOf(hop.host);
    const address = expandTokens(unquote(first(computed, 'hostname') ?? hop.host), {
      h: hop.host,
    }).text;
    const filePort = parsePort(first(computed, 'port'));
    const port = hop.port ?? (filePort === 'invalid' ? undefined : filePort) ?? 22;
    const endpoint = endpointKey(address, port);
    const inFile = byEndpoint.get(endpoint);
    if (inFile !== undefined) return checkUser(`f:${inFile}`);
    const byName = inventory.byName.get(hop.host.toLowerCase());
    const hostId =
      inventory.byEndpoint.get(endpoint) ?? (byName?.length === 1 ? byName[0] : undefined);
    if (hostId !== undefined) return checkUser(keyOfHost(hostId));
    return {
      reason: `Its ProxyJump names ${hop.text}, which is neither a Host in this file nor a host in the inventory. Add the jump host to the file or the inventory, then import again.`,
    };
  };

  // Each Host's hops as route nodes; a hop that leads nowhere skips the Host.
  const hopKeys = new Map<number, NodeKey[]>();
  for (const [index, entry] of entries.entries()) {
    if (skipped.has(index) || entry.hops === null) continue;
    const keys: NodeKey[] = [];
    for (const hop of entry.hops) {
      const resolved = resolveHop(hop);
      if ('reason' in resolved) {
        skipped.set(index, resolved.reason);
        break;
      }
      keys.push(resolved.key);
    }
    if (!skipped.has(index)) hopKeys.set(index, keys);
  }

  const initialRoute = (key: NodeKey): Route => {
    if (key.startsWith('f:')) {
      const index = Number(key.slice(2));
      if (entries[index]?.hops === null) return { jump: null, fixed: false };
      return { jump: hopKeys.get(index)?.at(-1) ?? null, fixed: true };
    }
    const jumpHostId = inventory.row(key.slice(2))?.jumpHostId ?? null;
    return jumpHostId === null
      ? { jump: null, fixed: false }
      : { jump: keyOfHost(jumpHostId), fixed: true };
  };

  // Rounds: each skips the Hosts whose routes cannot be honoured, until one round skips none.
  for (;;) {
    const routes = new Map<NodeKey, Route>();
    const routeOf = (key: NodeKey) => routes.get(key) ?? initialRoute(key);
    const newlySkipped = new Map<number, string>();
    for (const [index, entry] of entries.entries()) {
      if (skipped.has(index)) continue;
      const keys = hopKeys.get(index) ?? [];
      const notImported = keys.find((k) => k.startsWith('f:') && skipped.has(Number(k.slice(2))));
      if (notImported !== undefined) {
        newlySkipped.set(
          index,
          `Its jump host ${labelOf(notImported)} is not imported, so it could not be reached; see the reason given for ${labelOf(notImported)}.`,
        );
        continue;
      }
      const pending = new Map<NodeKey, Route>();
      let conflict: string | undefined;
      for (let k = 1; k < keys.length && conflict === undefined; k += 1) {
        const node = keys[k]!;
        const previous = keys[k - 1]!;
        const current = pending.get(node) ?? routeOf(node);
        if (current.jump === previous) continue;
        if (!current.fixed) {
          pending.set(node, { jump: previous, fixed: true });
          continue;
        }
        conflict = `Its ProxyJump ${entry.proxyJump ?? ''} reaches ${labelOf(node)} through ${labelOf(previous)}, but ${labelOf(node)} is reached ${current.jump === null ? 'directly' : `through ${labelOf(current.jump)}`} by its own settings or another host's ProxyJump. PatchDeck keeps one route per host: make the routes agree, then import again.`;
      }
      if (conflict !== undefined) {
        newlySkipped.set(index, conflict);
        continue;
      }
      for (const [node, route] of pending) routes.set(node, route);
    }
    if (newlySkipped.size === 0) {
      for (const index of entries.keys()) {
        if (skipped.has(index)) continue;
        const problem = routeProblem(`f:${index}`, routeOf, labelOf);
        if (problem !== undefined) {
          newlySkipped.set(index, problem);
          break;
        }
      }
    }
    if (newlySkipped.size === 0) {
      const imported = new Map<number, NodeKey | null>();
      for (const index of entries.keys()) {
        if (!skipped.has(index)) imported.set(index, routeOf(`f:${index}`).jump);
      }
      const chainedInventory = new Map<string, NodeKey>();
      for (const [key, route] of routes) {
        if (key.startsWith('h:') && route.jump !== null)
          chainedInventory.set(key.slice(2), route.jump);
      }
      const skippedList = [...skipped.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, reason]) => {
          const entry = entries[index]!;
          return entry.line === undefined
            ? { host: entry.alias, reason }
            : { host: entry.alias, line: entry.line, reason };
        });
      return { entries, imported, chainedInventory, skipped: skippedList };
    }
    for (const [index, reason] of newlySkipped) skipped.set(index, reason);
  }
}

/** A loop or an over-long chain on the route from `start`, described; undefined when fine. */
function routeProblem(
  start: NodeKey,
  routeOf: (key: NodeKey) => Route,
  labelOf: (key: NodeKey) => string,
): string | undefined {
  const seen = [start];
  for (let next = routeOf(start).jump; next !== null; next = routeOf(next).jump) {
    if (seen.includes(next)) {
      return `Its jump hosts lead back to ${labelOf(next)} (${[...seen, next].map(labelOf).join(' → ')}), so it could never be reached.`;
    }
    seen.push(next);
    if (seen.length > MAX_JUMPS + 1) {
      return `It is reached through more than ${MAX_JUMPS} jump hosts, more than PatchDeck follows.`;
    }
  }
  return undefined;
}

/** Key credentials by the normalised path of their private key file, the first by name. */
function keyCredentialsByPath(db: ReadDb): Map<string, { id: string; name: string }> {
  const byPath = new Map<string, { id: string; name: string }>();
  for (const credential of listCredentials(db)) {
    if (credential.kind !== 'key' || credential.keyPath === null) continue;
    const path = normalize(credential.keyPath);
    if (!byPath.has(path)) byPath.set(path, { id: credential.id, name: credential.name });
  }
  return byPath;
}

/**
 * The `hosts.importSshConfig` handler: brings the concrete Hosts of an OpenSSH ssh_config file
 * and their jump hosts into the inventory, in one transaction.
 *
 * Settings from patterns (`Host *`) apply as OpenSSH applies them (the first value obtained
 * wins). A file that would make PatchDeck run a command (ProxyCommand, `Match exec`) or read
 * another file (Include) is refused, naming the line, and nothing is imported. IdentityFile is
 * never stored as a secret: a host gets the given credential, or the key credential whose key
 * file is the host's IdentityFile; the report names identity files no credential uses.
 */
export function sshConfigImportHandlers(
  ctx: InventoryContext,
  options: { homeDir?: string } = {},
): AreaHandlers<'hosts.importSshConfig'> {
  const { workspace, events, ids } = ctx;
  return {
    'hosts.importSshConfig': async (input: Input, call) => {
      requireActor(call.actor);
      if (typeof input.credentialId === 'string') requireCredential(workspace, input.credentialId);
      const file = await loadSource(input.source, { maxFileBytes: MAX_SSH_CONFIG_BYTES });
      if (file.bytes.includes(0)) {
        throw new AppError(
          'IMPORT_FILE_UNREADABLE',
          `${file.fileName} is not a text file, so it is not an ssh_config file. Choose the ssh_config file.`,
          { fileName: file.fileName },
        );
      }
      const text = Buffer.from(file.bytes)
        .toString('utf8')
        .replace(/^\uFEFF/, '');
      const directives = readDirectives(text);
      refuseUnsupported(directives, file.fileName);
      const config = parseSshConfig(text);
      const homeDir = options.homeDir ?? homedir();
      const plan = planImport(config, directives, readInventory(workspace), homeDir);

      // Ids of the new hosts, so routes can name hosts written in the same transaction.
      const hostIdOf = new Map<number, string>();
      for (const index of plan.imported.keys()) {
        const entry = plan.entries[index]!;
        hostIdOf.set(index, entry.existing?.id ?? ids.next('host'));
      }
      const idOfKey = (key: NodeKey | null): string | null => {
        if (key === null) return null;
        return key.startsWith('f:') ? hostIdOf.get(Number(key.slice(2)))! : key.slice(2);
      };

      const byPath = input.credentialId === undefined ? keyCredentialsByPath(workspace) : null;
      const identityNotes = new Map<string, Output['identityFiles'][number]>();
      const credentialFor = (entry: Entry): string | null | undefined => {
        if (byPath === null) return input.credentialId;
        if (entry.identityFiles.length === 0) return undefined;
        const match = entry.identityFiles.find((path) => byPath.has(path));
        const path = match ?? entry.identityFiles[0]!;
        const credential = match === undefined ? undefined : byPath.get(match);
        const note = identityNotes.get(path) ?? {
          path,
          hosts: [],
          credentialId: credential?.id ?? null,
          credentialName: credential?.name ?? null,
        };
        note.hosts.push(entry.alias);
        identityNotes.set(path, note);
        return credential?.id;
      };

      const at = call.now.toISOString();
      const added: { hostId: string; name: string; address: string; port: number }[] = [];
      const updated: { hostId: string; name: string; fields: string[] }[] = [];
      let unchanged = 0;
      const writes: ((tx: WriteTx) => void)[] = [];
      for (const [index, jumpKey] of plan.imported) {
        const entry = plan.entries[index]!;
        const hostId = hostIdOf.get(index)!;
        const jumpHostId = idOfKey(jumpKey);
        const credentialId = credentialFor(entry);
        const row = entry.existing;
        if (!row) {
          const username = entry.username!;
          added.push({ hostId, name: entry.alias, address: entry.address, port: entry.port });
          writes.push((tx) =>
            insertHost(tx, {
              id: hostId,
              name: entry.alias,
              address: entry.address,
              port: entry.port,
              username,
              credentialId: credentialId ?? null,
              jumpHostId,
              source: 'ssh_config',
              at,
            }),
          );
          continue;
        }
        const change: HostConnectionChange = {};
        if (entry.username !== undefined && entry.username !== row.username) {
          change.username = entry.username;
        }
        if (jumpHostId !== row.jumpHostId) change.jumpHostId = jumpHostId;
        if (credentialId !== undefined && credentialId !== row.credentialId) {
          change.credentialId = credentialId;
        }
        // A host named only by its address (from known_hosts, say) takes the alias as its name.
        const rename = row.name === row.address && row.name !== entry.alias;
        const fields = [...Object.keys(change), ...(rename ? ['name'] : [])];
        if (fields.length === 0) {
          unchanged += 1;
          continue;
        }
        updated.push({ hostId, name: row.name, fields });
        writes.push((tx) => {
          updateHostConnection(tx, hostId, change, at);
          if (rename) updateHostAttributes(tx, hostId, { name: entry.alias }, at);
        });
      }
      for (const [hostId, jumpKey] of plan.chainedInventory) {
        const jumpHostId = idOfKey(jumpKey);
        const name = getHostRow(workspace, hostId)?.name ?? hostId;
        updated.push({ hostId, name, fields: ['jumpHostId'] });
        writes.push((tx) => updateHostConnection(tx, hostId, { jumpHostId }, at));
      }

      const source = 'path' in input.source ? input.source.path : file.fileName;
      call.describe(
        `Imported ssh_config ${source}: ${added.length} added, ${updated.length} updated, ${unchanged} unchanged, ${plan.skipped.length} skipped`,
        {
          source,
          credentialId: input.credentialId,
          added: added.slice(0, 1000),
          updated: updated.slice(0, 1000),
          unchanged,
          skipped: plan.skipped.slice(0, 200),
        },
      );
      call.commit((tx) => {
        for (const write of writes) write(tx);
      });
      const changed = [...added.map((h) => h.hostId), ...updated.map((h) => h.hostId)];
      if (changed.length > 0) {
        events.emit('hosts.changed', { hostIds: changed.length > 1000 ? 'all' : changed });
      }
      return {
        added: added.length,
        updated: updated.length,
        unchanged,
        skipped: plan.skipped,
        identityFiles: [...identityNotes.values()],
      };
    },
  };
}
