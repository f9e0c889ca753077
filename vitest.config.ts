import { readFileSync } from 'node:fs';

import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vitest/config';

/** Loads `*.sql` migration files as strings, as the production build does. */
function sqlAsText(): Plugin {
  return {
    name: 'patchdeck-sql-as-text',
    load(id) {
      if (!id.endsWith('.sql')) return null;
      return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
    },
  };
}

export default defineConfig({
  plugins: [sqlAsText(), react()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'tests/unit/electron/**/*.test.ts',
            'tests/unit/shared/**/*.test.ts',
            'tests/unit/tooling/**/*.test.ts',
            'tests/integration/**/*.test.ts',
            'tests/contract/**/*.test.ts',
          ],
          exclude: ['**/*.lab.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // Tests against real SSH hosts from tests/lab: one file at a time, as root.
          name: 'lab',
          environment: 'node',
          include: ['tests/**/*.lab.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          environment: 'happy-dom',
          include: ['tests/unit/renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['tests/helpers/dom-setup.ts'],
        },
      },
    ],
  },
});
