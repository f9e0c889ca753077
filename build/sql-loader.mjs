// Node module hook (registered by build/register-sql.mjs and playwright.config.ts): loads `*.sql` migration files as text modules, as the production build
// (esbuild) and vitest (a Vite plugin) do, so the e2e fixture can run the core from sources.
import { readFile } from 'node:fs/promises';

/** Loads `.sql` files as `export default "<file text>"`; everything else passes through. */
export async function load(url, context, nextLoad) {
  if (!url.endsWith('.sql')) return nextLoad(url, context);
  const text = await readFile(new URL(url), 'utf8');
  return {
    format: 'module',
    source: `export default ${JSON.stringify(text)};`,
    shortCircuit: true,
  };
}
