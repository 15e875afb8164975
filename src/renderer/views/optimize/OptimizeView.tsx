import { useEffect, useMemo } from 'react';
import { useApp, useAppStore } from '../../store/context.tsx';
import { OptimizeStoreProvider, optimizeStoreFor, useOptimize } from '../../store/optimizeContext.tsx';
import { InspectPanel } from './InspectPanel.tsx';
import { ResultsPanel } from './ResultsPanel.tsx';
import { SearchCharts } from './SearchCharts.tsx';
import { SetupPanel } from './SetupPanel.tsx';
import { StudyHeader } from './StudyHeader.tsx';
import { StudyList } from './StudyList.tsx';
import { TrialTable } from './TrialTable.tsx';
import './optimize.css';

/** The optimisation workspace: set up a study, watch it search, judge the winner, inspect, approve. */
export function OptimizeView() {
  const app = useAppStore();
  const store = useMemo(() => optimizeStoreFor(app), [app]);
  return (
    <OptimizeStoreProvider store={store}>
      <OptimizeWorkspace />
    </OptimizeStoreProvider>
  );
}

function OptimizeNotices() {
  const notices = useOptimize((s) => s.notices);
  const dismiss = useOptimize((s) => s.dismissNotice);
  if (notices.length === 0) return null;
  return (
    <div className="notices opt-notices" role="alert" data-testid="opt-error-banner">
      {notices.map((n) => (
        <div key={n.id} className="notice">
          <span className="notice-tag">ERROR</span>
          <span className="notice-context">{n.context}:</span>
          <span className="notice-message" data-testid="opt-error-message">
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

function OptimizeWorkspace() {
  const strategies = useApp((s) => s.strategies);
  const symbol = useApp((s) => s.symbol);
  const initSetup = useOptimize((s) => s.initSetup);
  const center = useOptimize((s) => s.center);

  useEffect(() => {
    if (strategies.status === 'ready') initSetup(strategies.data, symbol);
  }, [strategies, symbol, initSetup]);

  return (
    <div className="optimize" data-testid="optimize-view">
      <aside className="opt-left">
        <SetupPanel />
        <StudyList />
      </aside>
      <div className="opt-center">
        <OptimizeNotices />
        <StudyHeader />
        {center === 'inspect' ? <InspectPanel /> : <SearchCharts />}
        <TrialTable />
      </div>
      <aside className="opt-right">
        <ResultsPanel />
      </aside>
    </div>
  );
}
