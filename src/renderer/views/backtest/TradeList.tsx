import { useState } from 'react';
import type { BacktestResult } from '../../../shared/contract.ts';
import { useApp } from '../../store/context.tsx';
import {
  formatDateTime,
  formatDuration,
  formatMoney,
  formatNumber,
  formatPrice,
  formatSignedPercent,
} from '../../format.ts';

const ROW_HEIGHT = 22;
const OVERSCAN = 10;
/** Rows drawn before the list has been measured (and in tests, where it may never be scrolled). */
const INITIAL_ROWS = 40;

/**
 * Every closed trade; long backtests have thousands, so only the rows in view are drawn. With `result`
 * given (another view's backtest) the rows are not linked to the Backtest view's price chart.
 */
export function TradeList({ result: given }: { result?: BacktestResult | null } = {}) {
  const own = useApp((s) => s.result);
  const linked = given === undefined;
  const result = linked ? own : given;
  const ownFocus = useApp((s) => s.focus);
  const focus = linked ? ownFocus : null;
  const focusTrade = useApp((s) => s.focusTrade);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(INITIAL_ROWS * ROW_HEIGHT);
  const trades = result?.trades ?? [];

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(trades.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const wins = trades.filter((t) => t.pnl > 0).length;
  const totalPnl = trades.reduce((sum, t) => sum + t.pnl, 0);

  return (
    <section className="panel trades" data-testid="trade-list" data-trade-count={trades.length}>
      <div className="panel-title">
        Trades <span className="panel-count">{result ? trades.length : ''}</span>
        {result && trades.length > 0 ? (
          <span className="panel-sub">
            {wins} won · {trades.length - wins} lost · P&amp;L{' '}
            <span className={totalPnl >= 0 ? 'up' : 'down'}>{formatMoney(totalPnl)}</span>
          </span>
        ) : null}
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
          <span className="c-num">P&amp;L</span>
          <span className="c-num">Return</span>
          <span className="c-dur">Held</span>
          <span className="c-reason">Exit reason</span>
        </div>
        <div
          className="trade-scroll"
          onScroll={(e) => {
            setScrollTop(e.currentTarget.scrollTop);
            setViewport(e.currentTarget.clientHeight);
          }}
        >
          {!result ? <div className="empty">Trades appear here after a backtest.</div> : null}
          {result && trades.length === 0 ? <div className="empty">The strategy made no trades.</div> : null}
          <div className="trade-spacer" style={{ height: trades.length * ROW_HEIGHT }}>
            {trades.slice(first, last).map((trade, offset) => {
              const i = first + offset;
              const tone = trade.pnl > 0 ? 'up' : trade.pnl < 0 ? 'down' : '';
              return (
                <button
                  type="button"
                  key={i}
                  className={focus?.trade === i ? 'trade-row focused' : 'trade-row'}
                  data-testid="trade-row"
                  title={linked ? 'Show this trade on the price chart' : undefined}
                  style={{ top: i * ROW_HEIGHT }}
                  onClick={linked ? () => focusTrade(i) : undefined}
                >
                  <span className="c-n">{i + 1}</span>
                  <span className={`c-side ${trade.size >= 0 ? 'up' : 'down'}`}>
                    {trade.size >= 0 ? 'LONG' : 'SHORT'}
                  </span>
                  <span className="c-time">{formatDateTime(trade.entryTime)}</span>
                  <span className="c-num">{formatPrice(trade.entryPrice)}</span>
                  <span className="c-time">{formatDateTime(trade.exitTime)}</span>
                  <span className="c-num">{formatPrice(trade.exitPrice)}</span>
                  <span className="c-num">
                    {formatNumber(Math.abs(trade.size), Number.isInteger(trade.size) ? 0 : 4)}
                  </span>
                  <span className={`c-num ${tone}`}>{formatMoney(trade.pnl)}</span>
                  <span className={`c-num ${tone}`}>{formatSignedPercent(trade.returnPct)}</span>
                  <span className="c-dur">{formatDuration(trade.exitTime - trade.entryTime)}</span>
                  <span className="c-reason">{trade.exitReason}</span>
                </button>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
