import { join } from 'node:path';

import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  MessageChannelMain,
  session,
  utilityProcess,
  type UtilityProcess,
} from 'electron';

import { EVENT_CHANNEL } from '../../shared/api/channels';
import { fileLogger, type Logger } from '../core/platform/logger';
import { defaultWorkspaceDir } from '../core/platform/paths';

import {
  createCoreRelay,
  type CoreProcessInit,
  type CoreProcessStatus,
  type CoreRelay,
} from './core-relay';
import { forwardEvents, registerIpcApi, trustedSenderCheck } from './ipc-server';
import { installAppMenu } from './menu';
import {
  createMainWindow,
  hardenSession,
  hardenWebContents,
  registerAppScheme,
  serveRenderer,
} from './window';

/*
 * The Electron main process. It only relays: the core runs in a utility process, reached over
 * a MessagePort; windows reach the main process over the one IPC channel. No update checks are
 * made, ever: updates arrive as verified bundles.
 */

const distDir = __dirname;
const rendererDir = join(distDir, '..', 'renderer');

let log: Logger = fileLogger(undefined);
let mainWindow: BrowserWindow | undefined;
let coreProcess: UtilityProcess | undefined;
let relay: CoreRelay | undefined;
let quitting = false;
let coreClosed = false;
const trustedWebContents = new Set<number>();

let restartOffered = false;

async function offerRestart(title: string, detail: string): Promise<void> {
  // One dialog is enough: a failure often brings others right behind it.
  if (restartOffered) return;
  restartOffered = true;
  if (!app.isReady()) {
    app.exit(1);
    return;
  }
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: 'PatchDeck',
    message: title,
    detail,
    buttons: ['Restart PatchDeck', 'Quit'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  });
  if (response === 0) app.relaunch();
  app.exit(1);
}

process.on('uncaughtException', (error) => {
  log.error('uncaught exception in the main process', { error });
  void offerRestart(
    'PatchDeck hit an unexpected problem.',
    'The details are in the log. Restarting is safe: everything you saved is kept.',
  );
});
process.on('unhandledRejection', (reason) => {
  log.error('unhandled rejection in the main process', { error: reason });
});

function startCore(workspaceDir: string): CoreRelay {
  const { port1, port2 } = new MessageChannelMain();
  const child = utilityProcess.fork(join(distDir, 'core-process.cjs'), [], {
    serviceName: 'PatchDeck core',
    stdio: 'inherit',
  });
  coreProcess = child;
  const coreRelay = createCoreRelay(port1);

  child.on('message', (message: CoreProcessStatus) => {
    if (message.type === 'fatal') {
      log.error('the core could not start', { code: message.code, message: message.message });
      coreRelay.fail(message.message);
      void offerRestart('PatchDeck could not open its workspace.', message.message);
    } else {
      log.info('core ready', { workspaceDir });
    }
  });
  child.on('exit', (code) => {
    coreClosed = true;
    coreRelay.fail('The PatchDeck core has stopped.');
    if (!quitting) {
      log.error('the core process ended unexpectedly', { code });
      void offerRestart(
        'The PatchDeck core stopped unexpectedly.',
        'Everything acknowledged before it stopped is on disk. Restart to continue.',
      );
    }
  });

  const init: CoreProcessInit = {
    type: 'init',
    workspaceDir,
    logPath: join(app.getPath('logs'), 'core.log'),
  };
  child.postMessage(init, [port2]);
  return coreRelay;
}

function broadcast(event: string, payload: unknown): void {
  for (const window of BrowserWindow.getAllWindows()) {
    const contents = window.webContents;
    if (!contents.isDestroyed() && trustedWebContents.has(contents.id)) {
      contents.send(EVENT_CHANNEL, event, payload);
    }
  }
}

function openMainWindow(): void {
  const window = createMainWindow({
    preloadPath: join(distDir, 'preload.cjs'),
    isPackaged: app.isPackaged,
    log,
  });
  const id = window.webContents.id;
  trustedWebContents.add(id);
  window.on('closed', () => {
    trustedWebContents.delete(id);
    if (mainWindow === window) mainWindow = undefined;
  });
  mainWindow = window;
}

function ready(): void {
  log = fileLogger(join(app.getPath('logs'), 'main.log'));
  const defaultSession = session.defaultSession;
  hardenSession(defaultSession);
  serveRenderer(defaultSession, rendererDir);
  installAppMenu({ isPackaged: app.isPackaged, isMac: process.platform === 'darwin' });

  relay = startCore(defaultWorkspaceDir());
  registerIpcApi(ipcMain, relay.dispatch, trustedSenderCheck(trustedWebContents), (reason, event) =>
    log.warn('IPC request refused', {
      reason,
      senderId: event.sender.id,
      url: event.senderFrame?.url,
    }),
  );
  forwardEvents(relay.events, broadcast);
  openMainWindow();
}

/** Closes the core (final snapshot) before the app quits; a second quit does not wait. */
async function closeCoreThenQuit(): Promise<void> {
  const closedCleanly = relay ? await relay.close() : true;
  if (!closedCleanly) {
    log.error('the core did not close in time');
    coreProcess?.kill();
  }
  coreClosed = true;
  app.quit();
}

if (!app.requestSingleInstanceLock()) {
  // Another PatchDeck owns the workspace; it has been asked to show itself.
  app.quit();
} else {
  registerAppScheme();
  app.enableSandbox();

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (coreClosed) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    void closeCoreThenQuit();
  });

  app
    .whenReady()
    .then(ready)
    .catch((error: unknown) => {
      log.error('PatchDeck could not start', { error });
      app.exit(1);
    });
}
