import { useCallback, useMemo, useState } from 'react';
import type { BacktestResult } from '../../../shared/contract.ts';
import { equityCsv, tradesCsv } from '../../../shared/exportCsv.ts';
import { tearSheetHtml } from '../../../shared/tearSheetHtml.ts';
import { downloadText, fileNameOf } from './download.ts';
import { TearSheetDialog } from './TearSheetDialog.tsx';

function costsText(costs: BacktestResult['costs']): string {
  if (!costs.regulatoryFees && costs.spreadBps === 0 && costs.impact === 0) return 'none beyond commission';
  return `${costs.regulatoryFees ? 'SEC and FINRA fees on sells, ' : ''}spread ${costs.spreadBps} bp, impact ${costs.impact}`;
}

/** The tear sheet page of a backtest (its own download and what the dialog shows). */
export function backtestTearSheetHtml(result: BacktestResult): string {
  const params = Object.entries(result.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return tearSheetHtml({
    title: `${result.strategy} on ${result.symbol} ${result.timeframe}`,
    subtitle: `${params} · ${result.bars.toLocaleString('en-US')} bars · costs: ${costsText(result.costs)}`,
    metrics: result.metrics,
    sheet: result.tearSheet,
    costStress: result.costStress,
  });
}

/** Tear sheet, and downloads of it (HTML) and of the trades and equity (CSV), for one backtest. */
export function BacktestExports({ result }: { result: BacktestResult }) {
  const [open, setOpen] = useState(false);
  const html = useMemo(() => backtestTearSheetHtml(result), [result]);
  const base = [result.strategy, result.symbol, result.timeframe];
  const close = useCallback(() => setOpen(false), []);
  return (
    <span className="result-actions">
      <button
        type="button"
        className="ghost-button small"
        data-testid="open-tear-sheet"
        onClick={() => setOpen(true)}
      >
        Tear sheet
      </button>
      <button
        type="button"
        className="ghost-button small"
        data-testid="export-tear-sheet"
        onClick={() => downloadText(fileNameOf([...base, 'tear-sheet'], 'html'), html, 'text/html')}
      >
        HTML
      </button>
      <button
        type="button"
        className="ghost-button small"
        data-testid="export-trades"
        onClick={() =>
          downloadText(fileNameOf([...base, 'trades'], 'csv'), tradesCsv(result.trades), 'text/csv')
        }
      >
        Trades CSV
      </button>
      <button
        type="button"
        className="ghost-button small"
        data-testid="export-equity"
        title="The equity curve as shown (at most 4,000 points, each bucket's deepest drawdown kept)"
        onClick={() =>
          downloadText(fileNameOf([...base, 'equity'], 'csv'), equityCsv(result.equity), 'text/csv')
        }
      >
        Equity CSV
      </button>
      {open ? <TearSheetDialog html={html} onClose={close} /> : null}
    </span>
  );
}
