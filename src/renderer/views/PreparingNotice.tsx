import { useApp } from '../store/context.tsx';

/** What a first start is doing while the services generate the demo market, with its progress. */
export function PreparingNotice() {
  const preparing = useApp((s) => s.appInfo?.preparing ?? null);
  if (preparing === null) return null;
  return (
    <div className="preparing" role="status" data-testid="preparing-notice">
      <span className="notice-tag preparing-tag">FIRST START</span>
      <span>
        Generating the demo market, synthetic symbols to try Regimen on without data:{' '}
        <span data-testid="preparing-progress">
          {preparing.done} of {preparing.total} symbols
        </span>
      </span>
      <progress className="progress-bar" max={Math.max(1, preparing.total)} value={preparing.done} />
    </div>
  );
}
