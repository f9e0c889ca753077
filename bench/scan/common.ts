// Shared pieces of the scan benchmark: timing, summaries, child processes, package lists.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** One host as every contender sees it: its name, loopback address and the key for patchsvc. */
export type BenchHost = { name: string; address: string; port: number; keyPath: string };

/** The packages one contender found on each host: host name to `name=version` entries. */
export type PackageLists = Map<string, Set<string>>;

/** What every contender needs for one timed run. */
export type RunContext = {
  hosts: readonly BenchHost[];
  concurrency: number;
  /** OpenSSH known_hosts file holding every host's keys. */
  knownHostsFile: string;
  user: string;
};

/** One finished run: its wall time, and how to read what it found (not part of the time). */
export type RunOutcome = { ms: number; read(): Promise<PackageLists> };

/** A contender: prepared once, then run (timed) repeatedly, then checked for equal work. */
export type Contender = {
  /** Row label in the results table. */
  label: string;
  /** Runs one full scan of every host and times it. */
  run(ctx: RunContext): Promise<RunOutcome>;
  /**
   * Whether hosts it reports with no packages at all are counted rather than fatal: Ansible's
   * package_facts sometimes answers SUCCESS with an empty list for a host.
   */
  countsEmptyResults?: boolean;
  /** Releases whatever `run` keeps between runs (a core, temp folders). */
  close?(): Promise<void>;
};

/** Wall time of `work` in milliseconds, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

/** Median, minimum and maximum of a sample, in its own unit. */
export function summarise(samples: readonly number[]): {
  median: number;
  min: number;
  max: number;
} {
  if (samples.length === 0) throw new Error('summarise: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** What a finished child process left behind. */
export type ProcessResult = { code: number | null; signal: string | null; stderr: string };

/**
 * Runs a program without a shell; stdout goes to `stdoutFd` (a file) or is discarded, stderr is
 * kept (the last 64 KiB) for error messages.
 */
export function runProgram(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stdoutFd?: number; cwd?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['ignore', options.stdoutFd ?? 'ignore', 'pipe'],
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stderr = '';
    if (!child.stderr) throw new Error('runProgram: stderr is not a pipe');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-65_536);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Like {@link runProgram}, but throws with the program's stderr unless it exits 0. */
export async function runProgramChecked(
  file: string,
  args: readonly string[],
  options: Parameters<typeof runProgram>[2] = {},
): Promise<void> {
  const result = await runProgram(file, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} exited with ${result.code ?? result.signal}: ${result.stderr.trim()}`,
    );
  }
}

/**
 * `name=version` entries from `dpkg-query -W` output (default format `${binary:Package}\t${Version}`;
 * the `:arch` suffix of multi-arch packages is dropped so every contender's names compare).
 */
export function parseDpkgQueryW(text: string): Set<string> {
  const entries = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [binaryName, version] = line.split('\t');
    if (binaryName === undefined || version === undefined) {
      throw new Error(`Unexpected dpkg-query -W line: ${JSON.stringify(line)}`);
    }
    entries.add(`${binaryName.replace(/:[a-z0-9-]+$/, '')}=${version}`);
  }
  return entries;
}

/** Runs `work` over items with at most `limit` in flight; resolves with results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
