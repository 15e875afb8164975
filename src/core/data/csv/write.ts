/** Bars written as CSV: the export edge, read back to the same bars by read.ts. */
import type { Bars, BarsExtra } from '../bars.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, dateKeyFromDays, etDateKey, formatDateKey, pad2 } from '../calendar.ts';

export interface CsvExportOptions {
  /** 'iso' (default): UTC ISO-8601 with Z; 'epochMs': epoch milliseconds; 'date': the New York session date. */
  time?: 'iso' | 'epochMs' | 'date';
}

function formatIso(t: number): string {
  const days = Math.floor(t / DAY_MS);
  const key = dateKeyFromDays(days);
  const ms = t - days * DAY_MS;
  const hh = Math.floor(ms / HOUR_MS);
  const mm = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  const ss = Math.floor((ms % MINUTE_MS) / 1000);
  const frac = ms % 1000;
  const date = formatDateKey(key);
  const seconds = frac === 0 ? pad2(ss) : `${pad2(ss)}.${String(frac).padStart(3, '0')}`;
  return `${date}T${pad2(hh)}:${pad2(mm)}:${seconds}Z`;
}

function formatNewYorkDate(t: number): string {
  return formatDateKey(etDateKey(t));
}

/**
 * Writes bars (and any extra columns) as CSV with the header timestamp,open,high,low,close,volume
 * [,vwap][,trade_count]; numbers use the shortest text that reads back to the same double, so
 * parseBarsCsv(formatBarsCsv(bars)) returns equal bars.
 */
export function formatBarsCsv(bars: Bars, extra?: BarsExtra, options?: CsvExportOptions): string {
  const mode = options?.time ?? 'iso';
  const vwap = extra?.vwap;
  const trades = extra?.tradeCount;
  let header = 'timestamp,open,high,low,close,volume';
  if (vwap !== undefined) header += ',vwap';
  if (trades !== undefined) header += ',trade_count';
  const out: string[] = [header];
  const { t, o, h, l, c, v } = bars;
  for (let i = 0; i < t.length; i++) {
    const time =
      mode === 'epochMs' ? String(t[i]) : mode === 'date' ? formatNewYorkDate(t[i]!) : formatIso(t[i]!);
    let row = `${time},${o[i]},${h[i]},${l[i]},${c[i]},${v[i]}`;
    if (vwap !== undefined) row += `,${Number.isNaN(vwap[i]!) ? '' : vwap[i]}`;
    if (trades !== undefined) row += `,${Number.isNaN(trades[i]!) ? '' : trades[i]}`;
    out.push(row);
  }
  out.push('');
  return out.join('\n');
}
