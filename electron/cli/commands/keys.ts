import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { AppError } from '../../../shared/api/errors';
import { keyFingerprint } from '../../../shared/domain/bundle-manifest';
import { makeRoot, metadataText, signAll } from '../../core/bundles/bundle-builder';
import { loadPrivateKey, publicKeyEntry } from '../../core/bundles/signing';
import { isSelfSigned, parseSignedRoot, walkRootChain } from '../../core/bundles/verify-metadata';

/** Exit codes of the key commands. */
export const KEYS_EXIT = { ok: 0, error: 2 } as const;

type Out = (line: string) => void;
const stdout: Out = (line) => process.stdout.write(`${line}\n`);
const stderr: Out = (line) => process.stderr.write(`${line}\n`);

/**
 * The passphrase protecting private keys: from `--passphrase-file`, else the
 * PATCHDECK_KEY_PASSPHRASE environment variable. Never from the command line itself.
 */
export async function readPassphrase(file: string | undefined): Promise<string> {
  const text = file
    ? (await readFile(file, 'utf8')).replace(/\r?\n$/, '')
    : process.env['PATCHDECK_KEY_PASSPHRASE'];
  if (!text || text.length < 12) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Give a passphrase of at least 12 characters with --passphrase-file FILE or PATCHDECK_KEY_PASSPHRASE.',
    );
  }
  return text;
}

/** Loads encrypted private keys (PKCS#8 PEM) with the passphrase. */
export async function loadKeys(paths: readonly string[], passphrase: string): Promise<KeyObject[]> {
  const keys: KeyObject[] = [];
  for (const path of paths) {
    try {
      keys.push(loadPrivateKey(await readFile(path), passphrase));
    } catch (error) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Could not open the private key ${path}: wrong passphrase or not an Ed25519 key (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
  }
  return keys;
}

/** Loads public keys: a `.pub` SPKI PEM, or the public half of a private key file. */
async function loadPublicKeys(paths: readonly string[], passphrase: () => Promise<string>) {
  const keys: KeyObject[] = [];
  for (const path of paths) {
    const pem = await readFile(path, 'utf8');
    keys.push(
      pem.includes('PRIVATE KEY')
        ? createPublicKey(loadPrivateKey(pem, await passphrase()))
        : createPublicKey(pem),
    );
  }
  return keys;
}

/** `keys generate`: a new Ed25519 key pair; the private half encrypted, mode 0600. */
export async function runKeysGenerate(
  options: { out: string; passphraseFile?: string | undefined; json?: boolean | undefined },
  out: Out = stdout,
): Promise<number> {
  const passphrase = await readPassphrase(options.passphraseFile);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const base = resolve(options.out);
  const pem = privateKey.export({
    format: 'pem',
    type: 'pkcs8',
    cipher: 'aes-256-cbc',
    passphrase,
  });
  await writeFile(`${base}.key`, pem, { mode: 0o600, flag: 'wx' });
  await writeFile(`${base}.pub`, publicKey.export({ format: 'pem', type: 'spki' }), {
    mode: 0o644,
    flag: 'wx',
  });
  const { keyid } = publicKeyEntry(publicKey);
  const result = {
    privateKey: `${base}.key`,
    publicKey: `${base}.pub`,
    keyid,
    fingerprint: keyFingerprint(keyid),
  };
  out(
    options.json
      ? JSON.stringify(result)
      : `Key id:      ${keyid}\nFingerprint: ${result.fingerprint}\nPrivate key: ${result.privateKey} (encrypted, mode 0600)\nPublic key:  ${result.publicKey}`,
  );
  return KEYS_EXIT.ok;
}

type RootOptions = {
  publisher?: string;
  from?: string;
  rootKey: string[];
  rootThreshold: string;
  targetsKey: string[];
  targetsThreshold: string;
  signKey: string[];
  out: string;
  passphraseFile?: string;
};

/** `keys root init` and `keys root rotate`: a new root, signed by the keys given. */
export async function runRootCommand(
  mode: 'init' | 'rotate',
  options: RootOptions,
  out: Out = stdout,
): Promise<number> {
  let passphrase: string | undefined;
  const getPassphrase = async () => (passphrase ??= await readPassphrase(options.passphraseFile));
  const signers = await loadKeys(options.signKey, await getPassphrase());
  let publisher = options.publisher;
  let version = 1;
  let previous;
  if (mode === 'rotate') {
    if (!options.from)
      throw new AppError('VALIDATION_FAILED', 'Name the current root with --from.');
    previous = parseSignedRoot(await readFile(options.from), options.from, 'TRUST_ROOT_INVALID');
    publisher = previous.signed.publisher;
    version = previous.signed.version + 1;
  }
  if (!publisher) throw new AppError('VALIDATION_FAILED', 'Name the publisher with --publisher.');
  const root = makeRoot({
    publisher,
    version,
    created: new Date().toISOString(),
    rootKeys: await loadPublicKeys(options.rootKey, getPassphrase),
    rootThreshold: Number(options.rootThreshold),
    targetsKeys: await loadPublicKeys(options.targetsKey, getPassphrase),
    targetsThreshold: Number(options.targetsThreshold),
  });
  const signed = signAll(root, signers);
  // Check it as an importer will, before anyone carries it anywhere.
  if (previous) {
    walkRootChain(previous.signed, new Map([[version, Buffer.from(metadataText(signed))]]));
  } else if (!isSelfSigned(signed)) {
    throw new AppError(
      'TRUST_ROOT_INVALID',
      `The root needs ${root.roles.root.threshold} signature(s) by its own root keys; sign it with --sign-key.`,
    );
  }
  const path = resolve(options.out);
  await writeFile(path, metadataText(signed), { flag: 'wx' });
  out(`Root ${version} of ${publisher} written to ${path}.`);
  for (const keyid of root.roles.root.keyids) out(`  root key    ${keyFingerprint(keyid)}`);
  for (const keyid of root.roles.targets.keyids) out(`  targets key ${keyFingerprint(keyid)}`);
  return KEYS_EXIT.ok;
}

/** Prints an error and returns the error exit code. */
export function reportCliError(error: unknown, err: Out = stderr): number {
  err(
    error instanceof AppError
      ? `${error.code}: ${error.message}`
      : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
  );
  return KEYS_EXIT.error;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `patchdeck keys generate | root init | root rotate`. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('Publisher signing keys and roots.');
  keys
    .command('generate')
    .description('Generate an Ed25519 key pair: <out>.key (encrypted, 0600) and <out>.pub.')
    .requiredOption('--out <path>', 'path prefix of the two files')
    .option(
      '--passphrase-file <file>',
      'file holding the passphrase (else PATCHDECK_KEY_PASSPHRASE)',
    )
    .option('--json', 'print the result as one JSON object')
    .action(async (options: { out: string; passphraseFile?: string; json?: boolean }) => {
      process.exitCode = await runKeysGenerate(options).catch((e: unknown) => reportCliError(e));
    });
  const root = keys.command('root').description('Create or rotate the publisher root.');
  const rootOptions = (command: Command) =>
    command
      .requiredOption('--root-key <file>', 'a root key (.pub or .key); repeat', collect, [])
      .option('--root-threshold <n>', 'root signatures required', '1')
      .requiredOption('--targets-key <file>', 'a bundle-signing key; repeat', collect, [])
      .option('--targets-threshold <n>', 'bundle signatures required', '1')
      .requiredOption('--sign-key <file>', 'private key signing this root; repeat', collect, [])
      .requiredOption('--out <file>', 'where to write N.root.json')
      .option('--passphrase-file <file>', 'file holding the passphrase');
  rootOptions(root.command('init').description('Create root version 1.'))
    .requiredOption('--publisher <name>', 'publisher name')
    .action(async (options: RootOptions) => {
      process.exitCode = await runRootCommand('init', options).catch((e: unknown) =>
        reportCliError(e),
      );
    });
  rootOptions(
    root
      .command('rotate')
      .description('Create root N+1, signed by the old root keys and the new ones.'),
  )
    .requiredOption('--from <file>', 'the current root file')
    .action(async (options: RootOptions) => {
      process.exitCode = await runRootCommand('rotate', options).catch((e: unknown) =>
        reportCliError(e),
      );
    });
}
