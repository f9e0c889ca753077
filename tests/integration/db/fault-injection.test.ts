import * as fs from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { AppError } from '../../../shared/api/errors';
import {
  faultyFs,
  insertItem,
  itemIds,
  makeTempDir,
  openTest,
  removeTempDirs,
  type FaultKind,
} from '../../helpers/db-test-kit';

afterEach(removeTempDirs);

const MAX_N = 60;

function copyDir(from: string): string {
  const to = makeTempDir('patchdeck-fault-');
  for (const name of fs.readdirSync(from)) fs.copyFileSync(join(from, name), join(to, name));
  return to;
}

/** Runs `step`; a failure must be STORAGE_WRITE_FAILED with a message naming the cause. */
async function expectStorageFailureOrSuccess(step: () => Promise<void> | void): Promise<boolean> {
  try {
    await step();
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'STORAGE_WRITE_FAILED',
      message: expect.stringMatching(
        /failed while writing .+ \((ENOSPC|EIO)\)\..+then try again\./,
      ) as unknown,
    });
    return false;
  }
}

describe.each([
  ['write', false],
  ['fsync', false],
  ['rename', false],
  ['write', true],
  ['fsync', true],
  ['rename', true],
] as [FaultKind, boolean][])(
  'fault injection (REL-02): %s fails, persistent=%s',
  (kind, persistent) => {
    it('reports each failure, keeps every acknowledged write, leaves no temp file', async () => {
      const base = makeTempDir();
      const seed = await openTest(base, { snapshotEveryWrites: 3 });
      insertItem(seed, 'seed');
      await seed.close();

      let completed = false;
      for (let nth = 1; nth <= MAX_N && !completed; nth += 1) {
        const dir = copyDir(base);
        const code = nth % 2 === 0 ? 'ENOSPC' : 'EIO';
        const faulty = faultyFs({ kind, nth, code, persistent });
        const acknowledged = ['seed'];
        const uncertain: string[] = [];

        const ws = await openTest(dir, { fs: faulty, snapshotEveryWrites: 3 }).catch(
          (error: unknown) => {
            expect(error).toMatchObject({ code: 'STORAGE_WRITE_FAILED' });
            return undefined;
          },
        );
        if (ws) {
          for (const id of ['a', 'b', 'c', 'd']) {
            const ok = await expectStorageFailureOrSuccess(() => insertItem(ws, id));
            if (ok) acknowledged.push(id);
            else uncertain.push(id);
            if (!ok && !persistent) expect(itemIds(ws)).toEqual(acknowledged.slice().sort());
          }
          await expectStorageFailureOrSuccess(() => ws.snapshot());
          await ws.idle();
          await expectStorageFailureOrSuccess(() => ws.close());
        }
        completed = faulty.failures === 0;

        // Restart on a healthy disk: everything acknowledged is there, no temp file survives.
        const reopened = await openTest(dir);
        expect(reopened.get('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
        const ids = itemIds(reopened);
        expect(ids, `nth=${nth}`).toEqual(expect.arrayContaining(acknowledged));
        // A single failure is undone exactly. A persistent one may leave the failed change in the
        // journal when even undoing it fails; it was reported as "may or may not be kept".
        const allowed = persistent ? [...acknowledged, ...uncertain] : acknowledged;
        expect(
          ids.filter((id) => !allowed.includes(id)),
          `nth=${nth}`,
        ).toEqual([]);
        expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
        await reopened.close();
      }
      expect(completed).toBe(true);
    });
  },
);
