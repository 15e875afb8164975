import { useMemo } from 'react';
import type { BacktestResult } from '../../../shared/contract.ts';
import { OPEN_TRADE_REASON } from '../../../shared/tradeRows.ts';
import { useApp } from '../../store/context.tsx';
import {
  DAY_MS,
  formatHeld,
  formatMoney,
  formatNumber,
  formatPrice,
  formatSignedPercent,
} from '../../format.ts';
import { TIMEFRAME_MS } from '../../timeframes.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import { useVirtualRows } from '../useVirtualRows.ts';
import { entryExits, entryReason } from '../../charts/indicatorSeries.ts';

const ROW_HEIGHT = 22;

/**
 * Every closed trade, then the position still open at the end (marked to the last close); long backtests have thousands, so only the rows in view are drawn. With `result`
 * given (another view's backtest) the rows are not linked to the Backtest view's price chart.
 */
export function TradeList({ result: given }: { result?: BacktestResult | null } = {}) {
  const own = useApp((s) => s.result);
  const linked = given === undefined;
  const result = linked ? own : given;
  const ownFocus = useApp((s) => s.focus);
  const focus = linked ? ownFocus : null;
  const focusTrade = useApp((s) => s.focusTrade);
  const trades = useMemo(() => result?.trades ?? [], [result]);
  const time = useTimeFormat();
  const timeframe = result?.timeframe ?? '';
  const dayBars = result ? TIMEFRAME_MS[result.timeframe] >= DAY_MS : false;
  const { first, last, height, onScroll } = useVirtualRows(trades.length, ROW_HEIGHT, {
    overscan: 10,
    initialRows: 40,
  });
  // Not on every scroll: a long backtest has thousands of trades.
  const { wins, open, totalPnl } = useMemo(
    () => ({
      wins: trades.filter((t) => t.pnl > 0 && t.exitReason !== OPEN_TRADE_REASON).length,
      open: trades.filter((t) => t.exitReason === OPEN_TRADE_REASON).length,
      totalPnl: trades.reduce((sum, t) => sum + t.pnl, 0),
    }),
    [trades],
  );
  const closed = trades.length - open;

  return (
    // data-trade-count counts closed trades, as the metrics' numTrades does; the open position is apart.
    <section
      className="panel trades"
      data-testid="trade-list"
      data-trade-count={closed}
      data-open-count={open}
    >
      <div className="panel-title">
        Trades <span className="panel-count">{result ? trades.length : ''}</span>
        {result && trades.length > 0 ? (
          <span className="panel-sub">
            {wins} won · {closed - wins} lost{open > 0 ? ` · ${open} open` : ''} · P&amp;L{' '}
            <span className={totalPnl >= 0 ? 'up' : 'down'}>{formatMoney(totalPnl)}</span>
          </span>
        ) : null}
        <span className="panel-sub panel-end" data-testid="trade-time-zone">
          times in {time.zone}
        </span>
      </div>
      <div className="trade-table">
        <div className="trade-row trade-head">
          <span className="c-n">#</span>
          <span className="c-side">Side</span>
          <span className="c-time">Entry time</span>
          <span className="c-num">Entry</span>
          <span className="c-time">Exit time</span>
          <span className="c-num">Exit</span>
          <span className="c-num">Size</span>
          <span className="c-num c-pnl">P&amp;L</span>
          <span className="c-num c-ret">Return</span>
          <span className="c-dur">Held</span>
          <span className="c-reason">Exit reason</span>
          <span className="c-num">Stop</span>
          <span className="c-num">Target</span>
          <span className="c-why">Why it entered</span>
        </div>
        <div className="trade-scroll" onScroll={onScroll}>
          {!result ? <div className="empty">Trades appear here after a backtest.</div> : null}
          {result && trades.length === 0 ? <div className="empty">The strategy made no trades.</div> : null}
          <div className="trade-spacer" style={{ height }}>
            {trades.slice(first, last).map((trade, offset) => {
              const i = first + offset;
              const tone = trade.pnl > 0 ? 'up' : trade.pnl < 0 ? 'down' : '';
              const isOpen = trade.exitReason === OPEN_TRADE_REASON;
              const exits = entryExits(trade);
              const why = entryReason(trade);
              return (
                <button
                  type="button"
                  key={i}
                  className={focus?.trade === i ? 'trade-row list-row focused' : 'trade-row list-row'}
                  data-testid="trade-row"
                  data-open={isOpen ? 'true' : undefined}
                  title={linked ? 'Show this trade on the price chart' : undefined}
                  style={{ top: i * ROW_HEIGHT }}
                  onClick={linked ? () => focusTrade(i) : undefined}
                >
                  <span className="c-n">{i + 1}</span>
                  <span className={`c-side ${trade.size >= 0 ? 'up' : 'down'}`}>
                    {trade.size >= 0 ? 'LONG' : 'SHORT'}
                  </span>
                  <span className="c-time">{time.barTime(trade.entryTime, timeframe)}</span>
                  <span className="c-num">{formatPrice(trade.entryPrice)}</span>
                  <span className="c-time">{time.barTime(trade.exitTime, timeframe)}</span>
                  <span className="c-num">{formatPrice(trade.exitPrice)}</span>
                  <span className="c-num">
                    {formatNumber(Math.abs(trade.size), Number.isInteger(trade.size) ? 0 : 4)}
                  </span>
                  <span className={`c-num c-pnl ${tone}`} data-testid="trade-pnl">
                    {formatMoney(trade.pnl)}
                  </span>
                  <span className={`c-num c-ret ${tone}`}>{formatSignedPercent(trade.returnPct)}</span>
                  <span className="c-dur">{formatHeld(trade.exitTime - trade.entryTime, dayBars)}</span>
                  <span
                    className="c-reason"
                    title={isOpen ? 'still held: marked to the last close' : undefined}
                  >
                    {isOpen ? 'Open (marked)' : trade.exitReason}
                  </span>
                  <span className="c-num" data-testid="trade-stop">
                    {exits.stop}
                  </span>
                  <span className="c-num" data-testid="trade-target">
                    {exits.target}
                  </span>
                  <span className="c-why" data-testid="trade-why" title={why}>
                    {why}
                  </span>
                </button>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
