import { create } from 'zustand';

import { onSessionEnd } from './session-events';

/** How a notification looks and how loudly it is announced. */
export type NotificationTone = 'error' | 'success' | 'info';

/** One toast. */
export type Notification = {
  id: number;
  tone: NotificationTone;
  title: string;
  body?: string;
  detail?: string;
  context?: string;
  issues?: string[];
};

type NewNotification = Omit<Notification, 'id'>;

type NotificationsStore = {
  items: Notification[];
  push: (notification: NewNotification) => number;
  dismiss: (id: number) => void;
  clear: () => void;
};

/** Non-error toasts leave by themselves after this long; errors stay until dismissed. */
export const AUTO_DISMISS_MS = 6000;
const MAX_VISIBLE = 5;

let nextId = 1;

/** The toasts currently shown, oldest first. */
export const useNotificationsStore = create<NotificationsStore>()((set, get) => ({
  items: [],
  push(notification) {
    const id = nextId++;
    set((s) => ({ items: [...s.items, { ...notification, id }].slice(-MAX_VISIBLE) }));
    if (notification.tone !== 'error') {
      setTimeout(() => get().dismiss(id), AUTO_DISMISS_MS);
    }
    return id;
  },
  dismiss: (id) => set((s) => ({ items: s.items.filter((n) => n.id !== id) })),
  clear: () => set({ items: [] }),
}));

/** Shows a short confirmation that something worked. */
export function notifySuccess(title: string, body?: string): void {
  useNotificationsStore
    .getState()
    .push(body === undefined ? { tone: 'success', title } : { tone: 'success', title, body });
}

// What one operator was told is not for the next one at the console.
onSessionEnd(() => useNotificationsStore.getState().clear());
