import type { StudySummary, TrialRow } from '../../shared/contract.ts';
import { metricLabel } from '../metricFormat.ts';

export type Direction = 'maximize' | 'minimize';
type StudyObjective = StudySummary['objectives'][number];

/**
 * What a chart plots for each trial: one of the study's objectives (index into `values`), or the
 * weighted score of a weighted study. Values are as the services report them (magnitudes for drawdown).
 */
export interface Measure {
  key: string;
  label: string;
  direction: Direction;
  /** The metric whose formatting applies (null: a plain number, the weighted score). */
  metric: string | null;
  value(trial: TrialRow): number | null;
}

function objectiveMeasure(objective: StudyObjective, index: number): Measure {
  return {
    key: `objective-${index}`,
    label: metricLabel(objective.metric),
    direction: objective.direction,
    metric: objective.metric,
    value: (trial) => {
      const v = trial.values?.[index];
      return v === undefined || v === null || !Number.isFinite(v) ? null : v;
    },
  };
}

/** Higher-is-better weighted sum, the same formula the services rank a weighted study by. */
function weightedMeasure(objectives: readonly StudyObjective[]): Measure {
  return {
    key: 'score',
    label: 'weighted score',
    direction: 'maximize',
    metric: null,
    value: (trial) => {
      if (!trial.values) return null;
      let score = 0;
      for (let i = 0; i < objectives.length; i++) {
        const o = objectives[i];
        const v = trial.values[i];
        if (!o || v === undefined || v === null || !Number.isFinite(v)) return null;
        score += (o.weight ?? 1) * (o.direction === 'maximize' ? v : -v);
      }
      return score;
    },
  };
}

/** The measures a study offers: the weighted score first for a weighted study, then each objective. */
export function studyMeasures(summary: Pick<StudySummary, 'objectives' | 'mode'>): Measure[] {
  const objectives = summary.objectives.map(objectiveMeasure);
  return summary.mode === 'weighted' ? [weightedMeasure(summary.objectives), ...objectives] : objectives;
}

/** True when `a` beats `b` in the measure's direction. */
export function beats(direction: Direction, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

/** A trial that can win: complete, with finite objective values and enough trades. */
export function isScorable(trial: TrialRow): boolean {
  return trial.status === 'complete' && trial.feasible !== false && trial.values !== null;
}

/**
 * The non-dominated trials on two measures (each in its own direction): sort by the first, sweep keeping
 * strict improvements of the second, and ties of the last kept point (equal points do not dominate each
 * other, as in the services' front). Returned in order along the first measure.
 */
export function paretoFront2d(trials: readonly TrialRow[], a: Measure, b: Measure): TrialRow[] {
  const points: Array<{ trial: TrialRow; x: number; y: number }> = [];
  for (const trial of trials) {
    if (!isScorable(trial)) continue;
    const x = a.value(trial);
    const y = b.value(trial);
    if (x === null || y === null) continue;
    // As losses, lower is better on both.
    points.push({ trial, x: a.direction === 'maximize' ? -x : x, y: b.direction === 'maximize' ? -y : y });
  }
  points.sort((p, q) => p.x - q.x || p.y - q.y);
  const front: TrialRow[] = [];
  let bestX = NaN;
  let bestY = Infinity;
  for (const p of points) {
    if (p.y < bestY || (p.y === bestY && p.x === bestX)) {
      front.push(p.trial);
      bestX = p.x;
      bestY = p.y;
    }
  }
  return front;
}
