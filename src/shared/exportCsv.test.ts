import { expect, it } from 'vitest';
import type { TradeRow } from './backtestContract.ts';
import { TRADES_CSV_HEADER, tradesCsv } from './exportCsv.ts';

const trade: TradeRow = {
  entryTime: Date.UTC(2024, 0, 2),
  exitTime: Date.UTC(2024, 0, 9),
  entryPrice: 100,
  exitPrice: 105,
  size: 10,
  pnl: 50,
  returnPct: 0.05,
  exitReason: 'Signal',
  stopLoss: null,
  takeProfit: null,
  signals: [],
  confidence: null,
};

it('names the trade return a fraction, as it holds one: a 5 % trade is 0.05 in column "return"', () => {
  // A column named return_pct holding 0.05 read as 0.05 % in a spreadsheet.
  expect(TRADES_CSV_HEADER.some((name) => name.endsWith('_pct'))).toBe(false);
  const [header, row] = tradesCsv([trade]).trim().split('\n');
  const cells = row!.split(',');
  expect(cells[header!.split(',').indexOf('return')]).toBe('0.05');
});
