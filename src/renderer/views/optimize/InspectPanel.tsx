import { PinButton } from '../compare/PinButton.tsx';
import { useCallback, useMemo } from 'react';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { isApprovedTrial } from '../../store/optimizeStore.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import { EquityPanel } from '../backtest/EquityPanel.tsx';
import { MetricsPanel } from '../backtest/MetricsPanel.tsx';
import { RobustnessPanel } from '../backtest/RobustnessPanel.tsx';
import { TradeList } from '../backtest/TradeList.tsx';
import { backtestTearSheetHtml } from '../report/BacktestExports.tsx';
import { TearSheetDialog } from '../report/TearSheetDialog.tsx';
import { ApproveButton } from './ApproveButton.tsx';

/** One trial's full backtest (as its study scored it), drawn with the Backtest view's own panels. */
export function InspectPanel() {
  const inspection = useOptimize((s) => s.inspection);
  const detail = useOptimize((s) => s.study?.detail ?? null);
  const studyId = useOptimize((s) => s.study?.id ?? null);
  const trial = useOptimize((s) =>
    s.inspection ? (s.trials.find((t) => t.number === s.inspection?.trialNumber) ?? null) : null,
  );
  const openInBacktest = useOptimize((s) => s.openInBacktest);
  const setCenter = useOptimize((s) => s.setCenter);
  const setSheetOpen = useOptimize((s) => s.setSheetOpen);
  const closeSheet = useCallback(() => setSheetOpen(false), [setSheetOpen]);
  const result = inspection?.result ?? null;
  const time = useTimeFormat();
  const sheet = useMemo(() => (result ? backtestTearSheetHtml(result, time) : ''), [result, time]);
  if (!inspection) return null;
  const approved = trial ? isApprovedTrial(detail, trial) : false;

  return (
    <div
      className="opt-inspect"
      data-testid="opt-inspect"
      data-trial={inspection.trialNumber}
      data-status={inspection.status}
    >
      <div className="toolbar opt-inspect-bar">
        <span className="toolbar-symbol">Trial #{inspection.trialNumber}</span>
        <span className="opt-inspect-params">
          {trial
            ? Object.entries(trial.params)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join('  ')
            : ''}
        </span>
        {inspection.status === 'loading' ? <span className="toolbar-busy">running backtest…</span> : null}
        {inspection.status === 'error' ? <span className="error-text">{inspection.message}</span> : null}
        <span className="status-spacer" />
        {approved ? (
          <span className="opt-approved-tag" data-testid="opt-inspect-approved">
            ✓ approved
          </span>
        ) : (
          <ApproveButton
            trialNumber={inspection.trialNumber}
            testId="opt-approve-trial"
            disabled={trial?.status !== 'complete'}
          />
        )}
        <PinButton
          testId="opt-pin-trial"
          request={
            studyId !== null && trial?.status === 'complete'
              ? { source: { kind: 'trial', studyId, trial: inspection.trialNumber } }
              : null
          }
        />
        <button
          type="button"
          className="ghost-button small"
          data-testid="opt-open-backtest"
          disabled={!result}
          title="Open this backtest in the Backtest workspace, with its trades on the price chart"
          onClick={openInBacktest}
        >
          Open in Backtest ↗
        </button>
        <button
          type="button"
          className="ghost-button small"
          data-testid="opt-inspect-back"
          onClick={() => setCenter('search')}
        >
          ← Search
        </button>
      </div>
      <div className="opt-inspect-body">
        <div className="opt-inspect-main">
          <EquityPanel result={result} />
          <TradeList result={result} />
        </div>
        <div className="opt-inspect-side">
          <MetricsPanel result={result} />
          <RobustnessPanel result={result} />
        </div>
      </div>
      {inspection.sheetOpen && sheet !== '' ? <TearSheetDialog html={sheet} onClose={closeSheet} /> : null}
    </div>
  );
}
