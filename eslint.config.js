// @ts-check
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tsdoc from 'eslint-plugin-tsdoc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The areas of the core, lowest first. An area may import only from areas before it
 * (DESIGN.md: platform and db, then audit and auth, remote, inventory and bundles, policy,
 * deploy, compliance, reports). Areas on the same step may not import each other.
 */
const CORE_LAYERS = [
  ['platform'],
  ['db'],
  ['audit', 'auth'],
  ['remote'],
  ['inventory', 'bundles'],
  ['policy'],
  ['deploy'],
  ['compliance'],
  ['reports'],
];

/** Zones for import-x/no-restricted-paths: each area is forbidden from everything above it. */
function coreLayerZones() {
  const zones = [];
  CORE_LAYERS.forEach((step, index) => {
    const higher = CORE_LAYERS.slice(index + 1).flat();
    for (const area of step) {
      const peers = step.filter((other) => other !== area);
      for (const other of [...higher, ...peers]) {
        zones.push({
          target: `./electron/core/${area}`,
          from: `./electron/core/${other}`,
          message: `core/${area} sits below core/${other}; depend downward only (DESIGN.md).`,
        });
      }
      zones.push({
        target: `./electron/core/${area}`,
        from: './electron/core/api',
        message: 'Core areas never import the dispatcher; it imports them.',
      });
      zones.push({
        target: `./electron/core/${area}`,
        from: './electron/core/core.ts',
        message: 'Core areas never import the composition root; it imports them.',
      });
    }
  });
  return zones;
}

const ELECTRON_IMPORT_BAN = {
  name: 'electron',
  message: 'Only electron/app and electron/preload may import electron.',
};

/** ssh2 accepts any host key unless `hostVerifier` is set: one module owns it and always sets it. */
const SSH_LIBRARY_BANS = ['ssh2', 'node-ssh'].map((name) => ({
  name,
  message:
    'Only electron/core/remote/ssh-connection.ts may import SSH libraries (it always sets hostVerifier).',
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'bench/results/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    plugins: { 'import-x': importX, tsdoc },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': 'allow-with-description' }],
      'import-x/no-default-export': 'error',
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'],
          'newlines-between': 'always',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
      'tsdoc/syntax': 'warn',
      'no-restricted-imports': ['error', { paths: [ELECTRON_IMPORT_BAN, ...SSH_LIBRARY_BANS] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Config files must default-export for their tools; ambient module declarations describe default exports.
    files: ['*.config.ts', '*.config.js', 'eslint.config.js', 'types/**/*.d.ts'],
    rules: { 'import-x/no-default-export': 'off' },
  },
  {
    files: ['electron/app/**/*.ts', 'electron/preload/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: SSH_LIBRARY_BANS }] },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON_IMPORT_BAN, ...SSH_LIBRARY_BANS],
          patterns: [
            {
              group: ['**/app/**', '**/server/**', '**/cli/**', '**/preload/**', '**/renderer/**'],
              message:
                'The core is plain Node: it never imports app, server, cli, preload or renderer.',
            },
          ],
        },
      ],
      'import-x/no-restricted-paths': ['error', { zones: coreLayerZones() }],
    },
  },
  {
    files: ['electron/server/**/*.ts', 'electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON_IMPORT_BAN, ...SSH_LIBRARY_BANS],
          patterns: [
            {
              group: ['**/app/**', '**/renderer/**'],
              message: 'server and cli run on plain Node.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON_IMPORT_BAN, ...SSH_LIBRARY_BANS],
          patterns: [
            { group: ['node:*'], message: 'shared/ is environment-neutral: no node:* imports.' },
            {
              group: ['**/electron/**', '**/renderer/**'],
              message: 'shared/ imports neither side.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON_IMPORT_BAN, ...SSH_LIBRARY_BANS],
          patterns: [
            {
              group: ['node:*'],
              message: 'The renderer runs in a sandboxed page: no node:* imports.',
            },
            {
              group: ['**/electron/**'],
              message: 'The renderer reaches the core only through the API client.',
            },
          ],
        },
      ],
    },
  },
  {
    // The one module that imports ssh2, always with a hostVerifier (SECURITY.md SSH-03).
    files: ['electron/core/remote/ssh-connection.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON_IMPORT_BAN],
          patterns: [
            {
              group: ['**/app/**', '**/server/**', '**/cli/**', '**/preload/**', '**/renderer/**'],
              message:
                'The core is plain Node: it never imports app, server, cli, preload or renderer.',
            },
          ],
        },
      ],
    },
  },
);
