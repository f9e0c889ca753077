// `npm start`: build when needed, then run the desktop app, or browser mode where the Electron
// runtime is not installed (or when `--browser` is given). Other arguments pass through.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = [
  join(root, 'dist', 'electron', 'main.cjs'),
  join(root, 'dist', 'electron', 'server.mjs'),
  join(root, 'dist', 'renderer', 'index.html'),
];
const sources = [
  'electron',
  'shared',
  'renderer',
  'vite.config.ts',
  'build/build.mjs',
  'package.json',
];

/** The newest modification time under a file or folder. */
async function newestMtime(path) {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

async function needsBuild() {
  if (!outputs.every((file) => existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  const changed = Math.max(...(await Promise.all(sources.map((s) => newestMtime(join(root, s))))));
  return changed > built;
}

/** Where the Electron binary is, or why it is not usable. */
function electronRuntime() {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) {
    return { ok: false, reason: 'node_modules/electron/path.txt is missing' };
  }
  const binary = join(
    root,
    'node_modules',
    'electron',
    'dist',
    readFileSync(pathFile, 'utf8').trim(),
  );
  return existsSync(binary)
    ? { ok: true, binary }
    : { ok: false, reason: `${binary} does not exist` };
}

function run(command, args, env = process.env) {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    // Ctrl+C reaches the child from the terminal already; sending it twice would make browser
    // mode skip its clean shutdown. Stay alive until the child is done.
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.on('error', (error) => {
      console.error(`PatchDeck: could not start ${command}: ${error.message}`);
      resolveRun(1);
    });
    child.on('exit', (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
  });
}

const args = process.argv.slice(2);
const wantBrowser = args.includes('--browser');
const passThrough = args.filter((arg) => arg !== '--browser');

if (await needsBuild()) {
  console.log('PatchDeck: building (dist/ is missing or older than the sources)...');
  const code = await run(process.execPath, [join(root, 'build', 'build.mjs')]);
  if (code !== 0) process.exit(code);
}

const runtime = electronRuntime();
if (wantBrowser || !runtime.ok) {
  const why = wantBrowser
    ? '--browser was given'
    : `the Electron runtime is not installed here (${runtime.reason})`;
  console.log(`PatchDeck: ${why}; starting browser mode.`);
  const openArgs = passThrough.includes('--open') ? [] : ['--open'];
  process.exit(
    await run(process.execPath, [
      join(root, 'dist', 'electron', 'server.mjs'),
      ...openArgs,
      ...passThrough,
    ]),
  );
}
// An inherited ELECTRON_RUN_AS_NODE would start a plain Node instead of the app.
const { ELECTRON_RUN_AS_NODE: _ignored, ...electronEnv } = process.env;
process.exit(await run(runtime.binary, [root, ...passThrough], electronEnv));
