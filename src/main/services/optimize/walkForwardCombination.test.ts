import { describe, expect, it } from 'vitest';
import { combinationText } from './walkForwardService.ts';

describe('the sentence saying how a walk-forward of several symbols combines their figures', () => {
  it('names the metrics taken from the worst symbol and how the others are combined', () => {
    const objectives = [
      { metric: 'sharpeRatio', direction: 'maximize' as const },
      { metric: 'maxDrawdown', direction: 'maximize' as const },
    ];
    expect(combinationText(['ALFA', 'BRVO'], { aggregation: 'worst', objectives })).toBe(
      "ALFA, BRVO scored together: Sharpe ratio, Max drawdown, the trade count: the worst symbol's; every " +
        "other figure: the mean of the symbols' (each symbol's own are listed); the stitched curve holds " +
        'equal capital in each',
    );
    expect(combinationText(['ALFA', 'BRVO'], { aggregation: 'weighted', objectives })).toMatch(
      /^ALFA, BRVO scored together: every figure is the weighted mean of the symbols' /,
    );
  });
});
