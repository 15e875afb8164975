import { describe, expect, it } from 'vitest';
import { allocateBars } from '../data/bars.ts';
import { createRng } from '../math/random.ts';
import { allocateRegimeOutput, Level, Trend, type RegimeAxis } from './labels.ts';
import { orderNote, summariseRegimes } from './summary.ts';

/**
 * Bars whose returns are normal with the given mean and spread per label, the labels in spells of 20 bars
 * cycling through the label codes; `axis` gets those labels.
 */
function plantedNote(
  axis: RegimeAxis,
  kinds: readonly { readonly code: number; readonly mean: number; readonly sd: number }[],
  n: number,
): string | null {
  const rng = createRng(7);
  const bars = allocateBars(n);
  const out = allocateRegimeOutput({ trend: [], volatility: [], volume: [] }, n);
  let close = 100;
  for (let i = 0; i < n; i++) {
    const kind = kinds[Math.floor(i / 20) % kinds.length]!;
    if (i > 0) close *= Math.exp(kind.mean + kind.sd * rng.normal());
    bars.t[i] = Date.UTC(2020, 0, 1) + i * 86_400_000;
    bars.o[i] = bars.h[i] = bars.l[i] = bars.c[i] = close;
    bars.v[i] = 1000;
    for (const a of ['trend', 'volatility', 'volume'] as const) out[a].label[i] = a === axis ? kind.code : 0;
  }
  return orderNote(summariseRegimes(bars, out).find((s) => s.axis === axis)!);
}

const level = (low: number, normal: number, high: number) => [
  { code: Level.Low, mean: 0, sd: low },
  { code: Level.Normal, mean: 0, sd: normal },
  { code: Level.High, mean: 0, sd: high },
];

describe("orderNote: the per-regime table against its labels' order", () => {
  it('says nothing while volatility ascends low, normal, high', () => {
    expect(plantedNote('volatility', level(0.01, 0.02, 0.04), 600)).toBeNull();
  });

  it('names the labels, their figures and bar counts when "low" bars move more than "normal" ones, and says why', () => {
    const note = plantedNote('volatility', level(0.02, 0.01, 0.04), 600)!;
    expect(note).toMatch(
      /^Out of order: "low" bars moved more than "normal" bars \(\d+\.\d bp vs \d+\.\d bp a bar; 200 and 200 bars, a gap beyond chance\)/,
    );
    expect(note).toContain('set from the bars up to it');
  });

  it('calls a small gap on few bars within chance', () => {
    const note = plantedNote('volatility', level(0.0105, 0.01, 0.04), 120);
    expect(note).toMatch(/"low" bars moved more than "normal" bars .*40 and 40 bars, a gap within chance/);
  });

  it('holds trend rows to bear, sideways, bull by mean return', () => {
    const trend = (bear: number, sideways: number, bull: number) => [
      { code: Trend.Bear, mean: bear, sd: 0.001 },
      { code: Trend.Sideways, mean: sideways, sd: 0.001 },
      { code: Trend.Bull, mean: bull, sd: 0.001 },
    ];
    expect(plantedNote('trend', trend(-0.01, 0, 0.01), 600)).toBeNull();
    expect(plantedNote('trend', trend(-0.01, 0.01, 0), 600)).toMatch(
      /^Out of order: "sideways" bars returned more than "bull" bars \(\d+\.\d bp vs -?\d\.\d bp a bar; 200 and 200 bars, a gap beyond chance\)\. A trend label names the move over its trend window/,
    );
  });

  it('has nothing to hold the volume axis to (the table shows no volume)', () => {
    expect(plantedNote('volume', level(0.02, 0.01, 0.04), 600)).toBeNull();
  });
});
