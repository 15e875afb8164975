import { describe, expect, it } from 'vitest';
import type { OverfittingStats } from '../../../shared/contract.ts';
import { overfittingVerdict } from './verdict.ts';

function stats(
  deflatedSharpe: number | null,
  pbo: number | null,
  trialsUsed = 40,
  trials = 40,
): OverfittingStats {
  return {
    deflatedSharpe: { trials, sharpe: 1.2, sharpeVariance: 0.1, deflatedSharpe },
    pbo:
      pbo === null
        ? null
        : {
            pbo,
            probabilityOfLoss: 0.3,
            degradationSlope: -0.5,
            combinations: 70,
            trialsUsed,
            periods: 500,
            partitions: 8,
            logits: [],
          },
    sensitivity: null,
    plateau: null,
    notes: [],
  };
}

describe('overfittingVerdict', () => {
  it("the issue's case: Deflated Sharpe 93.5 % beside PBO 89 % is overfit, and says both", () => {
    const verdict = overfittingVerdict(stats(0.935, 0.89));
    expect(verdict.level).toBe('overfit');
    expect(verdict.headline).toContain('PBO 89.0%');
  });

  it('a high PBO overrides a convincing Deflated Sharpe', () => {
    const verdict = overfittingVerdict(stats(0.99, 0.6));
    expect(verdict.level).toBe('overfit');
    expect(verdict.headline).toContain('even though the winner beats luck (Deflated Sharpe 99.0%)');
  });

  it('convincing needs both: Deflated Sharpe at least 95 % and PBO at most 20 %', () => {
    expect(overfittingVerdict(stats(0.97, 0.1)).level).toBe('convincing');
    expect(overfittingVerdict(stats(0.97, 0.3)).level).toBe('unproven');
    expect(overfittingVerdict(stats(0.8, 0.1)).level).toBe('unproven');
  });

  it('a Deflated Sharpe below 50 % is luck', () => {
    const verdict = overfittingVerdict(stats(0.2, 0.3));
    expect(verdict.level).toBe('luck');
    expect(verdict.headline).toContain('best of 40 random trials');
  });

  it('says when PBO used a subsample of the trials, and when there is no PBO', () => {
    expect(overfittingVerdict(stats(0.97, 0.1, 50, 400)).caveat).toBe(
      'PBO used a subsample: the best 50 of 400 trials.',
    );
    expect(overfittingVerdict(stats(0.97, 0.1)).caveat).toBeNull();
    const noPbo = overfittingVerdict(stats(0.97, null));
    expect(noPbo.level).toBe('convincing');
    expect(noPbo.caveat).toMatch(/PBO could not be computed/);
  });
});
