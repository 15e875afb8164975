import { SymbolList } from './SymbolList.tsx';
import { StrategyPanel } from './StrategyPanel.tsx';
import { PricePanel } from './PricePanel.tsx';
import { EquityPanel } from './EquityPanel.tsx';
import { MetricsPanel } from './MetricsPanel.tsx';
import { TradeList } from './TradeList.tsx';

export function BacktestView() {
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
      </aside>
    </div>
  );
}
