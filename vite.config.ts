import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('./renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));

/**
 * The renderer build: relative asset URLs (`base: './'`) so the same files load from
 * `app://patchdeck/` and from the loopback server, nothing inlined as data: URLs (the CSP allows
 * only 'self' for scripts, styles and fonts), and no URL outside the app.
 */
export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: { host: '127.0.0.1', strictPort: false },
});
