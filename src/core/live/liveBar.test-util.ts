import type { Bars } from '../data/bars.ts';
import type { LiveBar } from './runner.ts';

/** Bar `i` of `bars` as the live runner takes it (what a feed sends the bot). */
export function liveBarAt(bars: Bars, i: number): LiveBar {
  return { t: bars.t[i]!, o: bars.o[i]!, h: bars.h[i]!, l: bars.l[i]!, c: bars.c[i]!, v: bars.v[i]! };
}
