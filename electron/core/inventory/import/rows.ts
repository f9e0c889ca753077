import { AppError } from '../../../../shared/api/errors';
import {
  DATA_SENSITIVITIES,
  ENVIRONMENTS,
  EXPOSURES,
  HostAddress,
  RemoteUser,
  type HostAttributes,
  type ImportField,
  type ImportMapping,
  type Tier,
} from '../../../../shared/domain/assets';

import { capitalise, rowLabel, type ParsedTable } from './table';

/** The SSH login given to imported hosts when the source maps no column to it. */
export const IMPORT_DEFAULT_USERNAME = 'root';

/** One row of a source turned into what it says about a host; blank cells say nothing. */
export type ImportCandidate = {
  /** Where the row is in the source (sheet row number, or position of the host in a scan). */
  row: number;
  name: string;
  /** False when the name cell was blank and the address stands in for it. */
  nameGiven: boolean;
  address: string;
  port: number | undefined;
  username: string | undefined;
  cmdbId: string | undefined;
  osName: string | undefined;
  /** Attributes the row fills (mapped and not blank), already validated. */
  attributes: Partial<Omit<HostAttributes, 'name'>>;
};

/** A problem with one cell, as listed in an IMPORT_MALFORMED error's details. */
export type RowProblem = { row: number; column: string; message: string };

const MAX_PROBLEMS_LISTED = 50;

const ENVIRONMENT_WORDS: Readonly<Record<string, HostAttributes['environment']>> = {
  production: 'production',
  prod: 'production',
  prd: 'production',
  live: 'production',
  staging: 'staging',
  stage: 'staging',
  stg: 'staging',
  uat: 'staging',
  preprod: 'staging',
  preproduction: 'staging',
  acceptance: 'staging',
  test: 'test',
  testing: 'test',
  tst: 'test',
  qa: 'test',
  development: 'development',
  dev: 'development',
  devel: 'development',
  lab: 'development',
};

const TIER_WORDS: Readonly<Record<string, Tier>> = {
  missioncritical: 0,
  critical: 0,
  businesscritical: 1,
  high: 1,
  important: 2,
  medium: 2,
  low: 3,
  lowimpact: 3,
};

const EXPOSURE_WORDS: Readonly<Record<string, HostAttributes['exposure']>> = {
  internetfacing: 'internet-facing',
  internet: 'internet-facing',
  external: 'internet-facing',
  public: 'internet-facing',
  dmz: 'dmz',
  internal: 'internal',
  isolated: 'isolated',
  airgapped: 'isolated',
  offline: 'isolated',
};

const SENSITIVITY_WORDS: Readonly<Record<string, HostAttributes['dataSensitivity']>> = {
  secret: 'restricted',
  strictlyconfidential: 'restricted',
};

/** "Pre-Prod " → "preprod". */
function word(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/**
 * Turns every row into a candidate host, validating each mapped cell. Refuses the whole source
 * (IMPORT_MALFORMED) when any row is wrong, naming the first row and column in the message and
 * listing up to 50 problems in the details, and when two rows describe the same host.
 */
export function toCandidates(table: ParsedTable, mapping: ImportMapping): ImportCandidate[] {
  const index = new Map<ImportField, number>();
  for (const [field, column] of Object.entries(mapping) as [ImportField, string | undefined][]) {
    if (column !== undefined) index.set(field, table.columns.indexOf(column));
  }
  const problems: RowProblem[] = [];
  const candidates: ImportCandidate[] = [];
  table.rows.forEach((cells, i) => {
    const row = table.rowNumbers[i] ?? i + 1;
    const cell = (field: ImportField): string => {
      const at = index.get(field);
      return at === undefined || at < 0 ? '' : (cells[at] ?? '');
    };
    const fail = (field: ImportField, message: string) => {
      problems.push({ row, column: mapping[field] ?? field, message });
    };
    const candidate = toCandidate(row, cell, fail);
    if (candidate) candidates.push(candidate);
  });
  problems.push(...duplicates(candidates, mapping));
  const first = problems[0];
  if (first) {
    throw new AppError(
      'IMPORT_MALFORMED',
      `${capitalise(rowLabel(table.format, first.row))}, column "${first.column}": ${first.message}` +
        (problems.length > 1 ? ` (${problems.length} problems in all; see the list).` : '') +
        ' Nothing was imported. Fix the file, then import it again.',
      { problems: problems.slice(0, MAX_PROBLEMS_LISTED), total: problems.length },
    );
  }
  return candidates;
}

function toCandidate(
  row: number,
  cell: (field: ImportField) => string,
  fail: (field: ImportField, message: string) => void,
): ImportCandidate | undefined {
  const before = { failed: false };
  const problem = (field: ImportField, message: string) => {
    before.failed = true;
    fail(field, message);
  };
  const rawName = cell('name');
  const rawAddress = cell('address');
  let address = firstAddress(rawAddress);
  if (address === '' && rawName !== '' && isHostAddress(rawName)) address = rawName;
  if (address === '') {
    problem('address', 'the address is empty (and the name is not a DNS name to use instead).');
  } else if (!isHostAddress(address)) {
    problem('address', `"${clip(address)}" is not an IP address or DNS name.`);
  }
  const name = rawName || address;
  if (name.length > 120) problem('name', 'the name is longer than 120 characters.');

  const portText = cell('port');
  let port: number | undefined;
  if (portText !== '') {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65_535))
      problem('port', `"${clip(portText)}" is not a port (1-65535).`);
  }
  const userText = cell('username');
  if (userText !== '' && !RemoteUser.safeParse(userText).success) {
    problem('username', `"${clip(userText)}" is not a login name (letters, digits, . _ -).`);
  }
  const cmdbId = cell('cmdbId');
  if (cmdbId.length > 200) problem('cmdbId', 'the CMDB id is longer than 200 characters.');
  const osName = cell('osName');
  if (osName.length > 200) problem('osName', 'the OS name is longer than 200 characters.');

  const attributes: ImportCandidate['attributes'] = {};
  const tierText = cell('tier');
  if (tierText !== '') {
    const tier = parseTier(tierText);
    if (tier === undefined)
      problem('tier', `"${clip(tierText)}" is not a tier (0-3, or "Tier 1").`);
    else attributes.tier = tier;
  }
  const envText = cell('environment');
  if (envText !== '') {
    const environment = (ENVIRONMENTS as readonly string[]).includes(envText.toLowerCase())
      ? (envText.toLowerCase() as HostAttributes['environment'])
      : ENVIRONMENT_WORDS[word(envText)];
    if (environment === undefined) {
      problem(
        'environment',
        `"${clip(envText)}" is not an environment (${ENVIRONMENTS.join(', ')}).`,
      );
    } else attributes.environment = environment;
  }
  const sensText = cell('dataSensitivity');
  if (sensText !== '') {
    const value = (DATA_SENSITIVITIES as readonly string[]).includes(word(sensText))
      ? (word(sensText) as HostAttributes['dataSensitivity'])
      : SENSITIVITY_WORDS[word(sensText)];
    if (value === undefined) {
      problem(
        'dataSensitivity',
        `"${clip(sensText)}" is not a sensitivity (${DATA_SENSITIVITIES.join(', ')}).`,
      );
    } else attributes.dataSensitivity = value;
  }
  const exposureText = cell('exposure');
  if (exposureText !== '') {
    const value = EXPOSURE_WORDS[word(exposureText)];
    if (value === undefined) {
      problem('exposure', `"${clip(exposureText)}" is not an exposure (${EXPOSURES.join(', ')}).`);
    } else attributes.exposure = value;
  }
  const text = (field: 'owner' | 'businessService' | 'haGroup' | 'networkZone', max: number) => {
    const value = cell(field);
    if (value === '') return;
    if (value.length > max) problem(field, `the value is longer than ${max} characters.`);
    else attributes[field] = value;
  };
  text('owner', 120);
  text('businessService', 120);
  text('haGroup', 64);
  text('networkZone', 64);
  const notes = cell('notes');
  if (notes !== '') attributes.notes = notes;
  const labels = (field: 'tags' | 'regulatoryTags', max: number) => {
    const value = cell(field);
    if (value === '') return;
    const list = [
      ...new Set(
        value
          .split(/[;,|\n]/)
          .map((t) => t.trim())
          .filter(Boolean),
      ),
    ];
    if (list.some((t) => t.length > 64)) problem(field, 'a label is longer than 64 characters.');
    else if (list.length > max) problem(field, `there are more than ${max} labels.`);
    else attributes[field] = list;
  };
  labels('tags', 50);
  labels('regulatoryTags', 20);

  if (before.failed) return undefined;
  return {
    row,
    name,
    nameGiven: rawName !== '',
    address,
    port,
    username: userText || undefined,
    cmdbId: cmdbId || undefined,
    osName: osName || undefined,
    attributes,
  };
}

/** "Tier 1", "T1", "1", "Business critical" → 1. */
export function parseTier(text: string): Tier | undefined {
  const compact = word(text);
  const digit = /^(?:tier|t)?([0-3])$/.exec(compact)?.[1];
  if (digit !== undefined) return Number(digit) as Tier;
  return TIER_WORDS[compact];
}

/** The first address of a cell that may list several ("10.0.0.5, 10.0.0.6"). */
function firstAddress(cell: string): string {
  return cell.split(/[\s,;]+/).find((part) => part !== '') ?? '';
}

/** An IP literal (IPv4 octets at most 255) or an RFC 1123 host name. */
export function isHostAddress(value: string): boolean {
  if (!HostAddress.safeParse(value).success) return false;
  if (/^(?:\d{1,3}\.){3}\d{1,3}$/.test(value))
    return value.split('.').every((o) => Number(o) <= 255);
  if (/^[0-9A-Fa-f:]+$/.test(value)) return value.includes(':');
  return !/^[\d.]+$/.test(value);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function duplicates(candidates: readonly ImportCandidate[], mapping: ImportMapping): RowProblem[] {
  const problems: RowProblem[] = [];
  const byCmdb = new Map<string, number>();
  const byAddress = new Map<string, number>();
  for (const c of candidates) {
    if (c.cmdbId !== undefined) {
      const key = c.cmdbId.toLowerCase();
      const earlier = byCmdb.get(key);
      if (earlier !== undefined) {
        problems.push({
          row: c.row,
          column: mapping.cmdbId ?? 'cmdbId',
          message: `the CMDB id "${clip(c.cmdbId)}" is also on row ${earlier}; each host may appear once.`,
        });
        continue;
      }
      byCmdb.set(key, c.row);
    }
    const key = `${c.address.toLowerCase()}:${c.port ?? 22}`;
    const earlier = byAddress.get(key);
    if (earlier !== undefined) {
      problems.push({
        row: c.row,
        column: mapping.address ?? 'address',
        message: `the address ${c.address} (port ${c.port ?? 22}) is also on row ${earlier}; each host may appear once.`,
      });
    } else byAddress.set(key, c.row);
  }
  return problems;
}
