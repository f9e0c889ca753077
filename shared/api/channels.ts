/** The one IPC channel that carries API calls. */
export const API_CHANNEL = 'patchdeck:api';

/** The one IPC channel that carries events from the core to a window. */
export const EVENT_CHANNEL = 'patchdeck:event';

/** HTTP header that carries an operator's session token in browser mode. */
export const SESSION_HEADER = 'x-patchdeck-session';
