import { createRequire } from 'node:module';

import initSqlJs, { type SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/**
 * Where `sql-wasm.wasm` lives when nobody says otherwise: resolved like a module import.
 *
 * The build bundles the core both as ESM (where `import.meta.url` is set) and as CJS (where it is
 * empty and `require`/`__filename` exist instead), so both are tried, guarded by typeof checks.
 */
export function defaultWasmPath(): string {
  const metaUrl = (import.meta as { url?: unknown } | undefined)?.url;
  if (typeof metaUrl === 'string' && metaUrl !== '') {
    return createRequire(metaUrl).resolve('sql.js/dist/sql-wasm.wasm');
  }
  if (typeof require === 'function' && typeof require.resolve === 'function') {
    return require.resolve('sql.js/dist/sql-wasm.wasm');
  }
  if (typeof __filename === 'string') {
    return createRequire(__filename).resolve('sql.js/dist/sql-wasm.wasm');
  }
  return createRequire(`${process.cwd()}/`).resolve('sql.js/dist/sql-wasm.wasm');
}

/**
 * Loads the sql.js WebAssembly module once per process and returns it.
 *
 * `wasmPath` overrides where the `.wasm` file is read from (a packaged app ships it under
 * `resources/`); only the first call's choice counts.
 */
export function loadSqlJs(wasmPath?: string): Promise<SqlJsStatic> {
  if (!loading) {
    const path = wasmPath ?? defaultWasmPath();
    loading = initSqlJs({ locateFile: () => path }).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  }
  return loading;
}
