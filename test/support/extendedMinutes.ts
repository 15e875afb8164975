import { allocateBars, type Bars } from '../../src/core/data/bars.ts';
import { daysFromCivil, etWallTimeToUtc, MINUTE_MS, sessionOnDays } from '../../src/core/data/calendar.ts';
import { randomWalkBars } from '../../src/core/engine/random-walk.ts';

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

/**
 * 1-minute bars of every New York trading day in [from, to) (day numbers) with extended hours (04:00-20:00,
 * or to 17:00 on an early close), as a data vendor sends them: weekends and holidays have none. `skipOpen`
 * leaves out the 09:30 bar on that day number.
 */
export function extendedHoursBars(from: number, to: number, skipOpen?: number): Bars {
  const times: number[] = [];
  for (let days = from; days < to; days++) {
    const session = sessionOnDays(days);
    if (session === null) continue;
    const last = session.close + 4 * 60 * MINUTE_MS;
    for (let t = etWallTimeToUtc(days, 4 * 60); t < last; t += MINUTE_MS) {
      if (days === skipOpen && t === session.open) continue;
      times.push(t);
    }
  }
  const bars = randomWalkBars(times.length, 7);
  bars.t.set(times);
  return bars;
}
