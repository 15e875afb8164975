import { SymbolList } from './SymbolList.tsx';
import { StrategyPanel } from './StrategyPanel.tsx';
import { PricePanel } from './PricePanel.tsx';
import { EquityPanel } from './EquityPanel.tsx';
import { MetricsPanel } from './MetricsPanel.tsx';
import { RobustnessPanel } from './RobustnessPanel.tsx';
import { TradeList } from './TradeList.tsx';
import { useApp } from '../../store/context.tsx';
import { RegimePanel } from '../regime/RegimePanel.tsx';

export function BacktestView() {
  const bars = useApp((s) => s.bars);
  // The labels of the bars on the chart (from its first bar); its ribbon is drawn under the chart.
  const data = bars.status === 'ready' && bars.data.t.length > 0 ? bars.data : null;
  const target = data ? { symbol: data.symbol, timeframe: data.timeframe, start: data.t[0] } : null;
  return (
    <div className="backtest" data-testid="backtest-view">
      <aside className="col-left">
        <SymbolList />
        <StrategyPanel />
      </aside>
      <div className="col-center">
        <PricePanel />
        <EquityPanel />
        <TradeList />
      </div>
      <aside className="col-right">
        <MetricsPanel />
        <RobustnessPanel />
        <RegimePanel target={target} ribbon={false} testIdPrefix="" />
      </aside>
    </div>
  );
}
