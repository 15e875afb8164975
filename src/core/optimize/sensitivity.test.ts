import { describe, expect, it } from 'vitest';
import { neighbourhood, selectPlateauCentre, sensitivityFromTrials, smoothedScores } from './sensitivity.ts';
import { gridPoint, gridSize, parseSpace, type Params } from './space.ts';
import { selectWinner, studyOverfitting } from './report.ts';
import { Study } from './study.ts';

const space = parseSpace(['a=0:20', 'b=0:20'], ['a<=b']);
const num = (p: Params, k: string): number => p[k] as number;

/** A broad plateau around (5, 15) of height 1, and a sharp isolated spike at (12, 12) of height 1.2. */
function landscape(p: Params): number {
  const a = num(p, 'a');
  const b = num(p, 'b');
  const plateau = Math.max(0, 1 - ((a - 5) ** 2 + (b - 15) ** 2) / 50);
  return a === 12 && b === 12 ? 1.2 : plateau;
}

function allPoints(): { params: Params; score: number }[] {
  const out: { params: Params; score: number }[] = [];
  for (let i = 0; i < gridSize(space); i++) {
    const params = gridPoint(space, i);
    if (num(params, 'a') <= num(params, 'b')) out.push({ params, score: landscape(params) });
  }
  return out;
}

describe('neighbourhood and sensitivity', () => {
  it('lists the one-step neighbours inside bounds and constraints', () => {
    expect(neighbourhood(space, { a: 0, b: 0 }).map((n) => n.params)).toEqual([{ a: 0, b: 1 }]);
    expect(neighbourhood(space, { a: 5, b: 15 })).toHaveLength(4);
  });
  it('measures the drop around the isolated spike and around the plateau centre', () => {
    const points = allPoints();
    const spike = sensitivityFromTrials(space, { a: 12, b: 12 }, 1.2, points);
    expect(spike.missing).toEqual([]);
    // Its feasible neighbours are (11, 12) and (12, 13); (13, 12) and (12, 11) break a <= b.
    expect(spike.worstDrop).toBeCloseTo(
      1.2 - Math.min(landscape({ a: 11, b: 12 }), landscape({ a: 12, b: 13 })),
      12,
    );
    expect(spike.perParam.map((p) => [p.down !== null, p.up !== null])).toEqual([
      [true, false],
      [false, true],
    ]);
    const centre = sensitivityFromTrials(space, { a: 5, b: 15 }, 1, points);
    expect(centre.worstDrop).toBeCloseTo(1 / 50, 12);
    expect(centre.perParam.map((p) => p.name)).toEqual(['a', 'b']);
    expect(centre.relativeWorstDrop).toBeLessThan(spike.relativeWorstDrop);
  });
});

describe('plateau selection', () => {
  it('prefers the centre of the plateau over the higher isolated peak', () => {
    const points = allPoints();
    const choice = selectPlateauCentre(space, points)!;
    expect(points[choice.peakIndex]!.params).toEqual({ a: 12, b: 12 });
    expect(points[choice.index]!.params).toEqual({ a: 5, b: 15 });
    expect(choice.fellBackToPeak).toBe(false);
    const smoothed = smoothedScores(space, points, { aggregate: 'min' });
    expect(smoothed[choice.peakIndex]!.smoothed).toBeLessThan(smoothed[choice.index]!.smoothed);
  });
  it('is a study option: selectWinner with preferPlateau', () => {
    const study = new Study({
      space,
      sampler: { kind: 'grid' },
      objectives: [{ metric: 'y', direction: 'maximize' }],
      seed: 1,
    });
    for (;;) {
      const batch = study.ask(100);
      if (batch.length === 0) break;
      for (const t of batch)
        study.tell(t.number, { status: 'complete', metrics: { y: landscape(t.params) } });
    }
    expect(selectWinner(study)!.trial.params).toEqual({ a: 12, b: 12 });
    expect(selectWinner(study, { preferPlateau: true })!.trial.params).toEqual({ a: 5, b: 15 });
  });
});

describe('studyOverfitting', () => {
  it('deflates the winner by the number of trials and computes PBO from return series', () => {
    const study = new Study({
      space,
      sampler: { kind: 'grid' },
      objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
      seed: 1,
      maxTrials: 40,
    });
    const batch = study.ask(40);
    batch.forEach((t, i) =>
      study.tell(t.number, {
        status: 'complete',
        metrics: { sharpeRatio: 0.5 + i / 40, numPeriods: 500, skewness: 0, kurtosis: 3 },
      }),
    );
    const few = studyOverfitting(study);
    expect(few.trials).toBe(40);
    expect(few.deflatedSharpe).toBeGreaterThan(0);
    expect(few.deflatedSharpe).toBeLessThan(1);
    // More trials behind the same winner: a lower deflated Sharpe.
    const more = new Study({ ...study.config, maxTrials: 200 });
    more.ask(200).forEach((t, i) =>
      more.tell(t.number, {
        status: 'complete',
        metrics: {
          sharpeRatio: i === 0 ? 1.475 : 0.5 + (i % 39) / 40,
          numPeriods: 500,
          skewness: 0,
          kurtosis: 3,
        },
      }),
    );
    expect(studyOverfitting(more).deflatedSharpe).toBeLessThan(few.deflatedSharpe);

    // Returns: 8 trials of pure noise over 400 periods -> PBO is computed by core/metrics.
    const rows = 400;
    const cols = 8;
    const matrix = new Float64Array(rows * cols);
    let s = 1;
    for (let i = 0; i < matrix.length; i++) {
      s = (s * 16807) % 2147483647;
      matrix[i] = (s / 2147483647 - 0.5) * 0.02;
    }
    const pbo = studyOverfitting(study, { returns: { matrix, rows, cols, partitions: 8 } }).pbo!;
    expect(pbo.combinations).toBe(70);
    expect(pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(pbo.pbo).toBeLessThanOrEqual(1);
  });
});
