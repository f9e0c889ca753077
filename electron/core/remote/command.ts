import { isIP } from 'node:net';

import { AppError } from '../../../shared/api/errors';

// Assigned in the classes' static blocks: the only way to construct either type.
let makeCommand: (text: string) => RemoteCommand;
let makeScript: (text: string) => PowerShellScript;

/**
 * A command line for a POSIX shell on a managed host, built only by the {@link sh} template.
 *
 * The private constructor makes the type nominal: a plain string can never be passed where a
 * `RemoteCommand` is expected, so every remote command has gone through the quoting below.
 */
export class RemoteCommand {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  static {
    makeCommand = (text) => new RemoteCommand(text);
  }

  /** The exact text the remote shell receives. */
  get text(): string {
    return this.#text;
  }

  /** The exact text the remote shell receives. */
  toString(): string {
    return this.#text;
  }
}

/** What may be interpolated into {@link sh}: data (quoted) or a command built earlier (spliced). */
export type ShValue = string | number | RemoteCommand;

/** The field name reported when a value is refused inside the `sh` template itself. */
const TEMPLATE_FIELD = 'argument';

function refuse(field: string, reason: string, value: unknown): never {
  throw new AppError(
    'UNSAFE_REMOTE_ARGUMENT',
    `The ${field} ${describe(value)} was refused: ${reason}. Nothing was sent to the host; correct the value and try again.`,
    { field, reason },
  );
}

/** A short, printable rendering of a refused value (control characters made visible). */
function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(shown);
}

/**
 * Quotes one value as a single POSIX shell word: `'...'`, with each `'` written as `'\''`.
 *
 * Inside single quotes the shell interprets nothing (no `$`, backticks, `\`, globs or newlines).
 * A value starting with `-` is refused, so data can never be read as an option; a NUL byte is
 * refused because no shell argument can carry one.
 */
export function quoteShellArgument(value: string, field = TEMPLATE_FIELD): string {
  if (value.includes('\0')) refuse(field, 'it contains a NUL byte', value);
  if (value.startsWith('-'))
    refuse(field, 'it starts with "-" and would be read as an option', value);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Tagged template that builds a {@link RemoteCommand}.
 *
 * @example
 * ```ts
 * sh`dpkg-query -W -- ${name}`
 * ```
 *
 * Each interpolated string or number becomes one single-quoted word; an interpolated
 * `RemoteCommand` is spliced in as it is (it was quoted when it was built). Put `--` before
 * operands in the template so that no program reads them as options.
 */
export function sh(strings: TemplateStringsArray, ...values: readonly ShValue[]): RemoteCommand {
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    text += renderValue(value) + (strings[index + 1] ?? '');
  });
  return makeCommand(text);
}

function renderValue(value: unknown): string {
  if (value instanceof RemoteCommand) return value.text;
  if (typeof value === 'string') return quoteShellArgument(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`sh: cannot interpolate the number ${value}`);
    return quoteShellArgument(String(value));
  }
  throw new Error(`sh: cannot interpolate a value of type ${typeof value}`);
}

/**
 * The command as one quoted word, for `sh -c <word>` (used by sudo wrapping and by callers that
 * hand a whole command line to another program).
 */
export function asShellWord(command: RemoteCommand): RemoteCommand {
  return makeCommand(quoteShellArgument(command.text, 'command'));
}

/** Joins commands with `&&` (stop at the first failure), `;` or a newline. */
export function joinCommands(
  commands: readonly RemoteCommand[],
  separator: '&&' | ';' | '\n' = '&&',
): RemoteCommand {
  const glue = separator === '\n' ? '\n' : ` ${separator} `;
  return makeCommand(commands.map((c) => c.text).join(glue));
}

// ---------------------------------------------------------------------------------------------
// Validators: allowlists applied before a value is used in any command.

/** Package naming rules: Debian's (lowercase) or RPM's (also `_` and uppercase). */
export type PackageFlavor = 'deb' | 'rpm';

const DEB_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const RPM_PACKAGE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_+.-]+$/;
const PACKAGE_VERSION = /^[A-Za-z0-9.+~:_-]+$/;
const KB_ID = /^KB[0-9]{6,8}$/;
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const MAX_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') refuse(field, 'it is not text', value);
  if (value.length === 0) refuse(field, 'it is empty', value);
  return value;
}

/** A package name as the host's package manager spells it; refuses anything else. */
export function checkPackageName(
  value: unknown,
  options: { flavor?: PackageFlavor; field?: string } = {},
): string {
  const field = options.field ?? 'packageName';
  const name = requireString(value, field);
  const flavor = options.flavor ?? 'deb';
  const pattern = flavor === 'deb' ? DEB_PACKAGE_NAME : RPM_PACKAGE_NAME;
  if (name.length > MAX_NAME_LENGTH) refuse(field, 'it is longer than 255 characters', name);
  if (!pattern.test(name)) {
    refuse(
      field,
      flavor === 'deb'
        ? 'a Debian package name has at least two characters from a-z, 0-9, "+", "-", "." and starts with a letter or digit'
        : 'an RPM package name has at least two characters from A-Z, a-z, 0-9, "_", "+", "-", "." and does not start with "+", "-" or "."',
      name,
    );
  }
  return name;
}

/** A package version (epoch, upstream version, revision); refuses anything else. */
export function checkPackageVersion(value: unknown, field = 'packageVersion'): string {
  const version = requireString(value, field);
  if (version.length > MAX_NAME_LENGTH) refuse(field, 'it is longer than 255 characters', version);
  if (version.startsWith('-')) refuse(field, 'it starts with "-"', version);
  if (!PACKAGE_VERSION.test(version)) {
    refuse(field, 'a version uses only A-Z, a-z, 0-9 and ". + ~ : _ -"', version);
  }
  return version;
}

/** A host name (RFC 1123 labels) or an IPv4/IPv6 literal; refuses anything else. */
export function checkHostname(value: unknown, field = 'hostname'): string {
  const host = requireString(value, field);
  if (host.startsWith('-')) refuse(field, 'it starts with "-"', host);
  // Node accepts IPv6 zone ids (`fe80::1%eth0`); a zone is free text, so it is refused.
  if (isIP(host) !== 0 && !host.includes('%')) return host;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253) refuse(field, 'a host name has at most 253 characters', host);
  if (!name.split('.').every((label) => HOST_LABEL.test(label))) {
    refuse(
      field,
      'a host name is made of dot-separated labels of letters, digits and inner hyphens, or is an IP address',
      host,
    );
  }
  return host;
}

/** An absolute path on the host without `..` segments or line breaks; refuses anything else. */
export function checkRemotePath(value: unknown, field = 'remotePath'): string {
  const path = requireString(value, field);
  if (path.length > MAX_PATH_LENGTH) refuse(field, 'it is longer than 4096 characters', path);
  if (!path.startsWith('/')) refuse(field, 'it is not an absolute path', path);
  if (/[\0\n\r]/.test(path)) refuse(field, 'it contains a NUL byte or a line break', path);
  if (path.split('/').includes('..')) refuse(field, 'it contains a ".." segment', path);
  return path;
}

/** A Windows update id such as `KB5034441`; refuses anything else. */
export function checkKbId(value: unknown, field = 'kbId'): string {
  const id = requireString(value, field);
  if (!KB_ID.test(id)) refuse(field, 'a KB id is "KB" followed by 6 to 8 digits', id);
  return id;
}

// ---------------------------------------------------------------------------------------------
// PowerShell (Windows hosts reached over OpenSSH).

/**
 * Quotes one value as a PowerShell single-quoted string literal.
 *
 * PowerShell treats the typographic quotes U+2018 to U+201B like `'`, so each of them is doubled
 * too; nothing else is special inside single quotes.
 */
export function quotePowerShell(value: string, field = TEMPLATE_FIELD): string {
  if (value.includes('\0')) refuse(field, 'it contains a NUL byte', value);
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (quote) => quote + quote)}'`;
}

/** A PowerShell script, built only by the {@link ps} template. */
export class PowerShellScript {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  static {
    makeScript = (text) => new PowerShellScript(text);
  }

  /** The script text PowerShell runs. */
  get text(): string {
    return this.#text;
  }
}

/**
 * Tagged template that builds a {@link PowerShellScript}; each interpolated string or number is a
 * single-quoted literal, an interpolated script is spliced in.
 */
export function ps(
  strings: TemplateStringsArray,
  ...values: readonly (string | number | PowerShellScript)[]
): PowerShellScript {
  let text = strings[0] ?? '';
  values.forEach((value: unknown, index) => {
    let rendered: string;
    if (value instanceof PowerShellScript) rendered = value.text;
    else if (typeof value === 'string') rendered = quotePowerShell(value);
    else if (typeof value === 'number' && Number.isFinite(value)) rendered = String(value);
    else throw new Error(`ps: cannot interpolate a value of type ${typeof value}`);
    text += rendered + (strings[index + 1] ?? '');
  });
  return makeScript(text);
}

/** The script as PowerShell's `-EncodedCommand` value: base64 of its UTF-16LE bytes. */
export function encodePowerShell(script: PowerShellScript): string {
  return Buffer.from(script.text, 'utf16le').toString('base64');
}

/**
 * The command line that runs a script on a Windows host, whatever its OpenSSH default shell:
 * only letters, digits and base64 characters, so neither cmd.exe nor PowerShell parses the text.
 */
export function powerShellCommand(script: PowerShellScript): RemoteCommand {
  return makeCommand(
    `powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encodePowerShell(script)}`,
  );
}
