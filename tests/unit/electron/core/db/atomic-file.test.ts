import * as fs from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  removeStaleTempFiles,
  tempFileName,
  writeFileAtomic,
} from '../../../../../electron/core/platform/atomic-file';
import { faultyFs, makeTempDir, removeTempDirs } from '../../../../helpers/db-test-kit';

afterEach(removeTempDirs);

describe('writeFileAtomic', () => {
  it('replaces the file with the new bytes, mode 0600', async () => {
    const dir = makeTempDir();
    const path = join(dir, 'state.db');
    fs.writeFileSync(path, 'old');
    await writeFileAtomic(path, Buffer.from('new contents'));
    expect(fs.readFileSync(path, 'utf8')).toBe('new contents');
    if (process.platform !== 'win32') expect(fs.statSync(path).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['state.db']);
  });

  it.each(['write', 'fsync', 'rename'] as const)(
    'on a failing %s leaves the old file and no temp file, and rethrows',
    async (kind) => {
      const dir = makeTempDir();
      const path = join(dir, 'state.db');
      fs.writeFileSync(path, 'old');
      const faulty = faultyFs({ kind, nth: 1, code: 'EIO', persistent: false });
      await expect(writeFileAtomic(path, Buffer.from('new'), { fs: faulty })).rejects.toMatchObject(
        { code: 'EIO' },
      );
      expect(fs.readFileSync(path, 'utf8')).toBe('old');
      expect(fs.readdirSync(dir)).toEqual(['state.db']);
    },
  );

  it('writes large data completely', async () => {
    const dir = makeTempDir();
    const path = join(dir, 'big.bin');
    const data = Buffer.alloc(9 * 1024 * 1024 + 17, 7);
    await writeFileAtomic(path, data);
    expect(fs.readFileSync(path).equals(data)).toBe(true);
  });
});

describe('removeStaleTempFiles', () => {
  it('removes only temp files of the given base', () => {
    const dir = makeTempDir();
    const stale = tempFileName('state.db');
    fs.writeFileSync(join(dir, stale), 'half');
    fs.writeFileSync(join(dir, tempFileName('other.db')), 'x');
    fs.writeFileSync(join(dir, 'state.db'), 'good');
    expect(removeStaleTempFiles(dir, 'state.db')).toEqual([stale]);
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['state.db', ...fs.readdirSync(dir).filter((n) => n.startsWith('other.db'))].sort(),
    );
  });
});
