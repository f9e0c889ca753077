import { useNotificationsStore, type Notification } from '../stores/notifications.store';

function Toast({ notification }: { notification: Notification }) {
  const dismiss = useNotificationsStore((s) => s.dismiss);
  const { tone, title, body, detail, context, issues } = notification;
  return (
    <div className={`toast toast-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <div className="toast-text">
        {context && <p className="toast-context">{context}</p>}
        <p className="toast-title">{title}</p>
        {detail && <p className="toast-detail">{detail}</p>}
        {issues && issues.length > 0 && (
          <ul className="toast-issues">
            {issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        )}
        {body && <p className="toast-body">{body}</p>}
      </div>
      <button
        type="button"
        className="icon-btn toast-dismiss"
        aria-label={`Dismiss: ${title}`}
        onClick={() => dismiss(notification.id)}
      >
        ×
      </button>
    </div>
  );
}

/** Toasts, bottom right; errors stay until dismissed, other notices leave on their own. */
export function Notifications() {
  const items = useNotificationsStore((s) => s.items);
  return (
    <section className="toasts" aria-label="Notifications">
      {items.map((notification) => (
        <Toast key={notification.id} notification={notification} />
      ))}
    </section>
  );
}
