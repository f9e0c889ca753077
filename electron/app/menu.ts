import { Menu, type MenuItemConstructorOptions } from 'electron';

/** What decides the menu's shape. */
export type AppMenuOptions = {
  /** Packaged builds have no reload or developer tools entries. */
  isPackaged: boolean;
  /** macOS gets the application menu and its conventions. */
  isMac: boolean;
};

/**
 * The minimal application menu: quit, the edit roles (so copy and paste shortcuts work), zoom
 * and full screen, window controls. No help links: PatchDeck never opens the web.
 */
export function appMenuTemplate(options: AppMenuOptions): MenuItemConstructorOptions[] {
  const { isPackaged, isMac } = options;
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    template.push({
      role: 'appMenu',
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  } else {
    template.push({ label: '&File', submenu: [{ role: 'quit' }] });
  }
  template.push({
    role: 'editMenu',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });
  template.push({
    label: '&View',
    submenu: [
      ...(isPackaged
        ? []
        : ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const)),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  });
  template.push({
    role: 'windowMenu',
    submenu: [{ role: 'minimize' }, ...(isMac ? [] : [{ role: 'close' } as const])],
  });
  return template;
}

/** Builds the menu and installs it as the application menu. */
export function installAppMenu(options: AppMenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(options)));
}
