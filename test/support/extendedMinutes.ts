import { allocateBars, type Bars } from '../../src/core/data/bars.ts';
import { daysFromCivil, etWallTimeToUtc } from '../../src/core/data/calendar.ts';

/** Every minute from 04:00 to 20:00 New York on three trading days: pre-market and after-hours too. */
export function extendedMinutes(): Bars {
  const times: number[] = [];
  for (const day of [20, 21, 22]) {
    const days = daysFromCivil(2024, 2, day);
    for (let minute = 4 * 60; minute < 20 * 60; minute++) times.push(etWallTimeToUtc(days, minute));
  }
  const bars = allocateBars(times.length);
  times.forEach((t, i) => {
    const price = 100 + Math.sin(i / 40) * 5;
    bars.t[i] = t;
    bars.o[i] = price;
    bars.h[i] = price + 0.5;
    bars.l[i] = price - 0.5;
    bars.c[i] = price;
    bars.v[i] = 100;
  });
  return bars;
}
