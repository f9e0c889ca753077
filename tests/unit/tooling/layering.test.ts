import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';

import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const probes: string[] = [];

/** Lints a throw-away file placed where a real module would live, then removes it. */
async function lintProbe(relativePath: string, code: string): Promise<string[]> {
  const path = join(root, relativePath);
  probes.push(path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintFiles([path]);
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

afterAll(() => {
  for (const path of probes) rmSync(path, { force: true });
});

const cases: { name: string; file: string; code: string; rule: string }[] = [
  {
    name: 'the core never imports electron',
    file: 'electron/core/platform/layering-probe-a.ts',
    code: "import { app } from 'electron';\nexport const probe = app;\n",
    rule: 'no-restricted-imports',
  },
  {
    name: 'a lower core area never imports a higher one',
    file: 'electron/core/audit/layering-probe-b.ts',
    code: "import { higher } from '../deploy/layering-probe-target';\nexport const probe = higher;\n",
    rule: 'import-x/no-restricted-paths',
  },
  {
    name: 'core areas never import the dispatcher',
    file: 'electron/core/auth/layering-probe-c.ts',
    code: "import { createDispatcher } from '../api/dispatcher';\nexport const probe = createDispatcher;\n",
    rule: 'import-x/no-restricted-paths',
  },
  {
    name: 'core areas never import the composition root',
    file: 'electron/core/platform/layering-probe-g.ts',
    code: "import { createCore } from '../core';\nexport const probe = createCore;\n",
    rule: 'import-x/no-restricted-paths',
  },
  {
    name: 'shared/ imports no node:* module',
    file: 'shared/domain/layering-probe-d.ts',
    code: "import { createHash } from 'node:crypto';\nexport const probe = createHash;\n",
    rule: 'no-restricted-imports',
  },
  {
    name: 'the renderer never imports electron/**',
    file: 'renderer/lib/layering-probe-e.ts',
    code: "import { createCore } from '../../electron/core/core';\nexport const probe = createCore;\n",
    rule: 'no-restricted-imports',
  },
  {
    name: 'the server never imports the Electron app',
    file: 'electron/server/layering-probe-f.ts',
    code: "import { registerIpcApi } from '../app/ipc-server';\nexport const probe = registerIpcApi;\n",
    rule: 'no-restricted-imports',
  },
];

describe('layering rules (DESIGN.md, enforced by lint)', () => {
  beforeAll(() => {
    const target = join(root, 'electron/core/deploy/layering-probe-target.ts');
    probes.push(target);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, '/** A probe. */\nexport const higher = 1;\n');
  });

  it.each(cases)('$name', async ({ file, code, rule }) => {
    const messages = await lintProbe(file, code);
    expect(
      messages.some((m) => m.startsWith(`${rule}:`)),
      messages.join('\n'),
    ).toBe(true);
  });

  it('a file that respects the layers passes', async () => {
    const messages = await lintProbe(
      'electron/core/auth/layering-probe-ok.ts',
      "import { canonicalJson } from '../platform/canonical-json';\n\n/** A probe. */\nexport const probe = canonicalJson;\n",
    );
    expect(messages.filter((m) => /restricted/.test(m))).toEqual([]);
  });
});
