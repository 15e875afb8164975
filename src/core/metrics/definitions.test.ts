import { describe, expect, it } from 'vitest';
import { formatProbability, METRIC_DEFINITIONS } from './definitions.ts';

describe('formatProbability', () => {
  it('prints a probability as a percentage to a tenth, n/a when there is none', () => {
    expect(formatProbability(0.95)).toBe('95.0%');
    expect(formatProbability(0.2, 0)).toBe('20%');
    expect(formatProbability(0.0394)).toBe('3.9%');
    expect(formatProbability(1)).toBe('100.0%');
    for (const none of [null, undefined, Number.NaN]) expect(formatProbability(none)).toBe('n/a');
  });

  it('is the format of the probabilistic and deflated Sharpe ratios in the catalogue', () => {
    expect(METRIC_DEFINITIONS.deflatedSharpe.format).toBe('probability');
    expect(METRIC_DEFINITIONS.probabilisticSharpe.format).toBe('probability');
  });
});
