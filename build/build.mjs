// Builds PatchDeck: the Node/Electron bundles with esbuild, then the renderer with Vite.
//
//   node build/build.mjs                  everything
//   node build/build.mjs --skip-renderer  the bundles in dist/electron only
import { existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'electron');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

/** Loads `*.sql` migration files as strings, as the Vite/vitest plugin does. */
const sqlAsText = {
  name: 'patchdeck-sql-as-text',
  setup(builder) {
    builder.onLoad({ filter: /\.sql$/ }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

// In CJS output import.meta is empty; give code that reads import.meta.url the file URL.
const CJS_BANNER =
  "const __patchdeckImportMetaUrl = require('node:url').pathToFileURL(__filename).href;";

// ESM output has no require/__filename/__dirname; some dependencies expect them.
const ESM_BANNER = [
  "import { createRequire as __patchdeckCreateRequire } from 'node:module';",
  "import { fileURLToPath as __patchdeckFileURLToPath } from 'node:url';",
  "import { dirname as __patchdeckDirname } from 'node:path';",
  'const require = __patchdeckCreateRequire(import.meta.url);',
  'const __filename = __patchdeckFileURLToPath(import.meta.url);',
  'const __dirname = __patchdeckDirname(__filename);',
].join('\n');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [sqlAsText],
  define: { __PATCHDECK_VERSION__: JSON.stringify(pkg.version) },
};

const cjs = (entry, outfile) => ({
  ...common,
  entryPoints: [join(root, entry)],
  outfile: join(outDir, outfile),
  format: 'cjs',
  external: ['electron'],
  banner: { js: CJS_BANNER },
  define: { ...common.define, 'import.meta.url': '__patchdeckImportMetaUrl' },
});

const esm = (entry, outfile, banner) => ({
  ...common,
  entryPoints: [join(root, entry)],
  outfile: join(outDir, outfile),
  format: 'esm',
  banner: { js: banner },
});

const targets = [
  cjs('electron/app/main.ts', 'main.cjs'),
  cjs('electron/app/core-process.ts', 'core-process.cjs'),
  // A sandboxed preload must be one CommonJS file that requires nothing but 'electron'.
  {
    ...common,
    entryPoints: [join(root, 'electron/preload/preload.ts')],
    outfile: join(outDir, 'preload.cjs'),
    format: 'cjs',
    packages: 'bundle',
    external: ['electron'],
  },
  esm('electron/server/main.ts', 'server.mjs', ESM_BANNER),
  esm('electron/cli/main.ts', 'cli.mjs', `#!/usr/bin/env node\n${ESM_BANNER}`),
  // Worker threads (electron/core/platform/worker.ts finds them in workers/ beside the bundle).
  esm('electron/core/bundles/hash-copy.worker.ts', 'workers/hash-copy.mjs', ESM_BANNER),
  esm(
    'electron/core/inventory/import/import-parse.worker.ts',
    'workers/import-parse.mjs',
    ESM_BANNER,
  ),
];

/** Fails the build if the preload bundle would need anything a sandboxed preload cannot load. */
async function assertPreloadRequiresOnlyElectron(file) {
  const text = await readFile(file, 'utf8');
  const required = [...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  const foreign = required.filter((name) => name !== 'electron');
  if (foreign.length > 0) {
    throw new Error(`preload.cjs must require only 'electron', not: ${foreign.join(', ')}`);
  }
}

const started = Date.now();
await Promise.all(targets.map((options) => build(options)));
await assertPreloadRequiresOnlyElectron(join(outDir, 'preload.cjs'));
await chmod(join(outDir, 'cli.mjs'), 0o755);
console.log(
  `PatchDeck: built ${targets.length} bundles in dist/electron (${Date.now() - started} ms).`,
);

if (!process.argv.includes('--skip-renderer')) {
  if (!existsSync(join(root, 'renderer', 'index.html'))) {
    console.error('PatchDeck: renderer/index.html is missing, so the renderer cannot be built.');
    process.exit(1);
  }
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  console.log('PatchDeck: built the renderer in dist/renderer.');
}
