import { useCallback, useMemo, useState } from 'react';
import type { BacktestResult } from '../../../shared/contract.ts';
import { costsText } from '../../../shared/costsText.ts';
import { equityCsv, tradesCsv } from '../../../shared/exportCsv.ts';
import { tearSheetHtml } from '../../../shared/tearSheetHtml.ts';
import { fileNameOf } from '../../download.ts';
import { ResultActions } from './ResultActions.tsx';
import { TearSheetDialog } from './TearSheetDialog.tsx';

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
    <>
      <ResultActions
        openTestId="open-tear-sheet"
        onOpenSheet={() => setOpen(true)}
        downloads={[
          {
            testId: 'export-tear-sheet',
            label: 'HTML',
            fileName: fileNameOf([...base, 'tear-sheet'], 'html'),
            type: 'text/html',
            content: () => html,
          },
          {
            testId: 'export-trades',
            label: 'Trades CSV',
            fileName: fileNameOf([...base, 'trades'], 'csv'),
            type: 'text/csv',
            content: () => tradesCsv(result.trades),
          },
          {
            testId: 'export-equity',
            label: 'Equity CSV',
            title: "The equity curve as shown (at most 4,000 points, each bucket's deepest drawdown kept)",
            fileName: fileNameOf([...base, 'equity'], 'csv'),
            type: 'text/csv',
            content: () => equityCsv(result.equity),
          },
        ]}
      />
      {open ? <TearSheetDialog html={html} onClose={close} /> : null}
    </>
  );
}
