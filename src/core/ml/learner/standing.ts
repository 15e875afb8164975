import type { Params } from '../../optimize/space.ts';
import type { Features } from '../base.ts';
import { learnerSpace, spaceFeatures } from './ledger.ts';

/**
 * A set's standing among the sets recently scored on the same symbol, timeframe and strategy: what the
 * panel's standing features (`past.z`, `past.zMean`, `past.neighbourZ`, see panel.ts) say of a panel's
 * sets, for ledger rows and recommendation candidates, whose sets were not all run on every window. The
 * reference population is the ledger's scored rows whose window had closed when the set's window opened
 * (point in time), newest first, at most STANDING_POPULATION of them; each one's z-score is taken
 * within that population. A ledger row and a candidate for the same set and window read the same
 * population, so the learner is taught and asked with the same features.
 */
export interface ReferenceSet {
  readonly params: Params;
  readonly score: number;
  /** The last bar time of the window it was scored on. */
  readonly endTime: number;
}

/** Scored sets a standing is read against (about five walk-forward runs' windows, or five panel windows). */
export const STANDING_POPULATION = 250;
/** Rows of the same set over which its mean standing halves its weight, as the panel's windows. */
const STANDING_HALF_LIFE = 5;
const STANDING_NEIGHBOURS = 5;

/**
 * The standing features of `params` for a window opening at `opensAt` (epoch ms): only rows whose
 * window ended before it count. `population` must be ordered newest first (by end time; ties in a fixed
 * order), as `LedgerRepository.referencePopulation` returns it.
 */
export function standingFeatures(
  strategy: string,
  params: Params,
  population: readonly ReferenceSet[],
  opensAt: number,
): Features {
  const known: ReferenceSet[] = [];
  for (const row of population) {
    if (row.endTime < opensAt) known.push(row);
    if (known.length === STANDING_POPULATION) break;
  }
  if (known.length === 0) return { 'past.z': 0, 'past.zMean': 0, 'past.neighbourZ': 0 };
  const space = learnerSpace(strategy);
  const mean = known.reduce((s, r) => s + r.score, 0) / known.length;
  const sd = Math.sqrt(known.reduce((s, r) => s + (r.score - mean) ** 2, 0) / known.length);
  const z = (row: ReferenceSet): number => (sd > 0 ? (row.score - mean) / sd : 0);
  const theta = spaceFeatures(params, space);
  const key = JSON.stringify(theta);
  const decay = 0.5 ** (1 / STANDING_HALF_LIFE);
  let own = 0;
  let last: number | undefined;
  let weighted = 0;
  let weights = 0;
  const others: { distance: number; z: number }[] = [];
  for (const row of known) {
    const rowTheta = spaceFeatures(row.params, space);
    if (JSON.stringify(rowTheta) === key) {
      last ??= z(row);
      const weight = decay ** own++;
      weighted += weight * z(row);
      weights += weight;
    } else {
      let distance = 0;
      for (const name in theta) distance += (theta[name]! - (rowTheta[name] ?? 0)) ** 2;
      others.push({ distance, z: z(row) });
    }
  }
  // A stable sort keeps the newest of equally near rows.
  const nearest = others.sort((a, b) => a.distance - b.distance).slice(0, STANDING_NEIGHBOURS);
  return {
    'past.z': last ?? 0,
    'past.zMean': weights > 0 ? weighted / weights : 0,
    'past.neighbourZ': nearest.length === 0 ? 0 : nearest.reduce((s, r) => s + r.z, 0) / nearest.length,
  };
}
