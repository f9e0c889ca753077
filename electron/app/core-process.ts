import { AppError } from '../../shared/api/errors';
import { createCore } from '../core/core';
import { fileLogger } from '../core/platform/logger';

import {
  serveCoreOnPort,
  type CoreProcessInit,
  type CoreProcessStatus,
  type MessagePortLike,
} from './core-relay';

/*
 * The entry of the core's Electron utility process (dist/electron/core-process.cjs).
 *
 * It does not import electron: `process.parentPort` is typed by the small interface below. The
 * main process sends `{ type: 'init', workspaceDir }` with a MessagePort; from then on every call
 * and event travels over that port.
 */

/** The slice of Electron's `process.parentPort` (utility process only) used here. */
interface ParentPortLike {
  on(
    event: 'message',
    listener: (message: { data: unknown; ports: MessagePortLike[] }) => void,
  ): unknown;
  postMessage(message: unknown): void;
}

function parentPort(): ParentPortLike {
  const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (!port) {
    throw new Error('core-process must run as an Electron utility process (no parentPort).');
  }
  return port;
}

function isInit(data: unknown): data is CoreProcessInit {
  if (data === null || typeof data !== 'object') return false;
  const message = data as Record<string, unknown>;
  return message['type'] === 'init' && typeof message['workspaceDir'] === 'string';
}

function report(parent: ParentPortLike, status: CoreProcessStatus): void {
  parent.postMessage(status);
}

function run(): void {
  const parent = parentPort();
  let log = fileLogger(undefined);
  let started = false;
  // Give the parent port a moment to carry the last message before the process ends.
  const exitSoon = (code: number) => setTimeout(() => process.exit(code), 100);

  process.on('uncaughtException', (error) => {
    log.error('uncaught exception in the core process', { error });
    report(parent, { type: 'fatal', code: null, message: error.message });
    exitSoon(1);
  });

  parent.on('message', ({ data, ports }) => {
    const port = ports[0];
    if (started || !isInit(data) || !port) return;
    started = true;
    if (typeof data.logPath === 'string') log = fileLogger(data.logPath);
    createCore({ transport: 'ipc', workspaceDir: data.workspaceDir, log }).then(
      (core) => {
        serveCoreOnPort(port, core, (error) => {
          if (error !== undefined) log.error('closing the core failed', { error });
          exitSoon(error === undefined ? 0 : 1);
        });
        report(parent, { type: 'ready' });
      },
      (error: unknown) => {
        if (!(error instanceof AppError)) log.error('the core could not start', { error });
        report(parent, {
          type: 'fatal',
          code: error instanceof AppError ? error.code : null,
          message: error instanceof Error ? error.message : String(error),
        });
        exitSoon(1);
      },
    );
  });
}

run();
