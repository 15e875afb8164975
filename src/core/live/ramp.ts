/**
 * The gradual transition to a new parameter set: its risk budget (the share of a full entry size it may
 * commit) climbs a schedule of steps, a fixed number of bars each, while guardrails watch the account
 * from the ramp's start. A breach ends the ramp as rolled back, and the bot returns to the previous set
 * at the next bar boundary. Plain data in, plain data out: the state persists as JSON, so a bot restarted
 * mid-ramp resumes at the step it had reached.
 */
import { validateParams } from '../strategy-api/params.ts';
import type { StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';

export interface Guardrails {
  /** Largest fall from the equity peak since the ramp started, as a fraction (0, 1). */
  readonly maxDrawdown: number;
  /** Largest fall below the equity at the ramp's start, as a fraction (0, 1). */
  readonly maxLoss: number;
  /** Largest slippage of one fill against its reference price, in basis points (> 0). */
  readonly maxSlippageBps: number;
}

export interface RampPlan {
  /** Risk budget per step, increasing, each in (0, 1], the last 1 (e.g. 0.1, 0.25, 0.5, 1). */
  readonly steps: readonly number[];
  /** Bars spent at each step before the next (the last step has no end). */
  readonly barsPerStep: number;
  readonly guardrails: Guardrails;
}

export type RampPhase = 'ramping' | 'complete' | 'rolled-back';

export interface RampState {
  readonly phase: RampPhase;
  /** Index into the plan's steps. */
  readonly step: number;
  readonly barsInStep: number;
  readonly startEquity: number;
  readonly peakEquity: number;
  /** Why the ramp was rolled back (which guardrail, by how much). */
  readonly reason?: string;
}

/** What is wrong with a plan, one message per problem (empty when it can run). */
export function rampProblems(plan: RampPlan): string[] {
  const problems: string[] = [];
  const { steps, barsPerStep, guardrails } = plan;
  if (steps.length === 0) problems.push('steps must not be empty');
  steps.forEach((step, k) => {
    if (!(step > 0 && step <= 1)) problems.push(`steps[${k}] must be in (0, 1], got ${step}`);
    if (k > 0 && !(step > steps[k - 1]))
      problems.push(`steps[${k}] (${step}) must exceed steps[${k - 1}] (${steps[k - 1]})`);
  });
  if (steps.length > 0 && steps[steps.length - 1] !== 1)
    problems.push(`the last step must be 1, got ${steps[steps.length - 1]}`);
  if (!(Number.isInteger(barsPerStep) && barsPerStep >= 1))
    problems.push(`barsPerStep must be a positive integer, got ${barsPerStep}`);
  for (const name of ['maxDrawdown', 'maxLoss'] as const) {
    const value = guardrails[name];
    if (!(value > 0 && value < 1)) problems.push(`guardrails.${name} must be in (0, 1), got ${value}`);
  }
  if (!(guardrails.maxSlippageBps > 0))
    problems.push(`guardrails.maxSlippageBps must be > 0, got ${guardrails.maxSlippageBps}`);
  return problems;
}

export function startRamp(plan: RampPlan, equity: number): RampState {
  return {
    phase: plan.steps.length > 1 ? 'ramping' : 'complete',
    step: 0,
    barsInStep: 0,
    startEquity: equity,
    peakEquity: equity,
  };
}

/** The share of a full entry the new set may commit now: 1 once the ramp is complete. */
export function rampBudget(plan: RampPlan, state: RampState): number {
  return state.phase === 'complete' ? 1 : plan.steps[Math.min(state.step, plan.steps.length - 1)];
}

/**
 * The parameters a ramp trades at `weight` (its budget): each interpolable parameter (ParamSpec) moved
 * that share of the way from the old set's value to the new one's (ints rounded), every other one the
 * new set's at once. Where a step would break a constraint between parameters, the new set as it is.
 */
export function rampParameters(
  definition: StrategyDefinition,
  from: StrategyParams,
  to: StrategyParams,
  weight: number,
): StrategyParams {
  if (weight >= 1) return to;
  const stepped: Record<string, number> = { ...to };
  for (const spec of definition.params) {
    const [a, b] = [from[spec.name], to[spec.name]];
    if (spec.interpolable !== true || a === undefined || b === undefined) continue;
    const value = a + (b - a) * weight;
    stepped[spec.name] = spec.type === 'int' ? Math.round(value) : value;
  }
  try {
    return validateParams(definition, stepped);
  } catch {
    return to;
  }
}

/** What the account did over one bar, for the guardrails. */
export interface RampObservation {
  /** Equity at the bar's close. */
  readonly equity: number;
  /** Worst slippage of the bar's fills, basis points (0 without fills). */
  readonly slippageBps: number;
}

/**
 * The state after one more bar: a guardrail breach rolls the ramp back (its reason names the guardrail,
 * the figure and the limit), otherwise the bar counts toward the current step.
 */
export function advanceRamp(plan: RampPlan, state: RampState, bar: RampObservation): RampState {
  if (state.phase !== 'ramping') return state;
  const { maxDrawdown, maxLoss, maxSlippageBps } = plan.guardrails;
  const peakEquity = Math.max(state.peakEquity, bar.equity);
  const drawdown = peakEquity > 0 ? 1 - bar.equity / peakEquity : 0;
  const loss = state.startEquity > 0 ? 1 - bar.equity / state.startEquity : 0;
  const breach =
    loss > maxLoss
      ? `loss ${percent(loss)} since the ramp started exceeds maxLoss ${percent(maxLoss)}`
      : drawdown > maxDrawdown
        ? `drawdown ${percent(drawdown)} exceeds maxDrawdown ${percent(maxDrawdown)}`
        : bar.slippageBps > maxSlippageBps
          ? `slippage ${bar.slippageBps.toFixed(1)} bps exceeds maxSlippageBps ${maxSlippageBps}`
          : undefined;
  if (breach !== undefined) return { ...state, peakEquity, phase: 'rolled-back', reason: breach };
  const barsInStep = state.barsInStep + 1;
  if (barsInStep < plan.barsPerStep) return { ...state, peakEquity, barsInStep };
  const step = state.step + 1;
  const phase = step >= plan.steps.length - 1 ? 'complete' : 'ramping';
  return { ...state, peakEquity, step, barsInStep: 0, phase };
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}
