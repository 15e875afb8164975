/**
 * A study: the ask/tell loop around a sampler, and the record of every trial.
 *
 * Reproducibility (same seed, same trials, whatever the batch size or number of workers) rests on
 * three rules:
 * 1. Trials are numbered in the order they are asked, and trial n's parameters depend only on the
 *    study seed, n, and trials numbered below n: its random stream is derived from (seed, n).
 * 2. A sampler that learns from results declares a generation size G. Trial n sees the results of the
 *    trials numbered below floor(n / G) * G, all of which must be finished before n is handed out (ask
 *    returns fewer trials, possibly none, until they are told). Within a generation, results may be told
 *    in any order: no trial of the generation can observe them.
 * 3. Trials of the current generation numbered below n are visible to n as parameters only (constant
 *    liar, duplicate avoidance), and those are fixed by rules 1 and 2.
 * Resuming: the persisted trials are the whole state. `Study.restore` rebuilds everything derived
 * (sampler caches) from them; finished trials are kept as they are, running ones (started, no result)
 * are handed out again by ask with the same number, parameters and seed.
 */
import { deriveSeed, createRng } from '../math/random.ts';
import { hypervolume, nonDominatedFronts } from './pareto.ts';
import {
  isWipedOut,
  defaultMode,
  objectiveValues,
  toLosses,
  scalarScore,
  type Objective,
  type ObjectiveMode,
} from './objectives.ts';
import type { HistoryTrial, SampleContext, Sampler, SamplerConfig } from './sampler.ts';
import { createSampler } from './samplers/index.ts';
import { paramsKey, paramsProblems, type Params, type SearchSpace } from './space.ts';

export type TrialStatus = 'running' | 'complete' | 'failed' | 'pruned';

export interface TrialRecord {
  readonly number: number;
  readonly params: Params;
  readonly status: TrialStatus;
  /** Objective values in objective order (magnitudes for `absolute` objectives); null unless complete. */
  readonly values: readonly number[] | null;
  /** Everything the evaluation reported (kept for display and post-hoc statistics). */
  readonly metrics?: Readonly<Record<string, number>>;
  /**
   * Complete trials: whether it passes the feasibility rules (minimum trade count, an account not wiped
   * out); infeasible ones cannot win.
   */
  readonly feasible?: boolean;
  /** Failed trials: the error message. */
  readonly error?: string;
  /** Seed for anything random in the evaluation itself, derived from (study seed, number). */
  readonly seed: number;
  /** Epoch ms when (last) handed out. */
  readonly startedAt: number;
  readonly finishedAt: number | null;
}

/** What ask hands to an evaluator. */
export interface TrialRequest {
  readonly number: number;
  readonly params: Params;
  readonly seed: number;
}

/** What an evaluator tells back. */
export type TellResult =
  | {
      readonly status: 'complete';
      /** Metrics of the backtest; objective values are read from them unless `values` is given. */
      readonly metrics?: Readonly<Record<string, number>>;
      readonly values?: readonly number[];
    }
  | { readonly status: 'failed'; readonly error: string }
  | { readonly status: 'pruned'; readonly metrics?: Readonly<Record<string, number>> };

/** Everything needed to rebuild a study besides its trials; plain data, persisted with the study. */
export interface StudyConfig {
  readonly space: SearchSpace;
  readonly sampler: SamplerConfig;
  readonly objectives: readonly Objective[];
  /** Default: 'single' for one objective, 'pareto' for several. */
  readonly mode?: ObjectiveMode;
  readonly seed: number;
  /** A complete trial with fewer trades than this is infeasible (0: no minimum). */
  readonly minTrades?: number;
  /** The metric holding the trade count; 'numTrades' (core/metrics) by default. */
  readonly tradeCountMetric?: string;
  /** Ask hands out no trial numbered at or above this. */
  readonly maxTrials?: number;
}

export interface StudyOptions {
  /** Clock for startedAt/finishedAt (epoch ms); Date.now by default. Injected so tests are deterministic. */
  readonly clock?: () => number;
  /** A sampler instance to use instead of creating one from `config.sampler` (its config must match). */
  readonly sampler?: Sampler;
}

export interface StudyCounts {
  readonly total: number;
  readonly running: number;
  readonly complete: number;
  readonly failed: number;
  readonly pruned: number;
  readonly feasible: number;
}

export class Study {
  readonly config: StudyConfig;
  readonly sampler: Sampler;
  readonly mode: ObjectiveMode;
  private readonly clock: () => number;
  private readonly records: (TrialRecord | undefined)[] = [];
  /** Running trials waiting to be handed out again (after a restore), lowest number first. */
  private readonly requeue: number[] = [];
  /** Lowest trial number with each parameter key, for duplicate checks that only look backwards. */
  private readonly firstByKey = new Map<string, number>();
  /** Sampler state that outlives a generation (e.g. NSGA-II parent populations, the grid cursor). */
  private readonly studyCache = new Map<string, unknown>();
  private generationCacheStart = -1;
  private generationCacheMap = new Map<string, unknown>();
  /** History entries of finished trials 0..length-1. */
  private readonly converted: HistoryTrial[] = [];
  /** Every trial below this number exists and is finished. */
  private finishedPrefix = 0;
  private exhausted = false;

  constructor(config: StudyConfig, options: StudyOptions = {}) {
    if (config.objectives.length === 0) throw new Error('study: at least one objective is required');
    if (!Number.isInteger(config.seed))
      throw new Error(`study: seed must be an integer (got ${config.seed})`);
    this.config = config;
    // 'single' with several objectives is allowed: the others are recorded, only the first is optimised.
    this.mode = config.mode ?? defaultMode(config.objectives);
    this.sampler = options.sampler ?? createSampler(config.sampler);
    if (options.sampler !== undefined && options.sampler.config.kind !== config.sampler.kind) {
      throw new Error(
        `study: sampler "${options.sampler.name}" does not match the configured "${config.sampler.kind}"`,
      );
    }
    this.clock = options.clock ?? ((): number => Date.now());
  }

  /**
   * Rebuilds a study from its persisted trials. Finished trials are kept; running ones are handed out
   * again by the next asks; a missing number (a trial asked but never saved) is sampled again, which
   * yields the same parameters.
   */
  static restore(config: StudyConfig, trials: readonly TrialRecord[], options: StudyOptions = {}): Study {
    const study = new Study(config, options);
    const sorted = [...trials].sort((a, b) => a.number - b.number);
    for (const t of sorted) {
      if (!Number.isInteger(t.number) || t.number < 0)
        throw new Error(`study restore: invalid trial number ${t.number}`);
      if (study.records[t.number] !== undefined)
        throw new Error(`study restore: trial ${t.number} appears twice`);
      const problems = paramsProblems(config.space, t.params);
      if (problems.length > 0)
        throw new Error(`study restore: trial ${t.number} does not fit the space: ${problems.join('; ')}`);
      study.records[t.number] = t;
      study.noteKey(t);
      if (t.status === 'running') study.requeue.push(t.number);
    }
    study.advancePrefix();
    return study;
  }

  /** Plain-data snapshot (non-finite numbers encoded) from which `Study.fromJSON` resumes. */
  toJSON(): { config: StudyConfig; trials: EncodedTrial[] } {
    return { config: this.config, trials: this.trials.map(encodeTrial) };
  }

  static fromJSON(
    json: { config: StudyConfig; trials: readonly EncodedTrial[] },
    options: StudyOptions = {},
  ): Study {
    return Study.restore(json.config, json.trials.map(decodeTrial), options);
  }

  /** All trials that exist, in number order. */
  get trials(): TrialRecord[] {
    return this.records.filter((t): t is TrialRecord => t !== undefined);
  }

  trial(number: number): TrialRecord | undefined {
    return this.records[number];
  }

  counts(): StudyCounts {
    let running = 0;
    let complete = 0;
    let failed = 0;
    let pruned = 0;
    let feasible = 0;
    for (const t of this.records) {
      if (t === undefined) continue;
      if (t.status === 'running') running++;
      else if (t.status === 'complete') {
        complete++;
        if (t.feasible === true) feasible++;
      } else if (t.status === 'failed') failed++;
      else pruned++;
    }
    return { total: running + complete + failed + pruned, running, complete, failed, pruned, feasible };
  }

  /**
   * Up to `count` trials to evaluate. Fewer (possibly none) when the next trial's generation is waiting
   * for results, when `maxTrials` is reached, or when the sampler is exhausted (see `isDone`).
   */
  ask(count = 1): TrialRequest[] {
    const out: TrialRequest[] = [];
    while (out.length < count) {
      const again = this.requeue.shift();
      if (again !== undefined) {
        const record = { ...this.records[again]!, startedAt: this.clock() };
        this.records[again] = record;
        out.push(requestOf(record));
        continue;
      }
      const number = this.nextNumber();
      if (this.config.maxTrials !== undefined && number >= this.config.maxTrials) break;
      if (this.exhausted) break;
      const generationStart = this.generationStart(number);
      if (this.finishedPrefix < generationStart) break;
      const params = this.sampler.sample(this.context(number, generationStart));
      if (params === null) {
        this.exhausted = true;
        break;
      }
      const problems = paramsProblems(this.config.space, params);
      if (problems.length > 0) {
        throw new Error(
          `sampler "${this.sampler.name}" proposed parameters outside the space: ${problems.join('; ')}`,
        );
      }
      const record: TrialRecord = {
        number,
        params: { ...params },
        status: 'running',
        values: null,
        seed: deriveSeed(this.config.seed, number, 0x5eed),
        startedAt: this.clock(),
        finishedAt: null,
      };
      this.records[number] = record;
      this.noteKey(record);
      out.push(requestOf(record));
    }
    return out;
  }

  /**
   * Records the result of a running trial; returns the finished record (for the store). Telling a
   * finished trial the result it already has returns it unchanged: a remote worker's duplicate delivery
   * is a no-op. A different result for a finished trial is an error, never a silent overwrite.
   */
  tell(number: number, result: TellResult): TrialRecord {
    const current = this.records[number];
    if (current === undefined) throw new Error(`tell: trial ${number} was never asked`);
    if (current.status !== 'running') {
      if (sameOutcome(current, this.outcome(current, result, current.finishedAt))) return current;
      throw new Error(`tell: trial ${number} is already ${current.status} with a different result`);
    }
    const record = this.outcome(current, result, this.clock());
    this.records[number] = record;
    // A trial told before the requeue re-issued it must not be handed out again.
    const queued = this.requeue.indexOf(number);
    if (queued >= 0) this.requeue.splice(queued, 1);
    this.advancePrefix();
    return record;
  }

  private outcome(current: TrialRecord, result: TellResult, finishedAt: number | null): TrialRecord {
    const number = current.number;
    if (result.status === 'failed') return { ...current, status: 'failed', error: result.error, finishedAt };
    if (result.status === 'pruned') {
      return {
        ...current,
        status: 'pruned',
        finishedAt,
        ...(result.metrics ? { metrics: { ...result.metrics } } : {}),
      };
    }
    const metrics = result.metrics ?? {};
    let values: readonly number[];
    if (result.values !== undefined) {
      if (result.values.length !== this.config.objectives.length) {
        throw new Error(
          `tell: trial ${number} has ${result.values.length} values for ${this.config.objectives.length} objectives`,
        );
      }
      values = [...result.values];
    } else {
      values = objectiveValues(this.config.objectives, metrics);
    }
    return {
      ...current,
      status: 'complete',
      values,
      feasible: this.isFeasible(number, metrics),
      finishedAt,
      ...(result.metrics ? { metrics: { ...metrics } } : {}),
    };
  }

  /** True when no further trial will be handed out and none is running. */
  isDone(): boolean {
    if (this.requeue.length > 0 || this.counts().running > 0) return false;
    if (this.exhausted) return true;
    return this.config.maxTrials !== undefined && this.nextNumber() >= this.config.maxTrials;
  }

  /** Lower-is-better scalar of a complete trial in 'single'/'weighted' mode (Infinity when not complete). */
  scalarLoss(trial: TrialRecord): number {
    if (trial.status !== 'complete' || trial.values === null) return Infinity;
    const scalar = this.scalarize();
    const losses = toLosses(this.config.objectives, trial.values);
    return scalar === null ? losses[0]! : scalar(losses);
  }

  /** Higher-is-better weighted score of a complete trial (for display and plateau analysis). */
  score(trial: TrialRecord): number {
    if (trial.status !== 'complete' || trial.values === null) return -Infinity;
    return scalarScore(this.config.objectives, this.mode, trial.values);
  }

  /** Feasible complete trials, the only ones that may win. */
  feasibleTrials(): TrialRecord[] {
    return this.trials.filter((t) => t.status === 'complete' && t.feasible === true);
  }

  /**
   * The winner: lowest scalar loss among feasible trials (ties to the earlier trial). In 'pareto' mode,
   * the front member best on the first objective (use `paretoFront` for the whole front).
   */
  best(): TrialRecord | undefined {
    let best: TrialRecord | undefined;
    let bestLoss = Infinity;
    const candidates = this.mode === 'pareto' ? this.paretoFront() : this.feasibleTrials();
    for (const t of candidates) {
      const loss =
        this.mode === 'pareto' ? toLosses(this.config.objectives, t.values!)[0]! : this.scalarLoss(t);
      if (best === undefined || loss < bestLoss) {
        best = t;
        bestLoss = loss;
      }
    }
    return best;
  }

  /** Feasible trials not dominated on all objectives, ordered by the first objective (best first). */
  paretoFront(): TrialRecord[] {
    const feasible = this.feasibleTrials();
    if (feasible.length === 0) return [];
    const losses = feasible.map((t) => toLosses(this.config.objectives, t.values!));
    const front = nonDominatedFronts(losses)[0]!.map((i) => ({ t: feasible[i]!, l: losses[i]! }));
    front.sort((a, b) => a.l[0]! - b.l[0]! || a.t.number - b.t.number);
    return front.map((x) => x.t);
  }

  /**
   * Hypervolume of the Pareto front. `reference` is in objective values (each objective's own
   * direction), and must be worse than the front; by default each objective's worst feasible value
   * pushed out by 10% of its range (or of its magnitude when all values are equal).
   */
  hypervolume(reference?: readonly number[]): number {
    const front = this.paretoFront();
    if (front.length === 0) return 0;
    const ref = reference ?? this.defaultReference();
    if (ref.length !== this.config.objectives.length) {
      throw new Error(
        `hypervolume: reference has ${ref.length} values for ${this.config.objectives.length} objectives`,
      );
    }
    return hypervolume(
      front.map((t) => toLosses(this.config.objectives, t.values!)),
      toLosses(this.config.objectives, ref),
    );
  }

  /** The default hypervolume reference point (objective values), see `hypervolume`. */
  defaultReference(): number[] {
    const feasible = this.feasibleTrials();
    return this.config.objectives.map((o, i) => {
      const values = feasible.map((t) => t.values![i]!).filter(Number.isFinite);
      if (values.length === 0) return o.direction === 'maximize' ? -Infinity : Infinity;
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      const margin = 0.1 * (hi > lo ? hi - lo : Math.max(Math.abs(hi), 1e-12));
      return o.direction === 'maximize' ? lo - margin : hi + margin;
    });
  }

  // -------------------------------------------------------------------------------------------------

  private isFeasible(number: number, metrics: Readonly<Record<string, number>>): boolean {
    // A wiped-out account is no candidate, whatever else it scores: a flat trial (no value) beats it.
    if (isWipedOut(metrics)) return false;
    const minTrades = this.config.minTrades ?? 0;
    if (minTrades <= 0) return true;
    const key = this.config.tradeCountMetric ?? 'numTrades';
    const trades = metrics[key];
    if (trades === undefined) {
      throw new Error(
        `tell: trial ${number} has no "${key}" metric, needed for the minimum trade count ${minTrades}`,
      );
    }
    return trades >= minTrades;
  }

  private scalarize(): ((losses: readonly number[]) => number) | null {
    if (this.mode === 'pareto') return null;
    if (this.mode === 'single') return (losses) => losses[0]!;
    const weights = this.config.objectives.map((o) => o.weight ?? 1);
    return (losses) => {
      let s = 0;
      for (let i = 0; i < losses.length; i++) s += weights[i]! * losses[i]!;
      return Number.isNaN(s) ? Infinity : s;
    };
  }

  private generationStart(number: number): number {
    const size = this.sampler.generationSize;
    return Number.isFinite(size) ? Math.floor(number / size) * size : 0;
  }

  private nextNumber(): number {
    // Holes (a trial asked but lost before it was saved) are refilled first, keeping numbers dense.
    for (let i = this.finishedPrefix; i < this.records.length; i++)
      if (this.records[i] === undefined) return i;
    return this.records.length;
  }

  private advancePrefix(): void {
    let i = this.finishedPrefix;
    while (i < this.records.length && this.records[i] !== undefined && this.records[i]!.status !== 'running')
      i++;
    this.finishedPrefix = i;
  }

  private noteKey(t: TrialRecord): void {
    const key = paramsKey(this.config.space, t.params);
    const first = this.firstByKey.get(key);
    if (first === undefined || t.number < first) this.firstByKey.set(key, t.number);
  }

  private memo<T>(cache: Map<string, unknown>, key: string, compute: () => T): T {
    if (cache.has(key)) return cache.get(key) as T;
    const value = compute();
    cache.set(key, value);
    return value;
  }

  /** The per-generation cache, emptied when asks move to another generation (keeps memory flat). */
  private generationCache(generationStart: number): Map<string, unknown> {
    if (this.generationCacheStart !== generationStart) {
      this.generationCacheStart = generationStart;
      this.generationCacheMap = new Map();
    }
    return this.generationCacheMap;
  }

  private history(generationStart: number): HistoryTrial[] {
    // Finished trials never change, so their converted form is kept and the history is a prefix of it.
    for (let i = this.converted.length; i < generationStart; i++) {
      const t = this.records[i]!;
      if (t.status === 'running')
        throw new Error(`internal: trial ${i} is still running below generation ${generationStart}`);
      const complete = t.status === 'complete';
      this.converted.push({
        number: t.number,
        params: t.params,
        status: t.status,
        losses: complete ? toLosses(this.config.objectives, t.values!) : null,
        feasible: complete && t.feasible === true,
      });
    }
    return this.memo(this.generationCache(generationStart), 'history', () =>
      this.converted.slice(0, generationStart),
    );
  }

  private context(number: number, generationStart: number): SampleContext {
    const space = this.config.space;
    return {
      space,
      seed: this.config.seed,
      trialNumber: number,
      rng: createRng(deriveSeed(this.config.seed, number)),
      generationStart,
      history: this.history(generationStart),
      pending: () => {
        const out: Params[] = [];
        for (let i = generationStart; i < number; i++) {
          const t = this.records[i];
          if (t !== undefined) out.push(t.params);
        }
        return out;
      },
      objectiveCount: this.config.objectives.length,
      scalarize: this.scalarize(),
      isDuplicate: (params) => {
        const first = this.firstByKey.get(paramsKey(space, params));
        return first !== undefined && first < number;
      },
      memo: (key, compute) => this.memo(this.generationCache(generationStart), key, compute),
      studyMemo: (key, compute) => this.memo(this.studyCache, key, compute),
    };
  }
}

function requestOf(t: TrialRecord): TrialRequest {
  return { number: t.number, params: t.params, seed: t.seed };
}

// ---------------------------------------------------------------------------------------------------
// JSON encoding: NaN and +-Infinity are legitimate metric values (Sharpe of a flat curve, profit factor
// without losses) that JSON would turn into null.

type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity';
/** Whether two finished records carry the same result (NaN equal to NaN, as a re-run would give it). */
function sameOutcome(a: TrialRecord, b: TrialRecord): boolean {
  if (a.status !== b.status || a.error !== b.error || a.feasible !== b.feasible) return false;
  const sameNumbers = (x: readonly number[], y: readonly number[]): boolean =>
    x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
  if ((a.values === null) !== (b.values === null)) return false;
  if (a.values !== null && b.values !== null && !sameNumbers(a.values, b.values)) return false;
  const ma = a.metrics ?? {};
  const mb = b.metrics ?? {};
  const keys = Object.keys(ma);
  return (
    keys.length === Object.keys(mb).length &&
    keys.every((k) => mb[k] !== undefined && Object.is(ma[k], mb[k]))
  );
}

export interface EncodedTrial extends Omit<TrialRecord, 'values' | 'metrics'> {
  readonly values: readonly EncodedNumber[] | null;
  readonly metrics?: Readonly<Record<string, EncodedNumber>>;
}

function encodeNumber(x: number): EncodedNumber {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

function decodeNumber(x: EncodedNumber): number {
  return typeof x === 'number' ? x : Number(x);
}

export function encodeTrial(t: TrialRecord): EncodedTrial {
  const { metrics, values, ...rest } = t;
  return {
    ...rest,
    values: values === null ? null : values.map(encodeNumber),
    ...(metrics === undefined
      ? {}
      : { metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, encodeNumber(v)])) }),
  };
}

export function decodeTrial(t: EncodedTrial): TrialRecord {
  const { metrics, values, ...rest } = t;
  return {
    ...rest,
    values: values === null ? null : values.map(decodeNumber),
    ...(metrics === undefined
      ? {}
      : { metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, decodeNumber(v)])) }),
  };
}
