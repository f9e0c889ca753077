import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { AppError, isErrorCode } from '../../../shared/api/errors';

/**
 * A module that runs in a worker thread, known by two names: its source file (run from sources,
 * under vitest or tsx) and its bundle name (`dist/electron/workers/<name>.mjs`, built by
 * build/build.mjs next to the bundle that starts it).
 */
export type WorkerModule = { name: string; source: URL };

/** Names a worker module; call it in the module that starts the worker, beside the source. */
export function workerModule(name: string, source: URL): WorkerModule {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Bad worker name ${name}.`);
  return { name, source };
}

/** A running worker task: its result, and a way to stop it early. */
export type WorkerTask<Result> = {
  result: Promise<Result>;
  /** Stops the worker; the result then rejects (unless it had already settled). */
  cancel(): Promise<void>;
};

type WireMessageError = { message: string; appCode?: string; details?: Record<string, unknown> };

type WireMessage =
  | { type: 'message'; value: unknown }
  | { type: 'result'; value: unknown }
  | { type: 'error'; error: WireMessageError };

let builtWorkersFolder: URL | undefined;

/**
 * Runs every worker from a build's `workers/` folder (`dist/electron/workers/`) even when this
 * code runs from sources: benchmarks measure the workers as the app ships them, without the
 * TypeScript loader's start-up. A worker missing there is then an error, not a fallback.
 */
export function useBuiltWorkers(folder: URL): void {
  builtWorkersFolder = new URL(folder.href.endsWith('/') ? folder.href : `${folder.href}/`);
}

/** The bundled file of a worker, when this code runs from a bundle; else undefined. */
function builtWorkerUrl(name: string): URL | undefined {
  if (builtWorkersFolder) {
    const chosen = new URL(`./${name}.mjs`, builtWorkersFolder);
    if (!existsSync(fileURLToPath(chosen))) {
      throw new Error(`Worker ${name}: ${chosen.href} is not built (run npm run build).`);
    }
    return chosen;
  }
  // In a bundle, import.meta.url is the bundle file itself (dist/electron/<entry>).
  const url = new URL(`./workers/${name}.mjs`, import.meta.url);
  if (url.protocol !== 'file:') return undefined;
  // In the packaged app the bundles sit in app.asar; threads start from the unpacked copy that
  // electron-builder.yml keeps beside it (asarUnpack), never from inside the archive.
  const unpacked = new URL(url.href.replace('/app.asar/', '/app.asar.unpacked/'));
  if (unpacked.href !== url.href && existsSync(fileURLToPath(unpacked))) return unpacked;
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

function startThread(module: WorkerModule, input: unknown): Worker {
  const built = builtWorkerUrl(module.name);
  if (built) return new Worker(built, { workerData: input });
  if (!existsSync(fileURLToPath(module.source))) {
    throw new Error(`Worker ${module.name}: neither a built worker nor ${module.source.href}.`);
  }
  // From sources: load TypeScript through tsx's loader inside the thread, then the module.
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const bootstrap = [
    `const { register } = await import(${JSON.stringify(tsxApi)});`,
    'register();',
    `await import(${JSON.stringify(module.source.href)});`,
  ].join('\n');
  return new Worker(bootstrap, { eval: true, workerData: input });
}

/**
 * Runs a worker module with one input and resolves with its result. Messages the worker posts
 * on the way (progress) go to `onMessage`. An AppError thrown in the worker rejects as the same
 * AppError here; anything else rejects as a plain Error (a bug).
 */
export function runWorker<Result, Message = never>(
  module: WorkerModule,
  input: unknown,
  onMessage?: (message: Message) => void,
): WorkerTask<Result> {
  const worker = startThread(module, input);
  let settled = false;
  const result = new Promise<Result>((resolve, reject) => {
    worker.on('message', (raw: WireMessage) => {
      if (raw.type === 'message') {
        onMessage?.(raw.value as Message);
      } else if (raw.type === 'result') {
        settled = true;
        resolve(raw.value as Result);
      } else {
        settled = true;
        reject(rejection(module, raw.error));
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`Worker ${module.name} stopped (exit code ${code}) before answering.`));
      }
    });
  });
  return {
    result,
    async cancel() {
      await worker.terminate();
    },
  };
}

/** The workerData that starts a worker in session mode: it then runs one job per request. */
const SESSION = { patchdeckWorkerSession: 1 } as const;

function isSessionData(data: unknown): boolean {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as Record<string, unknown>)['patchdeckWorkerSession'] === 1
  );
}

function rejection(module: WorkerModule, error: WireMessageError): Error {
  const { message, appCode, details } = error;
  return appCode !== undefined && isErrorCode(appCode)
    ? new AppError(appCode, message, details)
    : new Error(`Worker ${module.name} failed: ${message}`);
}

/**
 * A worker thread kept for several jobs, so a job does not pay for starting a thread. Jobs run
 * one at a time on the thread unless the worker awaits inside one. An idle session does not keep
 * the process alive; one with a job running does.
 */
export type WorkerSession<Input, Result, Message> = {
  /** Runs one job; messages it posts go to `onMessage`. */
  run(input: Input, onMessage?: (message: Message) => void): Promise<Result>;
  /** Stops the thread; jobs still running reject. */
  close(): Promise<void>;
  /** False once the thread has stopped (closed, crashed or failed to start). */
  isAlive(): boolean;
};

/** Starts a worker module in session mode (see {@link WorkerSession}). */
export function startWorkerSession<Input, Result, Message = never>(
  module: WorkerModule,
): WorkerSession<Input, Result, Message> {
  const worker = startThread(module, SESSION);
  type Job = {
    resolve(value: Result): void;
    reject(error: Error): void;
    onMessage: ((message: Message) => void) | undefined;
  };
  const jobs = new Map<number, Job>();
  let nextId = 1;
  let stopped: Error | undefined;
  const failAll = (error: Error) => {
    stopped ??= error;
    for (const job of jobs.values()) job.reject(error);
    jobs.clear();
  };
  worker.on('message', (raw: WireMessage & { id: number }) => {
    const job = jobs.get(raw.id);
    if (!job) return;
    if (raw.type === 'message') {
      job.onMessage?.(raw.value as Message);
      return;
    }
    jobs.delete(raw.id);
    if (jobs.size === 0) worker.unref();
    if (raw.type === 'result') job.resolve(raw.value as Result);
    else job.reject(rejection(module, raw.error));
  });
  // Idle from the start; unref() only holds once the thread is online (before, its port is not
  // set up yet and would keep the process alive).
  worker.unref();
  worker.once('online', () => {
    if (jobs.size === 0) worker.unref();
  });
  worker.on('error', failAll);
  worker.on('exit', (code) =>
    failAll(new Error(`Worker ${module.name} stopped (exit code ${code}) before answering.`)),
  );
  return {
    run(input, onMessage) {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      return new Promise<Result>((resolve, reject) => {
        if (jobs.size === 0) worker.ref();
        jobs.set(id, { resolve, reject, onMessage });
        worker.postMessage({ id, input });
      });
    },
    async close() {
      stopped ??= new Error(`Worker ${module.name} was closed.`);
      await worker.terminate();
    },
    isAlive: () => stopped === undefined,
  };
}

/**
 * The worker side: runs `task` on the input the starter passed and posts its result (or error)
 * back. `post` sends a message to the starter's `onMessage`. Started by
 * {@link startWorkerSession}, it runs `task` once per job instead.
 */
export function serveWorker<Input, Result, Message = never>(
  task: (input: Input, post: (message: Message) => void) => Promise<Result>,
): void {
  if (isMainThread || !parentPort) throw new Error('serveWorker runs only in a worker thread.');
  const port = parentPort;
  const runJob = (input: Input, send: (message: WireMessage) => void) => {
    task(input, (value) => send({ type: 'message', value })).then(
      (value) => send({ type: 'result', value }),
      (error: unknown) => send({ type: 'error', error: wireError(error) }),
    );
  };
  if (isSessionData(workerData)) {
    port.on('message', (request: { id: number; input: Input }) => {
      runJob(request.input, (message) => port.postMessage({ ...message, id: request.id }));
    });
    return;
  }
  runJob(workerData as Input, (message) => port.postMessage(message));
}

function wireError(error: unknown): WireMessageError {
  return error instanceof AppError
    ? {
        message: error.message,
        appCode: error.code,
        ...(error.details === undefined ? {} : { details: error.details }),
      }
    : { message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
