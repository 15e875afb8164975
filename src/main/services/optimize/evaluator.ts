/**
 * Evaluating parameter sets on the compute pool: one `trials` task per chunk and timeframe, the bars
 * shared once per worker (datasets are prepared by id), per-timeframe metrics combined for
 * multi-timeframe studies with the per-timeframe values kept as `metric@timeframe`.
 */
import type { BacktestOptions } from '../../../core/engine/index.ts';
import {
  aggregateTimeframes,
  flattenTimeframeMetrics,
  type MetricSet,
  type Objective,
  type Params,
  type TellResult,
  type TimeframeAggregation,
} from '../../../core/optimize/index.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { TrialOutcome } from '../../compute/tasks.ts';
import { strategyParams, type StudyDatasets } from './studySetup.ts';

export interface EvaluatorSettings {
  readonly strategy: string;
  readonly options: BacktestOptions;
  readonly objectives: readonly Objective[];
  readonly aggregation: TimeframeAggregation;
  readonly weights?: Readonly<Record<string, number>>;
}

function metricsRecord(outcome: TrialOutcome & { ok: true }): MetricSet {
  return { ...outcome.metrics };
}

/** Splits `items` into at most `parts` contiguous chunks of near-equal size. */
export function chunks<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(items.length / Math.max(1, parts));
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class PoolEvaluator {
  constructor(
    private readonly pool: ComputePool,
    private readonly data: StudyDatasets,
    private readonly settings: EvaluatorSettings,
  ) {}

  /** One result per parameter set, in order; a set that fails on any timeframe fails with its message. */
  async evaluate(paramSets: readonly Params[], signal?: AbortSignal): Promise<TellResult[]> {
    const sets: (Record<string, number> | null)[] = [];
    const errors: (string | null)[] = [];
    for (const params of paramSets) {
      try {
        sets.push(strategyParams(params));
        errors.push(null);
      } catch (error) {
        sets.push(null);
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
    const runnable = sets.filter((s): s is Record<string, number> => s !== null);
    const perTimeframe = await Promise.all(
      this.data.datasets.map(async ({ timeframe, ref }) => {
        const output = await this.pool.run(
          {
            kind: 'trials',
            dataset: ref,
            strategy: this.settings.strategy,
            paramSets: runnable,
            options: this.settings.options,
          },
          signal,
        );
        return { timeframe, outcomes: output.outcomes };
      }),
    );
    const results: TellResult[] = [];
    let k = 0;
    for (let i = 0; i < paramSets.length; i++) {
      const error = errors[i];
      if (error !== null && error !== undefined) {
        results.push({ status: 'failed', error });
        continue;
      }
      const index = k++;
      const failures = perTimeframe
        .map(({ timeframe, outcomes }) => {
          const outcome = outcomes[index]!;
          return outcome.ok
            ? null
            : `${this.data.datasets.length > 1 ? `${timeframe}: ` : ''}${outcome.error}`;
        })
        .filter((m): m is string => m !== null);
      if (failures.length > 0) {
        results.push({ status: 'failed', error: failures.join('; ') });
        continue;
      }
      if (perTimeframe.length === 1) {
        results.push({
          status: 'complete',
          metrics: metricsRecord(perTimeframe[0]!.outcomes[index] as TrialOutcome & { ok: true }),
        });
        continue;
      }
      const byTimeframe: Record<string, MetricSet> = {};
      for (const { timeframe, outcomes } of perTimeframe)
        byTimeframe[timeframe] = metricsRecord(outcomes[index] as TrialOutcome & { ok: true });
      const score = aggregateTimeframes(byTimeframe, {
        aggregation: this.settings.aggregation,
        objectives: this.settings.objectives,
        ...(this.settings.weights === undefined ? {} : { weights: this.settings.weights }),
      });
      results.push({ status: 'complete', metrics: flattenTimeframeMetrics(score) });
    }
    return results;
  }

  /** Evaluates many sets spread over the pool's workers. */
  async evaluateMany(paramSets: readonly Params[], signal?: AbortSignal): Promise<TellResult[]> {
    const parts = await Promise.all(
      chunks(paramSets, this.pool.threads).map((c) => this.evaluate(c, signal)),
    );
    return parts.flat();
  }

  /**
   * Per-period (daily for intraday bars) returns of each set on the first timeframe, for PBO; null for
   * a set that fails.
   */
  async periodReturns(paramSets: readonly Params[], signal?: AbortSignal): Promise<(Float64Array | null)[]> {
    const { ref } = this.data.datasets[0]!;
    const parts = await Promise.all(
      chunks(paramSets, this.pool.threads).map(async (part) => {
        const output = await this.pool.run(
          {
            kind: 'trials',
            dataset: ref,
            strategy: this.settings.strategy,
            paramSets: part.map((p) => strategyParams(p)),
            options: this.settings.options,
            periodReturns: true,
          },
          signal,
        );
        return output.outcomes.map((o) => (o.ok && o.returns !== undefined ? o.returns : null));
      }),
    );
    return parts.flat();
  }
}
