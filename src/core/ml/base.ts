/**
 * The learner vocabulary, after River (online-ml/river): models learn one observation at a time
 * (`learnOne`), predict one (`predictOne`, `predictProbaOne`), and `learnMany` is exactly a loop of
 * `learnOne` (River's own learn_many takes one averaged step per batch; ours does not, so that results
 * never depend on how a stream was chunked). Features are plain records of numbers keyed by name, as
 * River's dicts are, so a model meets new features as they appear.
 *
 * Every model is seeded where it draws randomness and serialisable: `toState()` gives plain JSON data and
 * the family's `fromState` rebuilds a model whose predictions are bit-identical to the original's.
 */

export type Features = Readonly<Record<string, number>>;
export type ClassLabel = string | number;

/** A model's state as plain data, tagged with its kind and the state's schema version. */
export interface ModelState<Kind extends string = string> {
  readonly kind: Kind;
  readonly version: number;
  readonly [key: string]: unknown;
}

export interface Serialisable {
  toState(): ModelState;
}

export interface Regressor extends Serialisable {
  /** `weight` (default 1) scales the observation, as River's sample weight: online bagging passes k. */
  learnOne(x: Features, y: number, weight?: number): void;
  learnMany(xs: readonly Features[], ys: readonly number[]): void;
  predictOne(x: Features): number;
}

export interface Classifier extends Serialisable {
  learnOne(x: Features, y: ClassLabel): void;
  learnMany(xs: readonly Features[], ys: readonly ClassLabel[]): void;
  /** Probabilities over every class seen so far (empty before the first observation). */
  predictProbaOne(x: Features): Map<ClassLabel, number>;
  /** The most probable class; undefined before the first observation. */
  predictOne(x: Features): ClassLabel | undefined;
}

export interface Transformer extends Serialisable {
  learnOne(x: Features): void;
  transformOne(x: Features): Record<string, number>;
}

/** A univariate drift detector (River's `drift.*`): `update` then read `driftDetected`. */
export interface DriftDetector extends Serialisable {
  update(x: number): void;
  readonly driftDetected: boolean;
}

/** Rejects a state that is not of the expected kind and version, naming both. */
export function checkState(state: ModelState, kind: string, version: number): void {
  if (state.kind !== kind || state.version !== version) {
    throw new Error(
      `cannot restore a ${kind} (state version ${version}) from a ${String(state.kind)} state of version ${String(state.version)}`,
    );
  }
}

/** The most probable class of a probability map (ties: the first in insertion order). */
export function argMax(probabilities: ReadonlyMap<ClassLabel, number>): ClassLabel | undefined {
  let best: ClassLabel | undefined;
  let bestP = -Infinity;
  for (const [label, p] of probabilities) {
    if (p > bestP) {
      bestP = p;
      best = label;
    }
  }
  return best;
}
