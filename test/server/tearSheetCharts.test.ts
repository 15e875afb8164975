/**
 * The tear sheet's charts drew an evenly spaced sample of at most 900 points, so on a long run they
 * stepped over the deepest drawdown day: GOOG's sma-cross 20/50 sheet labelled its drawdown chart
 * -55.1 % beside the Worst drawdowns table's -55.79 %. Each bucket now keeps its lowest and highest
 * point, so the chart reaches, and labels, the trough and the peak the tables print.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/data/calendar.ts';
import { backtestTearSheet } from '../../src/main/services/tearSheet.ts';
import { tearSheetHtml } from '../../src/shared/tearSheetHtml.ts';

/** The labels on a chart's value axis (its max and min), in the order the charts come. */
function axisLabels(html: string): string[][] {
  return [...html.matchAll(/<svg[^>]*>(.*?)<\/svg>/g)].map((svg) =>
    [...svg[1]!.matchAll(/<text x="58" y="[\d.-]+" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]!),
  );
}

describe('the tear sheet charts of a run longer than they draw points', () => {
  it('reach the deepest drawdown and the highest growth, however long the run', () => {
    const n = 5_000;
    const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2000, 0, 3) + i * DAY_MS);
    // Flat at 10,000 but for a one-day spike to 13,000 and a one-day crash to 4,000, on days an even
    // sample of 900 of 5,000 passes over.
    const equity = new Float64Array(n).fill(10_000);
    equity[1_003] = 13_000;
    equity[3_005] = 4_000;
    const sheet = backtestTearSheet(t, equity, 10_000, null);
    expect(Math.min(...sheet.drawdown.filter((v): v is number => v !== null))).toBeCloseTo(-0.6923, 4);
    const html = tearSheetHtml({ title: 'x', subtitle: 'y', metrics: {}, sheet });
    const [growth, drawdown] = axisLabels(html);
    expect(growth).toEqual(['30.0%', '-60.0%']);
    expect(drawdown).toEqual(['0.0%', '-69.2%']);
  });
});
