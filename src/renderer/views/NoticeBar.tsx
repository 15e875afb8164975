import { useApp } from '../store/context.tsx';

/** Errors from the services, stated plainly with what the user was doing; each stays until dismissed. */
export function NoticeBar() {
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismissNotice);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="alert" data-testid="error-banner">
      {notices.map((n) => (
        <div key={n.id} className="notice" data-testid="error-notice">
          <span className="notice-tag">ERROR</span>
          <span className="notice-context">{n.context}:</span>
          <span className="notice-message" data-testid="error-message">
            {n.message}
          </span>
          <button type="button" className="notice-close" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
