import type { Notice } from '../store/appStore.ts';
import { useApp } from '../store/context.tsx';

/**
 * Errors stated plainly with what the user was doing, one per cause: a failure repeated counts up on its
 * banner, and the banner goes once that cause works again (or is dismissed). `testIdPrefix` keeps the
 * app's list and a workspace's own apart.
 */
export function Notices({
  notices,
  dismiss,
  className = 'notices',
  testIdPrefix = '',
}: {
  notices: readonly Notice[];
  dismiss: (id: number) => void;
  className?: string;
  testIdPrefix?: string;
}) {
  if (notices.length === 0) return null;
  return (
    <div className={className} role="alert" data-testid={`${testIdPrefix}error-banner`}>
      {notices.map((n) => (
        <div key={n.id} className="notice" data-testid={`${testIdPrefix}error-notice`}>
          <span className="notice-tag">ERROR</span>
          <span className="notice-context">{n.context}:</span>
          {n.repeats > 1 ? (
            <span
              className="notice-repeats"
              data-testid={`${testIdPrefix}error-repeats`}
              title="failed this often in a row"
            >
              ×{n.repeats}
            </span>
          ) : null}
          <span className="notice-message" data-testid={`${testIdPrefix}error-message`}>
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

/** Errors from the services. */
export function NoticeBar() {
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismissNotice);
  return <Notices notices={notices} dismiss={dismiss} />;
}
