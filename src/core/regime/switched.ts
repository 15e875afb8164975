/**
 * The regime-switched strategy (issue 11 item 8): one parameter set per regime, applied through the
 * engine's re-parameterisation at a bar boundary (open positions keep the exits they were opened with),
 * with a minimum dwell, and the global set wherever a regime has no set of its own (warm-up, fallback).
 *
 * Point in time: the set that decides at bar i's close is chosen from labels up to bar i - 1 (a label
 * known at bar i - 1's close takes effect from bar i), so nothing about bar i picks the set that trades it.
 * The same schedule scores trials per regime (perRegime.ts), so training measures exactly what is traded.
 */
import {
  BacktestWorkspace,
  runPrepared,
  type BacktestRun,
  type ParamChange,
  type PreparedDataset,
} from '../engine/backtest.ts';
import type { BacktestOptions } from '../engine/options.ts';
import type { StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import { LABEL_COUNT, NO_LABEL } from './labels.ts';

/**
 * The regime in force at each bar: the detector's label of the previous bar, switched only after the
 * current one has been in force `minDwell` bars. NO_LABEL while the detector warms up.
 */
export function regimeSchedule(labels: Int8Array, minDwell: number): Int8Array {
  if (!Number.isInteger(minDwell) || minDwell < 1)
    throw new RangeError(`regime schedule: minDwell must be an integer >= 1, got ${minDwell}`);
  const n = labels.length;
  const schedule = new Int8Array(n).fill(NO_LABEL);
  let current = NO_LABEL;
  let held = 0;
  for (let i = 1; i < n; i++) {
    const seen = labels[i - 1];
    held++;
    if (seen !== current && seen !== NO_LABEL && (current === NO_LABEL || held >= minDwell)) {
      current = seen;
      held = 0;
    }
    schedule[i] = current;
  }
  return schedule;
}

/** One parameter set per label code (null: that regime trades the global set). */
export type RegimeSets = readonly (StrategyParams | null)[];

function setFor(sets: RegimeSets, global: StrategyParams, regime: number): StrategyParams {
  return regime === NO_LABEL ? global : (sets[regime] ?? global);
}

/** The parameter changes that make a run follow `schedule`: one at each bar where the set in force changes. */
export function regimeSwitchChanges(
  schedule: Int8Array,
  sets: RegimeSets,
  global: StrategyParams,
): ParamChange[] {
  if (sets.length !== LABEL_COUNT)
    throw new RangeError(`regime sets: expected ${LABEL_COUNT} (one per label), got ${sets.length}`);
  const changes: ParamChange[] = [];
  let inForce = global;
  for (let i = 1; i < schedule.length; i++) {
    const next = setFor(sets, global, schedule[i]);
    if (next !== inForce) {
      changes.push({ fromBar: i, params: next });
      inForce = next;
    }
  }
  return changes;
}

/**
 * Backtests the regime-switched strategy: it starts on the set of the first bar's regime, then follows the
 * schedule. The result aliases the workspace's buffers, as runPrepared's does.
 */
export function runRegimeSwitched(
  dataset: PreparedDataset,
  definition: StrategyDefinition,
  sets: RegimeSets,
  global: StrategyParams,
  schedule: Int8Array,
  options: BacktestOptions = {},
  workspace: BacktestWorkspace = new BacktestWorkspace(),
): BacktestRun {
  if (schedule.length !== dataset.bars.t.length) {
    throw new RangeError(
      `regime schedule has ${schedule.length} bars but the data has ${dataset.bars.t.length}`,
    );
  }
  const changes = regimeSwitchChanges(schedule, sets, global);
  const first = schedule.length > 0 ? setFor(sets, global, schedule[0]) : global;
  return runPrepared(dataset, definition, first, options, workspace, changes);
}
