import { describe, expect, it } from 'vitest';

import {
  isAllowedRequestUrl,
  isAppUrl,
  secureWebPreferences,
} from '../../../../electron/app/web-security';

describe('secureWebPreferences (ELE-01)', () => {
  it.each([true, false])('is isolated, sandboxed and Node-free (packaged: %s)', (isPackaged) => {
    const prefs = secureWebPreferences('/app/preload.cjs', isPackaged);
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    for (const key of [
      'nodeIntegrationInSubFrames',
      'nodeIntegrationInWorker',
      'webviewTag',
      'allowRunningInsecureContent',
      'experimentalFeatures',
      'enableBlinkFeatures',
    ]) {
      expect(prefs, key).not.toHaveProperty(key);
    }
    expect(prefs.devTools).toBe(!isPackaged);
  });
});

describe('isAppUrl', () => {
  it('accepts only pages of app://patchdeck, judged by a URL parser', () => {
    expect(isAppUrl('app://patchdeck/index.html')).toBe(true);
    expect(isAppUrl('app://patchdeck/hosts/1?x=1#y')).toBe(true);
    for (const url of [
      'app://patchdeck.evil/index.html',
      'app://patchdeck@evil/index.html',
      'app://user:pw@patchdeck/index.html',
      'app://patchdeck:8080/index.html',
      'http://patchdeck/index.html',
      'https://example.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});

describe('isAllowedRequestUrl', () => {
  it('keeps windows offline: only app, devtools, data and blob URLs', () => {
    expect(isAllowedRequestUrl('app://patchdeck/assets/app.js')).toBe(true);
    expect(isAllowedRequestUrl('devtools://devtools/bundled/inspector.html')).toBe(true);
    for (const url of [
      'http://127.0.0.1:8080/',
      'https://example.org/',
      'ws://127.0.0.1/',
      'file:///etc/passwd',
      'ftp://example.org/',
    ]) {
      expect(isAllowedRequestUrl(url), url).toBe(false);
    }
  });
});
