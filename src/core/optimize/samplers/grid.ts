/**
 * Grid search: every combination of the parameters' steps, in a fixed mixed-radix order (the last
 * parameter varies fastest), skipping combinations that violate a constraint. Trial n is the n-th
 * feasible point, so the order is the same in every run and the seed plays no part.
 */
import {
  DEFAULT_FLOAT_GRID_POINTS,
  gridPoint,
  gridSize,
  satisfiesConstraints,
  type Params,
} from '../space.ts';
import type { GridOptions, SampleContext, Sampler, SamplerConfig } from '../sampler.ts';

interface Cursor {
  /** Last trial number placed and the raw grid index it took. */
  trial: number;
  raw: number;
}

export class GridSampler implements Sampler {
  readonly name = 'grid' as const;
  readonly generationSize = Infinity;
  readonly config: SamplerConfig;
  private readonly floatPoints: number;

  constructor(options: GridOptions = {}) {
    this.floatPoints = options.floatPoints ?? DEFAULT_FLOAT_GRID_POINTS;
    if (!Number.isInteger(this.floatPoints) || this.floatPoints < 1) {
      throw new Error(`grid: floatPoints must be a positive integer (got ${this.floatPoints})`);
    }
    this.config = { kind: 'grid', floatPoints: this.floatPoints };
  }

  /** Feasible grid points; counts by scanning, so meant for spaces small enough to search exhaustively. */
  feasibleCount(ctx: Pick<SampleContext, 'space'>): number {
    const size = gridSize(ctx.space, this.floatPoints);
    let count = 0;
    for (let i = 0; i < size; i++)
      if (satisfiesConstraints(ctx.space, gridPoint(ctx.space, i, this.floatPoints))) count++;
    return count;
  }

  sample(ctx: SampleContext): Params | null {
    const size = gridSize(ctx.space, this.floatPoints);
    // Trials are asked in number order, so resuming the scan from the previous trial's index makes the
    // whole grid linear; after a restore the cursor is rebuilt by one scan from the start.
    const cursor = ctx.studyMemo<Cursor>('grid-cursor', () => ({ trial: -1, raw: -1 }));
    let found = cursor.trial;
    let raw = cursor.raw;
    if (cursor.trial >= ctx.trialNumber) {
      found = -1;
      raw = -1;
    }
    while (found < ctx.trialNumber) {
      raw++;
      if (raw >= size) return null;
      if (satisfiesConstraints(ctx.space, gridPoint(ctx.space, raw, this.floatPoints))) found++;
    }
    cursor.trial = found;
    cursor.raw = raw;
    return gridPoint(ctx.space, raw, this.floatPoints);
  }
}
