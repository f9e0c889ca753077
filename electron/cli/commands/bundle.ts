import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { AppError } from '../../../shared/api/errors';
import { keyFingerprint, type SignedRoot } from '../../../shared/domain/bundle-manifest';
import { applyKev, readAdvisories, readKevCatalog } from '../../core/bundles/advisories';
import { buildBundle } from '../../core/bundles/bundle-builder';
import { payloadBytes, verifyBundle } from '../../core/bundles/verify-bundle';
import {
  isSelfSigned,
  parseSignedRoot,
  type TrustAnchor,
} from '../../core/bundles/verify-metadata';

import { loadKeys, readPassphrase, reportCliError } from './keys';

/** Exit codes of `patchdeck bundle verify`. */
export const BUNDLE_EXIT = { valid: 0, refused: 1, error: 2 } as const;

type Out = (line: string) => void;
const stdout: Out = (line) => process.stdout.write(`${line}\n`);
const stderr: Out = (line) => process.stderr.write(`${line}\n`);

type CreateOptions = {
  from: string;
  advisories: string[];
  channel: string;
  sequence: string;
  expires: string;
  key: string[];
  root: string[];
  out: string;
  id?: string;
  passphraseFile?: string;
  kev?: string;
};

/** `bundle create`: hash, sign and write a bundle folder or `.tar`. */
export async function runBundleCreate(options: CreateOptions, out: Out = stdout): Promise<number> {
  const sequence = Number(options.sequence);
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new AppError('VALIDATION_FAILED', '--sequence must be a whole number of at least 1.');
  }
  const expires = new Date(options.expires);
  if (Number.isNaN(expires.getTime())) {
    throw new AppError(
      'VALIDATION_FAILED',
      '--expires must be a date (2026-12-31 or an ISO time).',
    );
  }
  const roots: SignedRoot[] = [];
  for (const path of options.root) roots.push(parseSignedRoot(await readFile(path), path));
  roots.sort((a, b) => a.signed.version - b.signed.version);
  const newest = roots.at(-1);
  if (!newest) throw new AppError('VALIDATION_FAILED', 'Give the publisher root with --root.');
  const keys = await loadKeys(options.key, await readPassphrase(options.passphraseFile));
  const from = resolve(options.from);
  const advisories = await readAdvisories(
    options.advisories.map((a) => resolve(a)),
    from,
  );
  const { files } = advisories;
  let { patches } = advisories;
  if (options.kev) {
    const kev = await readKevCatalog(resolve(options.kev));
    patches = applyKev(patches, kev);
    const flagged = patches.filter((p) => p.knownExploited === true).length;
    out(
      `KEV catalog ${kev.catalogVersion} (${kev.cves.size} CVEs): ${flagged} of ${patches.length} patch(es) fix a known exploited vulnerability.`,
    );
  }
  const signed = await buildBundle(
    {
      bundleId: options.id ?? `${newest.signed.publisher}-${options.channel}-${sequence}`,
      channel: options.channel,
      sequence,
      created: new Date().toISOString(),
      expires: expires.toISOString(),
      roots,
      files,
      patches,
      keys,
    },
    resolve(options.out),
  );
  const m = signed.signed;
  out(
    `Bundle ${m.bundleId} written to ${resolve(options.out)}: ${m.patches.length} patch(es), ${m.files.length} file(s), ${payloadBytes(m)} bytes, signed by ${signed.signatures.map((s) => keyFingerprint(s.keyid)).join('; ')}.`,
  );
  return BUNDLE_EXIT.valid;
}

/** `bundle verify`: the import's verification path, with no workspace and no store. */
export async function runBundleVerify(
  path: string,
  options: { trust?: string; json?: boolean },
  out: Out = stdout,
): Promise<number> {
  let anchor: TrustAnchor | null = null;
  if (options.trust) {
    const root = parseSignedRoot(
      await readFile(options.trust),
      options.trust,
      'TRUST_ROOT_INVALID',
    );
    if (!isSelfSigned(root)) {
      throw new AppError(
        'TRUST_ROOT_INVALID',
        `${options.trust} is not signed by its own root keys.`,
      );
    }
    anchor = { publisher: root.signed.publisher, root: root.signed, revoked: new Set() };
  }
  const started = Date.now();
  try {
    const result = await verifyBundle(resolve(path), {
      anchorFor: (publisher) => (anchor && anchor.publisher === publisher ? anchor : null),
      requireTrust: anchor !== null,
      now: new Date(),
      allowExpired: false,
      stagingDir: null,
    });
    const m = result.meta.manifest;
    const report = {
      ok: true,
      bundleId: m.bundleId,
      publisher: m.publisher,
      channel: m.channel,
      sequence: m.sequence,
      created: m.created,
      expires: m.expires,
      trust: anchor ? 'pinned' : 'self',
      rootVersion: result.meta.root.version,
      signatures: `${result.meta.validSignatures}/${result.meta.threshold}`,
      files: m.files.length,
      bytes: result.bytesRead,
      patches: m.patches.length,
      durationMs: Date.now() - started,
    };
    out(
      options.json
        ? JSON.stringify(report)
        : [
            `Bundle ${m.bundleId} verified: ${m.publisher}/${m.channel} #${m.sequence}, ${report.signatures} signatures (root ${report.rootVersion}), ${m.files.length} files and ${result.bytesRead} bytes hashed, ${m.patches.length} patches; expires ${m.expires}.`,
            ...(anchor
              ? []
              : [
                  'Warning: no --trust root given; checked against the root the bundle carries, which proves consistency, not who signed it.',
                ]),
          ].join('\n'),
    );
    return BUNDLE_EXIT.valid;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    out(
      options.json
        ? JSON.stringify({
            ok: false,
            code: error.code,
            message: error.message,
            details: error.details ?? {},
          })
        : `Bundle REFUSED: ${error.code}: ${error.message}`,
    );
    return BUNDLE_EXIT.refused;
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `patchdeck bundle create | verify`. */
export function registerBundleCommands(program: Command): void {
  const bundle = program.command('bundle').description('Build and check signed patch bundles.');
  bundle
    .command('create')
    .description('Build a signed bundle from package files and advisory metadata.')
    .requiredOption('--from <dir>', 'folder holding the package files')
    .requiredOption(
      '--advisories <file>',
      'advisory metadata (patchdeck-advisories/1 or OSV JSON); repeat',
      collect,
      [],
    )
    .requiredOption('--channel <name>', 'channel, e.g. stable')
    .requiredOption('--sequence <n>', 'sequence number; must grow per channel')
    .requiredOption('--expires <date>', 'expiry date')
    .requiredOption(
      '--key <file>',
      'bundle-signing private key; repeat for a threshold',
      collect,
      [],
    )
    .requiredOption(
      '--root <file>',
      'publisher root file to carry (N.root.json); repeat for a chain',
      collect,
      [],
    )
    .requiredOption('--out <path>', 'bundle folder, or a file ending in .tar')
    .option('--id <bundleId>', 'bundle id (default <publisher>-<channel>-<sequence>)')
    .option('--passphrase-file <file>', 'file holding the key passphrase')
    .option(
      '--kev <file>',
      'CISA Known Exploited Vulnerabilities catalog (JSON): marks patches whose CVEs it lists',
    )
    .action(async (options: CreateOptions) => {
      process.exitCode = await runBundleCreate(options).catch((e: unknown) => reportCliError(e));
    });
  bundle
    .command('verify <path>')
    .description(
      'Verify a bundle folder or .tar as import would. Exit 0 valid, 1 refused, 2 error.',
    )
    .option('--trust <root.json>', 'the publisher root to trust (else the one the bundle carries)')
    .option('--json', 'print the result as one JSON object')
    .action(async (path: string, options: { trust?: string; json?: boolean }) => {
      process.exitCode = await runBundleVerify(path, options).catch((e: unknown) =>
        reportCliError(e, stderr),
      );
    });
}
