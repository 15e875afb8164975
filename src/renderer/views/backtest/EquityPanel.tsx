import { useMemo } from 'react';
import { EChart } from '../../charts/EChart.tsx';
import { equityChartOption } from '../../charts/equityChart.ts';
import type { BacktestResult } from '../../../shared/contract.ts';
import { useApp } from '../../store/context.tsx';
import { useTimeFormat } from '../../timeFormat.ts';
import { BacktestExports } from '../report/BacktestExports.tsx';
import { PinButton } from '../compare/PinButton.tsx';

/** The equity curve of the Backtest view's result, or of `result` when given (another view's backtest). */
export function EquityPanel({ result: given }: { result?: BacktestResult | null } = {}) {
  const own = useApp((s) => s.result);
  const ownSource = useApp((s) => s.resultSource);
  const result = given === undefined ? own : given;
  const time = useTimeFormat();
  const option = useMemo(
    () => (result && result.equity.t.length > 0 ? equityChartOption(result, time) : null),
    [result, time],
  );
  return (
    <section className="panel equity" data-testid="equity-panel">
      <div className="panel-title">
        Equity &amp; drawdown
        {result ? (
          <span className="panel-sub">
            {result.strategy} · {result.symbol} {result.timeframe} ·{' '}
            {Object.entries(result.params)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}
          </span>
        ) : null}
        {result ? <BacktestExports result={result} /> : null}
        {given === undefined && result ? (
          <PinButton testId="backtest-pin" request={ownSource === null ? null : { source: ownSource }} />
        ) : null}
      </div>
      <div className="chart-box">
        {option ? <EChart option={option} testId="equity-chart" /> : null}
        {!result ? (
          <div className="empty overlay">Run a backtest to see its equity curve and drawdown.</div>
        ) : null}
      </div>
    </section>
  );
}
