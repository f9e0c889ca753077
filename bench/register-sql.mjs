// Registers a Node module hook that loads `*.sql` files as `export default "<text>"`, as the
// production build and the vitest plugin do. Use: node --import ./bench/register-sql.mjs ...
import { register } from 'node:module';

const hooks = `
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.sql')) return nextLoad(url, context);
  const text = await readFile(fileURLToPath(url), 'utf8');
  return { format: 'module', source: 'export default ' + JSON.stringify(text) + ';', shortCircuit: true };
}
`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`);
