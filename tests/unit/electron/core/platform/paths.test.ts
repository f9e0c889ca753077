import { describe, expect, it } from 'vitest';

import { defaultWorkspaceDir, userDataDir } from '../../../../../electron/core/platform/paths';

describe('defaultWorkspaceDir', () => {
  it('uses PATCHDECK_HOME as the workspace folder when set, on every platform', () => {
    expect(
      defaultWorkspaceDir({ PATCHDECK_HOME: '/srv/patchdeck', HOME: '/home/ana' }, 'linux'),
    ).toBe('/srv/patchdeck');
    expect(
      defaultWorkspaceDir({ PATCHDECK_HOME: '/Volumes/ws', HOME: '/Users/ana' }, 'darwin'),
    ).toBe('/Volumes/ws');
    expect(
      defaultWorkspaceDir({ PATCHDECK_HOME: 'D:\\PatchDeck', APPDATA: 'C:\\x' }, 'win32'),
    ).toBe('D:\\PatchDeck');
  });

  it('ignores an empty PATCHDECK_HOME', () => {
    expect(defaultWorkspaceDir({ PATCHDECK_HOME: ' ', HOME: '/home/ana' }, 'linux')).toBe(
      '/home/ana/.config/PatchDeck/workspace',
    );
  });

  it('follows XDG_CONFIG_HOME on Linux, else ~/.config', () => {
    expect(defaultWorkspaceDir({ HOME: '/home/ana', XDG_CONFIG_HOME: '/data/cfg' }, 'linux')).toBe(
      '/data/cfg/PatchDeck/workspace',
    );
    expect(defaultWorkspaceDir({ HOME: '/home/ana' }, 'linux')).toBe(
      '/home/ana/.config/PatchDeck/workspace',
    );
  });

  it('ignores a relative XDG_CONFIG_HOME, as the XDG spec requires', () => {
    expect(defaultWorkspaceDir({ HOME: '/home/ana', XDG_CONFIG_HOME: 'cfg' }, 'linux')).toBe(
      '/home/ana/.config/PatchDeck/workspace',
    );
  });

  it('uses Application Support on macOS', () => {
    expect(defaultWorkspaceDir({ HOME: '/Users/ana' }, 'darwin')).toBe(
      '/Users/ana/Library/Application Support/PatchDeck/workspace',
    );
  });

  it('uses %APPDATA% on Windows, else the roaming folder under the profile', () => {
    expect(defaultWorkspaceDir({ APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'win32')).toBe(
      'C:\\Users\\ana\\AppData\\Roaming\\PatchDeck\\workspace',
    );
    expect(defaultWorkspaceDir({ USERPROFILE: 'C:\\Users\\bo' }, 'win32')).toBe(
      'C:\\Users\\bo\\AppData\\Roaming\\PatchDeck\\workspace',
    );
  });

  it('puts the workspace inside the user data folder', () => {
    const env = { HOME: '/home/ana' };
    expect(defaultWorkspaceDir(env, 'freebsd')).toBe(`${userDataDir(env, 'freebsd')}/workspace`);
  });
});
