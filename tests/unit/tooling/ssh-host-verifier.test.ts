import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const OWNER = 'electron/core/remote/ssh-connection.ts';
const SOURCE_DIRS = ['electron', 'shared', 'renderer', 'tests', 'bench'];
const probes: string[] = [];

afterAll(() => {
  for (const path of probes) rmSync(path, { force: true });
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(name)) out.push(path);
  }
  return out;
}

/** An import statement, dynamic import or require of an SSH library (comments do not count). */
const IMPORTS_SSH =
  /^\s*(import|export)\b[^;]*?from\s*['"](ssh2|node-ssh)(\/[^'"]*)?['"]|(require|import)\s*\(\s*['"](ssh2|node-ssh)['"/]/m;

describe('only one module talks to ssh2 (SECURITY.md SSH-03)', () => {
  it('no file outside ssh-connection.ts imports node-ssh or ssh2', () => {
    const offenders = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(root, dir)))
      .map((path) => relative(root, path))
      .filter((path) => path !== OWNER && !path.startsWith('tests/unit/tooling/'))
      .filter((path) => IMPORTS_SSH.test(readFileSync(join(root, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('ssh-connection.ts builds one client config, and it always sets hostVerifier', () => {
    const source = readFileSync(join(root, OWNER), 'utf8');
    expect(source.match(/\.connect\(/g)).toHaveLength(1);
    expect(source).toMatch(/ssh\.connect\(config\)/);
    expect(source).toMatch(/const config: SshConfig = \{[\s\S]*?hostVerifier:/);
    expect(source).not.toMatch(/agentForward:\s*true/);
    expect(source).not.toMatch(/hostHash/);
  });

  it.each([
    [
      'electron/core/inventory/ssh-probe-a.ts',
      "import { Client } from 'ssh2';\nexport const probe = Client;\n",
    ],
    [
      'electron/core/remote/ssh-probe-b.ts',
      "import { NodeSSH } from 'node-ssh';\nexport const probe = NodeSSH;\n",
    ],
    [
      'electron/app/ssh-probe-c.ts',
      "import { Client } from 'ssh2';\nexport const probe = Client;\n",
    ],
    ['tests/unit/ssh-probe-d.ts', "import { Client } from 'ssh2';\nexport const probe = Client;\n"],
  ])('lint refuses an SSH library import in %s', async (file, code) => {
    const path = join(root, file);
    probes.push(path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, code);
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintFiles([path]);
    const messages = (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
    expect(
      messages.some((m) => m.startsWith('no-restricted-imports:') && /ssh-connection/.test(m)),
    ).toBe(true);
  });

  it('lint allows the import in ssh-connection.ts itself', async () => {
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintFiles([join(root, OWNER)]);
    expect((result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports')).toEqual(
      [],
    );
  });
});
