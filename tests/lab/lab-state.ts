import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import {
  isRunning,
  killQuietly,
  probeSshPort,
  processCommandLine,
  processStartTime,
  sleep,
  waitFor,
} from './processes';

/** Where every lab run keeps its state: one `run-*` folder per live (or crashed) lab. */
export const LAB_ROOT = '/tmp/patchdeck-lab';

/** The lowest and highest last octet a lab host may use (127.0.0.<octet>). */
const OCTET_MIN = 2;
const OCTET_MAX = 254;

/** What `run.json` records about the lab that owns a run folder. */
type RunRecord = {
  ownerPid: number;
  ownerStart: string;
  /** Last octets of the loopback addresses this run uses. */
  octets: number[];
  createdAt: string;
};

/** One lab run's folder and the processes it started. */
export type RunDir = {
  /** Absolute path; every process the run starts carries it on its command line. */
  dir: string;
  /** Last octets of the loopback addresses given to this run, in host order. */
  octets: number[];
  /** Records a process the run started, so a later run can reclaim it after a crash. */
  track(label: string, pid: number): void;
  /** Forgets a process that has ended. */
  untrack(label: string): void;
  /** Every recorded process. */
  tracked(): { label: string; pid: number }[];
};

/** Is the process that wrote a record still the same live process? */
function ownerAlive(pid: number, start: string): boolean {
  return processStartTime(pid) === start && isRunning(pid);
}

function readRecord(dir: string): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

function pidFiles(dir: string): { label: string; pid: number }[] {
  const pidsDir = join(dir, 'pids');
  if (!existsSync(pidsDir)) return [];
  return readdirSync(pidsDir)
    .filter((name) => name.endsWith('.pid'))
    .map((name) => ({
      label: name.slice(0, -'.pid'.length),
      pid: Number(readFileSync(join(pidsDir, name), 'utf8').trim()),
    }))
    .filter((entry) => Number.isInteger(entry.pid) && entry.pid > 1);
}

/**
 * Ends the processes recorded in a run folder, but only those whose command line still names the
 * folder (so a reused PID is never touched), waits for them to go, and removes the folder.
 */
export async function reclaimRunDir(dir: string): Promise<void> {
  const ours = pidFiles(dir).filter((entry) => processCommandLine(entry.pid)?.includes(dir));
  for (const entry of ours) killQuietly(entry.pid);
  await waitFor(
    () => ours.every((entry) => !isRunning(entry.pid)),
    10_000,
    () => `Processes of the earlier lab run in ${dir} did not end after SIGKILL.`,
  );
  rmSync(dir, { recursive: true, force: true });
}

/** Takes the allocation lock (a file created exclusively); a lock whose owner died is broken. */
async function withAllocationLock<T>(work: () => Promise<T>): Promise<T> {
  const lockPath = join(LAB_ROOT, '.allocate.lock');
  const me = `${process.pid} ${processStartTime(process.pid) ?? ''}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, me);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pid, start] = readFileSafe(lockPath).split(' ');
      if (pid !== undefined && start !== undefined && !ownerAlive(Number(pid), start)) {
        rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`Another lab start has held ${lockPath} for 30 s; is it stuck?`, {
          cause: error,
        });
      }
      await sleep(50);
    }
  }
  try {
    return await work();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // Already gone.
    }
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Reclaims crashed runs and returns the octets that live runs of other processes hold. */
async function reclaimAndListTaken(): Promise<Set<number>> {
  const taken = new Set<number>();
  for (const name of readdirSync(LAB_ROOT)) {
    if (!name.startsWith('run-')) continue;
    const dir = join(LAB_ROOT, name);
    const record = readRecord(dir);
    if (record && ownerAlive(record.ownerPid, record.ownerStart)) {
      for (const octet of record.octets) taken.add(octet);
    } else {
      await reclaimRunDir(dir);
    }
  }
  return taken;
}

async function isAddressFree(octet: number): Promise<boolean> {
  return (await probeSshPort(`127.0.0.${octet}`, 22, 500)) === 'refused';
}

/**
 * Creates this run's folder under the allocation lock: reclaims what crashed runs left, then
 * picks `count` consecutive loopback addresses. With `firstAddress`, exactly those (or an error
 * naming who holds them); without it, the first free range from 127.0.0.11 up, so labs of
 * different processes can run side by side.
 */
export async function createRunDir(count: number, firstAddress?: number): Promise<RunDir> {
  mkdirSync(LAB_ROOT, { recursive: true, mode: 0o755 });
  return withAllocationLock(async () => {
    const taken = await reclaimAndListTaken();
    const fits = async (first: number): Promise<string | undefined> => {
      if (first < OCTET_MIN || first + count - 1 > OCTET_MAX) {
        return `127.0.0.${first} + ${count} hosts leaves 127.0.0.${OCTET_MIN}-${OCTET_MAX}`;
      }
      for (let octet = first; octet < first + count; octet += 1) {
        if (taken.has(octet)) return `127.0.0.${octet} belongs to another running lab`;
        if (!(await isAddressFree(octet)))
          return `something already listens on 127.0.0.${octet}:22`;
      }
      return undefined;
    };
    let first = firstAddress ?? 11;
    for (;;) {
      const problem = await fits(first);
      if (problem === undefined) break;
      if (firstAddress !== undefined || first + count - 1 >= OCTET_MAX) {
        throw new Error(`Cannot start ${count} lab hosts at 127.0.0.${first}: ${problem}.`);
      }
      first += 1;
    }
    const octets = Array.from({ length: count }, (_, index) => first + index);
    const dir = join(LAB_ROOT, `run-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(join(dir, 'pids'), { recursive: true, mode: 0o755 });
    const record: RunRecord = {
      ownerPid: process.pid,
      ownerStart: processStartTime(process.pid) ?? '',
      octets,
      createdAt: new Date().toISOString(),
    };
    writeFileSync(join(dir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
    return runDirHandle(dir, octets);
  });
}

function runDirHandle(dir: string, octets: number[]): RunDir {
  const pidPath = (label: string): string => join(dir, 'pids', `${label}.pid`);
  return {
    dir,
    octets,
    track(label, pid) {
      writeFileSync(pidPath(label), `${pid}\n`);
    },
    untrack(label) {
      rmSync(pidPath(label), { force: true });
    },
    tracked() {
      return pidFiles(dir);
    },
  };
}
