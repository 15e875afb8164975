import { useMemo } from 'react';
import { symbolTimeframeReasons } from '../../store/appStore.ts';
import { useApp, useAppStore } from '../../store/context.tsx';
import { OptimizeStoreProvider, optimizeStoreFor, useOptimize } from '../../store/optimizeContext.tsx';
import { Notices } from '../NoticeBar.tsx';
import { InspectPanel } from './InspectPanel.tsx';
import { ResultsPanel } from './ResultsPanel.tsx';
import { SearchCharts } from './SearchCharts.tsx';
import { SetupPanel } from './SetupPanel.tsx';
import { StudyHeader } from './StudyHeader.tsx';
import { StudyList } from './StudyList.tsx';
import { TrialTable } from './TrialTable.tsx';
import { RegimePanel } from '../regime/RegimePanel.tsx';
import { WalkForwardPanel } from './WalkForwardPanel.tsx';
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
  return <Notices notices={notices} dismiss={dismiss} className="notices opt-notices" testIdPrefix="opt-" />;
}

function OptimizeWorkspace() {
  const center = useOptimize((s) => s.center);
  const symbol = useOptimize((s) => s.setup.symbol);
  const timeframe = useOptimize((s) => s.setup.timeframes[0]);
  const datasets = useApp((s) => s.datasets);
  const reasons = useMemo(() => symbolTimeframeReasons({ datasets, symbol }), [datasets, symbol]);
  // The regimes of the data the study is set up on (its first timeframe when it scores several), once that
  // timeframe can be read for the symbol: right after a symbol change the form still holds the old one.
  const target = symbol && timeframe && reasons[timeframe] === null ? { symbol, timeframe } : null;

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
        <WalkForwardPanel />
      </div>
      <aside className="opt-right">
        <ResultsPanel />
        <RegimePanel target={target} ribbon testIdPrefix="opt-" />
      </aside>
    </div>
  );
}
