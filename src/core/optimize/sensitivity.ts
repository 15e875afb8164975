/**
 * How fragile is the winner? Two tools:
 * - Sensitivity: the objective's drop when each parameter moves one step either way (the caller
 *   evaluates the neighbours, e.g. on the worker pool, or finds them among the study's trials).
 * - Plateau selection: scores every trial by the objective averaged over its neighbourhood and picks
 *   the best smoothed one, preferring the centre of a broad good region over an isolated spike that is
 *   more likely luck than edge.
 * Scores here are higher-is-better (Study.score gives them).
 */
import {
  neighbourValue,
  paramsKey,
  satisfiesConstraints,
  stepIndex,
  toUnit,
  type Params,
  type SearchDimension,
  type SearchSpace,
} from './space.ts';
import { mean } from '../math/statistics.ts';

export interface Neighbour {
  readonly param: string;
  readonly direction: -1 | 1;
  readonly params: Params;
}

/**
 * The parameter sets one step from `params` in each parameter and direction, skipping bounds and
 * constraint violations. A continuous float's step is `floatFraction` of its (log) range.
 */
export function neighbourhood(space: SearchSpace, params: Params, floatFraction = 0.05): Neighbour[] {
  const out: Neighbour[] = [];
  for (const p of space.params) {
    for (const direction of [-1, 1] as const) {
      const value = neighbourValue(p, params[p.name]!, direction, floatFraction);
      if (value === undefined) continue;
      const next = { ...params, [p.name]: value };
      if (satisfiesConstraints(space, next)) out.push({ param: p.name, direction, params: next });
    }
  }
  return out;
}

export interface ParamSensitivity {
  readonly name: string;
  /** Score one step down / up, or null when that neighbour does not exist or was not evaluated. */
  readonly down: number | null;
  readonly up: number | null;
  /** Largest drop from the base score among this parameter's neighbours (negative: a neighbour is better). */
  readonly worstDrop: number;
}

export interface SensitivityResult {
  readonly baseScore: number;
  readonly perParam: readonly ParamSensitivity[];
  /** Largest drop over all neighbours. */
  readonly worstDrop: number;
  /** Mean drop over the evaluated neighbours. */
  readonly meanDrop: number;
  /** worstDrop / |baseScore| (NaN when the base score is 0). */
  readonly relativeWorstDrop: number;
  /** Neighbours that could not be scored (missing from the trials). */
  readonly missing: readonly Neighbour[];
}

/** Summarises evaluated neighbours (score undefined: not evaluated). */
export function summarizeSensitivity(
  space: SearchSpace,
  baseScore: number,
  evaluated: readonly { readonly neighbour: Neighbour; readonly score: number | undefined }[],
): SensitivityResult {
  const perParam: ParamSensitivity[] = [];
  const drops: number[] = [];
  const missing: Neighbour[] = [];
  for (const p of space.params) {
    let down: number | null = null;
    let up: number | null = null;
    let worst = -Infinity;
    for (const { neighbour, score } of evaluated) {
      if (neighbour.param !== p.name) continue;
      if (score === undefined) {
        missing.push(neighbour);
        continue;
      }
      if (neighbour.direction < 0) down = score;
      else up = score;
      const drop = baseScore - score;
      drops.push(drop);
      worst = Math.max(worst, drop);
    }
    perParam.push({ name: p.name, down, up, worstDrop: worst === -Infinity ? NaN : worst });
  }
  const worstDrop = drops.length === 0 ? NaN : Math.max(...drops);
  return {
    baseScore,
    perParam,
    worstDrop,
    meanDrop: mean(drops),
    relativeWorstDrop: baseScore === 0 ? NaN : worstDrop / Math.abs(baseScore),
    missing,
  };
}

/** Sensitivity of `winner` from trials already run (a grid has them all); unmatched neighbours are listed as missing. */
export function sensitivityFromTrials(
  space: SearchSpace,
  winner: Params,
  baseScore: number,
  trials: readonly { readonly params: Params; readonly score: number }[],
): SensitivityResult {
  const byKey = new Map<string, number>();
  for (const t of trials) byKey.set(paramsKey(space, t.params), t.score);
  return summarizeSensitivity(
    space,
    baseScore,
    neighbourhood(space, winner).map((neighbour) => ({
      neighbour,
      score: byKey.get(paramsKey(space, neighbour.params)),
    })),
  );
}

export interface PlateauOptions {
  /** Neighbourhood half-width in steps of every parameter (Chebyshev); 1 by default. */
  readonly radius?: number;
  /** Step of a continuous float as a fraction of its (log) range; 0.05 by default. */
  readonly floatFraction?: number;
  /** Smoothing: mean of the neighbourhood's scores (default) or its minimum (more conservative). */
  readonly aggregate?: 'mean' | 'min';
  /** Trials with fewer neighbours (besides themselves) cannot be a plateau centre; 2 by default. */
  readonly minNeighbours?: number;
}

export interface SmoothedScore {
  readonly index: number;
  readonly score: number;
  readonly smoothed: number;
  readonly neighbours: number;
}

function stepDistance(p: SearchDimension, a: Params, b: Params, floatFraction: number): number {
  const va = a[p.name]!;
  const vb = b[p.name]!;
  if (p.kind === 'categorical') return va === vb ? 0 : Infinity;
  if (p.step !== null) {
    const ia = stepIndex(p, va as number);
    const ib = stepIndex(p, vb as number);
    if (ia >= 0 && ib >= 0) return Math.abs(ia - ib);
    return Math.abs((va as number) - (vb as number)) / p.step;
  }
  return Math.abs(toUnit(p, va as number) - toUnit(p, vb as number)) / floatFraction;
}

/** Each point's score smoothed over its neighbourhood (O(N^2 x parameters): fine for a study's thousands of trials). */
export function smoothedScores(
  space: SearchSpace,
  points: readonly { readonly params: Params; readonly score: number }[],
  options: PlateauOptions = {},
): SmoothedScore[] {
  const radius = options.radius ?? 1;
  const floatFraction = options.floatFraction ?? 0.05;
  const aggregate = options.aggregate ?? 'mean';
  return points.map((point, index) => {
    let sum = 0;
    let min = Infinity;
    let count = 0;
    for (const other of points) {
      let near = true;
      for (const p of space.params) {
        if (stepDistance(p, point.params, other.params, floatFraction) > radius + 1e-9) {
          near = false;
          break;
        }
      }
      if (!near) continue;
      count++;
      sum += other.score;
      min = Math.min(min, other.score);
    }
    return {
      index,
      score: point.score,
      smoothed: aggregate === 'mean' ? sum / count : min,
      neighbours: count - 1,
    };
  });
}

export interface PlateauChoice {
  /** Index of the chosen point (the plateau centre, or the raw peak when no point has enough neighbours). */
  readonly index: number;
  readonly peakIndex: number;
  readonly smoothed: number;
  readonly neighbours: number;
  readonly fellBackToPeak: boolean;
}

/** Picks the point with the best smoothed score among those with enough neighbours. */
export function selectPlateauCentre(
  space: SearchSpace,
  points: readonly { readonly params: Params; readonly score: number }[],
  options: PlateauOptions = {},
): PlateauChoice | undefined {
  if (points.length === 0) return undefined;
  const minNeighbours = options.minNeighbours ?? 2;
  const scored = smoothedScores(space, points, options);
  let peak = scored[0]!;
  for (const s of scored) if (s.score > peak.score) peak = s;
  let best: SmoothedScore | undefined;
  for (const s of scored) {
    if (s.neighbours < minNeighbours || Number.isNaN(s.smoothed)) continue;
    if (
      best === undefined ||
      s.smoothed > best.smoothed ||
      (s.smoothed === best.smoothed && s.score > best.score)
    )
      best = s;
  }
  const chosen = best ?? peak;
  return {
    index: chosen.index,
    peakIndex: peak.index,
    smoothed: chosen.smoothed,
    neighbours: chosen.neighbours,
    fellBackToPeak: best === undefined,
  };
}
