import { drawdownCurve } from '../../core/math/statistics.ts';

export interface ThinCurve {
  t: number[];
  value: number[];
  drawdown: number[];
}

/**
 * Thins an equity curve for display to at most `maxPoints`, keeping in every bucket the bar with the
 * deepest drawdown, so the chart never hides the worst moment a trader would care about.
 */
export function thinEquityCurve(
  t: Float64Array,
  equity: Float64Array,
  initialCash: number,
  maxPoints = 4000,
): ThinCurve {
  const n = equity.length;
  const drawdown = new Float64Array(n);
  drawdownCurve(equity, drawdown, initialCash);
  const out: ThinCurve = { t: [], value: [], drawdown: [] };
  const bucket = Math.max(1, Math.ceil(n / maxPoints));
  for (let start = 0; start < n; start += bucket) {
    const end = Math.min(n, start + bucket);
    let pick = end - 1;
    for (let i = start; i < end; i++) if (drawdown[i]! < drawdown[pick]!) pick = i;
    out.t.push(t[pick]!);
    out.value.push(equity[pick]!);
    out.drawdown.push(drawdown[pick]!);
  }
  return out;
}
