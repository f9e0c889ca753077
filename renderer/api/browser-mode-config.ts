/** Where the loopback server keeps its per-launch token between reloads of the page. */
const TOKEN_STORAGE_KEY = 'patchdeck.transportToken';

/** What the HTTP transport needs to reach the loopback server. */
export type BrowserModeConfig = { baseUrl: string; token: string };

/**
 * Reads the per-launch token of browser mode.
 *
 * The server opens the page at `http://127.0.0.1:<port>/#token=<hex>`. The token is kept in
 * sessionStorage (so a reload still works) and removed from the address bar at once, so it does
 * not end up in screenshots, bookmarks or the history.
 */
export function readBrowserModeConfig(
  location: Location = window.location,
  storage: Storage = window.sessionStorage,
  history: History = window.history,
): BrowserModeConfig | undefined {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash !== null && /^[0-9a-fA-F]{16,}$/.test(fromHash)) {
    storage.setItem(TOKEN_STORAGE_KEY, fromHash);
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  }
  const token = storage.getItem(TOKEN_STORAGE_KEY);
  return token === null ? undefined : { baseUrl: location.origin, token };
}
