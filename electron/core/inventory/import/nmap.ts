import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { AppError } from '../../../../shared/api/errors';

import type { ImportLimits } from './limits';
import type { ParsedTable } from './table';

/** The columns an Nmap scan becomes, one row per host that was up. */
export const NMAP_COLUMNS = {
  address: 'Address',
  name: 'Host name',
  osName: 'OS',
  port: 'SSH port',
  openPorts: 'Open ports',
} as const;

/** An XML node as fast-xml-parser returns it (attribute names carry a prefix). */
type XmlNode = Record<string, unknown>;

const ARRAY_TAGS = new Set([
  'host',
  'address',
  'hostnames',
  'hostname',
  'ports',
  'port',
  'os',
  'osmatch',
]);

/**
 * Reads `nmap -oX` output into a table: every host whose status is "up", with its address (IPv4
 * preferred), host name (user-given, else PTR), the best OS match, its open ports, and the port
 * SSH answers on (22/tcp open, or any open port whose service is ssh), which marks a host PatchDeck
 * can reach.
 *
 * Entity expansion is off: a document that declares entities or a DOCTYPE beyond Nmap's bare
 * `<!DOCTYPE nmaprun>` is refused, and only the five predefined XML entities and character references are decoded.
 * Malformed XML is refused with its line and column.
 */
export function parseNmapXml(bytes: Uint8Array, limits: ImportLimits): ParsedTable {
  const text = new TextDecoder('utf-8').decode(bytes);
  // Nmap writes a bare `<!DOCTYPE nmaprun>`; anything more (an internal subset, entity
  // declarations, an external DTD) is refused before any parser sees it.
  const declaration = /<!(?!DOCTYPE\s+nmaprun\s*>)(DOCTYPE|ENTITY)/i.exec(text);
  if (declaration) {
    const line = text.slice(0, declaration.index).split('\n').length;
    throw new AppError(
      'IMPORT_MALFORMED',
      `Line ${line}: the file declares a ${declaration[1]?.toUpperCase() ?? 'DOCTYPE'} with ` +
        'definitions, which Nmap never writes, so it was not read. Import the file exactly as ' +
        'written by nmap -oX.',
      { line },
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    throw new AppError(
      'IMPORT_MALFORMED',
      `Line ${line}, column ${col}: the XML is not well-formed (${msg}). The file may be cut ` +
        'short; run the scan again with -oX, then import the new file.',
      { line, column: col },
    );
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => ARRAY_TAGS.has(name),
  });
  const doc = parser.parse(text) as unknown;
  const root = child(doc, 'nmaprun');
  if (!root) {
    throw new AppError(
      'IMPORT_UNSUPPORTED_FORMAT',
      'The file is XML but not Nmap output (it has no <nmaprun> element). Run nmap with -oX and ' +
        'import that file.',
    );
  }
  const scanner = attr(root, 'scanner') || 'nmap';
  const hosts = children(root, 'host');
  if (hosts.length > limits.maxRows) {
    throw new AppError(
      'IMPORT_TOO_LARGE',
      `The scan lists ${hosts.length} hosts; an import reads at most ${limits.maxRows}. Split the ` +
        'address range into several scans, then import each.',
      { rows: hosts.length, limit: limits.maxRows },
    );
  }
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  hosts.forEach((host, index) => {
    if (attr(child(host, 'status'), 'state') !== 'up') return;
    const row = hostRow(host);
    if (row[0] === '') return;
    rows.push(row);
    rowNumbers.push(index + 1);
  });
  return {
    format: 'nmap-xml',
    sheets: ['Scan'],
    sheet: 'Scan',
    columns: [
      NMAP_COLUMNS.address,
      NMAP_COLUMNS.name,
      NMAP_COLUMNS.osName,
      NMAP_COLUMNS.port,
      NMAP_COLUMNS.openPorts,
    ],
    rows,
    rowNumbers,
    scanner: decodeXmlText(scanner).slice(0, 64),
  };
}

function hostRow(host: XmlNode): string[] {
  const addresses = children(host, 'address');
  const pick = (type: string) =>
    addresses.find((a) => attr(a, 'addrtype') === type && attr(a, 'addr') !== '');
  const address = attr(pick('ipv4') ?? pick('ipv6'), 'addr');

  const names = children(host, 'hostnames').flatMap((h) => children(h, 'hostname'));
  const named =
    names.find((n) => attr(n, 'type') === 'user') ?? names.find((n) => attr(n, 'name') !== '');
  const name = attr(named, 'name');

  const matches = children(host, 'os').flatMap((os) => children(os, 'osmatch'));
  let best: XmlNode | undefined;
  for (const match of matches) {
    if (!best || Number(attr(match, 'accuracy')) > Number(attr(best, 'accuracy'))) best = match;
  }
  const osName = attr(best, 'name');

  const open = children(host, 'ports')
    .flatMap((p) => children(p, 'port'))
    .filter((port) => attr(child(port, 'state'), 'state') === 'open');
  const tcp = (port: XmlNode) => attr(port, 'protocol') === 'tcp';
  const ssh =
    open.find((port) => tcp(port) && attr(port, 'portid') === '22') ??
    open.find((port) => tcp(port) && attr(child(port, 'service'), 'name') === 'ssh');
  const openPorts = open
    .map((port) => {
      const service = attr(child(port, 'service'), 'name');
      return `${attr(port, 'portid')}/${attr(port, 'protocol')}${service ? ` (${service})` : ''}`;
    })
    .join(', ');

  return [address, name, osName, ssh ? attr(ssh, 'portid') : '', clip(openPorts, 2_000)].map(
    decodeXmlText,
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Decodes the five predefined XML entities and numeric character references; nothing else. */
export function decodeXmlText(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (whole, body: string) => {
    const lower = body.toLowerCase();
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'amp') return '&';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    const code = lower.startsWith('#x')
      ? parseInt(lower.slice(2), 16)
      : parseInt(lower.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff
      ? String.fromCodePoint(code)
      : whole;
  });
}

function isNode(value: unknown): value is XmlNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function child(node: unknown, name: string): XmlNode | undefined {
  if (!isNode(node) || !Object.hasOwn(node, name)) return undefined;
  const value = node[name];
  if (Array.isArray(value)) return value.find(isNode);
  return isNode(value) ? value : undefined;
}

function children(node: unknown, name: string): XmlNode[] {
  if (!isNode(node) || !Object.hasOwn(node, name)) return [];
  const value = node[name];
  return (Array.isArray(value) ? value : [value]).filter(isNode);
}

function attr(node: XmlNode | undefined, name: string): string {
  if (!node || !Object.hasOwn(node, `@${name}`)) return '';
  const value = node[`@${name}`];
  return typeof value === 'string' ? value.trim() : '';
}
