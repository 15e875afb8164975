import type { Bars } from '../../src/core/data/bars.ts';

/**
 * Daily weekday bars from 2022-01-03: 30 up from 80, 70 down from 110 by 0.8 (sma-cross 5/20 turns
 * short), then a gap from 54.8 to 300 (bar 100, 2022-05-23) and up by 1; each bar opens at the previous
 * close, its high and low 0.1 beyond. A short through the gap loses more than the account.
 */
export function gapUpBars(): Bars {
  const closes = [
    ...Array.from({ length: 30 }, (_, k) => 80 + k),
    ...Array.from({ length: 70 }, (_, k) => 110 - 0.8 * k),
    ...Array.from({ length: 40 }, (_, k) => 300 + k),
  ];
  const day = new Date(Date.UTC(2022, 0, 3));
  const t = closes.map(() => {
    while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
    const time = day.getTime();
    day.setUTCDate(day.getUTCDate() + 1);
    return time;
  });
  const o = closes.map((close, i) => closes[i - 1] ?? close);
  return {
    t: Float64Array.from(t),
    o: Float64Array.from(o),
    h: Float64Array.from(closes, (close, i) => Math.max(o[i]!, close) + 0.1),
    l: Float64Array.from(closes, (close, i) => Math.min(o[i]!, close) - 0.1),
    c: Float64Array.from(closes),
    v: new Float64Array(closes.length).fill(1000),
  };
}

/** gapUpBars as a CSV file's text (date,open,high,low,close,volume). */
export function gapUpCsv(): string {
  const bars = gapUpBars();
  const rows = ['date,open,high,low,close,volume'];
  bars.t.forEach((time, i) => {
    const date = new Date(time).toISOString().slice(0, 10);
    rows.push(`${date},${bars.o[i]},${bars.h[i]},${bars.l[i]},${bars.c[i]},${bars.v[i]}`);
  });
  return `${rows.join('\n')}\n`;
}
