import { useCallback, useMemo, useState } from 'react';
import type { BacktestResult } from '../../../shared/contract.ts';
import { costsText, financingPaidText } from '../../../shared/costsText.ts';
import { equityCsv, tradesCsv } from '../../../shared/exportCsv.ts';
import { tearSheetHtml } from '../../../shared/tearSheetHtml.ts';
import type { TimeFormat } from '../../../shared/timeZone.ts';
import { wipedOutText } from '../../../shared/wipedOutText.ts';
import { fileNameOf } from '../../download.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import { ResultActions } from './ResultActions.tsx';
import { TearSheetDialog } from './TearSheetDialog.tsx';

/**
 * The tear sheet page of a backtest (its own download and what the dialog shows); `time` names the bar
 * where the account was wiped out, if it was, as the Performance panel does.
 */
export function backtestTearSheetHtml(result: BacktestResult, time: TimeFormat): string {
  const params = Object.entries(result.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return tearSheetHtml({
    title: `${result.strategy} on ${result.symbol} ${result.timeframe}`,
    subtitle:
      `${params} · ${result.bars.toLocaleString('en-US')} bars · costs: ${costsText(result.costs)}` +
      (result.financingPaid > 0 ? ` · ${financingPaidText(result.financingPaid)}` : ''),
    ...(result.wipedOutAt === null
      ? {}
      : { notice: wipedOutText(`${time.barTime(result.wipedOutAt, result.timeframe)} ${time.zone}`) }),
    metrics: result.metrics,
    sheet: result.tearSheet,
    costStress: result.costStress,
  });
}

/** Tear sheet, and downloads of it (HTML) and of the trades and equity (CSV), for one backtest. */
export function BacktestExports({ result }: { result: BacktestResult }) {
  const [open, setOpen] = useState(false);
  const time = useTimeFormat();
  const html = useMemo(() => backtestTearSheetHtml(result, time), [result, time]);
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
