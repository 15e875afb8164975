/**
 * The conformance suite every sampler runs (one describe block per sampler): bounds and steps, constraints,
 * seeded reproducibility whatever the batch size and tell order, a JSON round trip of the study in the
 * middle (another process) continuing identically, and no duplicates within a batch.
 */
import { describe, expect, it } from 'vitest';
import { createSampler } from './index.ts';
import type { SamplerConfig } from '../sampler.ts';
import { Study, type StudyConfig, type TellResult, type TrialRequest } from '../study.ts';
import {
  categoricalParam,
  createSpace,
  floatParam,
  intParam,
  paramsKey,
  type Params,
  type SearchSpace,
} from '../space.ts';
import type { Objective, ObjectiveMode } from '../objectives.ts';

const space: SearchSpace = createSpace(
  [
    intParam('fast', 2, 40, { step: 2 }),
    intParam('slow', 10, 60, { step: 5 }),
    floatParam('lr', 1e-4, 1, { log: true }),
    floatParam('threshold', 0.5, 2.5, { step: 0.1 }),
    intParam('window', 1, 500, { log: true }),
    categoricalParam('kind', ['ema', 'sma', 'wma']),
  ],
  ['fast<slow'],
);

const num = (p: Params, k: string): number => p[k] as number;

/** A deterministic objective with structure (so model-based samplers do something non-trivial). */
function metricsOf(p: Params): Record<string, number> {
  const loss =
    (num(p, 'fast') - 12) ** 2 / 100 +
    (num(p, 'slow') - 30) ** 2 / 400 +
    Math.log10(num(p, 'lr') / 0.01) ** 2 +
    (num(p, 'threshold') - 1.3) ** 2 +
    (p['kind'] === 'sma' ? 0 : 0.5);
  return {
    loss,
    drawdown: Math.abs(num(p, 'threshold') - 2) + num(p, 'window') / 500,
    numTrades: num(p, 'fast'),
  };
}

const SINGLE: readonly Objective[] = [{ metric: 'loss', direction: 'minimize' }];
const PARETO: readonly Objective[] = [
  { metric: 'loss', direction: 'minimize' },
  { metric: 'drawdown', direction: 'minimize' },
];

const SAMPLERS: readonly { config: SamplerConfig; reseeds: boolean }[] = [
  { config: { kind: 'grid', floatPoints: 4 }, reseeds: false },
  { config: { kind: 'random' }, reseeds: true },
  { config: { kind: 'tpe', batchSize: 6, startupTrials: 8 }, reseeds: true },
  { config: { kind: 'ga', populationSize: 10, eliteCount: 2 }, reseeds: true },
  { config: { kind: 'nsga2', populationSize: 10 }, reseeds: true },
];

function configFor(
  sampler: SamplerConfig,
  seed: number,
  maxTrials: number,
  mode: ObjectiveMode,
): StudyConfig {
  return {
    space,
    sampler,
    objectives: mode === 'pareto' ? PARETO : SINGLE,
    mode,
    seed,
    maxTrials,
    minTrades: 6,
  };
}

/** Told results; every 13th trial fails so failure handling is exercised too. */
function resultFor(trial: TrialRequest): TellResult {
  if (trial.number % 13 === 12) return { status: 'failed', error: 'simulated engine error' };
  return { status: 'complete', metrics: metricsOf(trial.params) };
}

/** Runs to completion asking `batch` at a time, telling each batch in reverse order. */
function runAll(study: Study, batch: number): string[] {
  const order: string[] = [];
  for (;;) {
    const asked = study.ask(batch);
    if (asked.length === 0) break;
    for (const t of asked) order.push(`${t.number}:${paramsKey(space, t.params)}`);
    for (const t of [...asked].reverse()) study.tell(t.number, resultFor(t));
  }
  return order;
}

function checkMember(p: Params): void {
  const fast = num(p, 'fast');
  expect(Number.isInteger(fast) && fast >= 2 && fast <= 40 && fast % 2 === 0).toBe(true);
  const slow = num(p, 'slow');
  expect(Number.isInteger(slow) && slow >= 10 && slow <= 60 && slow % 5 === 0).toBe(true);
  expect(fast).toBeLessThan(slow);
  const lr = num(p, 'lr');
  expect(lr >= 1e-4 && lr <= 1).toBe(true);
  const threshold = num(p, 'threshold');
  expect(threshold >= 0.5 && threshold <= 2.5).toBe(true);
  expect(Math.abs(threshold * 10 - Math.round(threshold * 10))).toBeLessThan(1e-9);
  const window = num(p, 'window');
  expect(Number.isInteger(window) && window >= 1 && window <= 500).toBe(true);
  expect(['ema', 'sma', 'wma']).toContain(p['kind']);
  expect(Object.keys(p).sort()).toEqual(['fast', 'kind', 'lr', 'slow', 'threshold', 'window']);
}

for (const { config, reseeds } of SAMPLERS) {
  describe(`sampler contract: ${config.kind}`, () => {
    for (const mode of ['single', 'pareto'] as const) {
      it(`respects bounds, steps and constraints (${mode})`, () => {
        const study = new Study(configFor(config, 7, 80, mode));
        runAll(study, 5);
        expect(study.trials.length).toBe(80);
        for (const t of study.trials) checkMember(t.params);
      });

      it(`reproduces the same trials from the same seed, whatever the batch size and tell order (${mode})`, () => {
        const a = runAll(new Study(configFor(config, 11, 60, mode)), 1);
        const b = runAll(new Study(configFor(config, 11, 60, mode)), 7);
        const c = runAll(new Study(configFor(config, 11, 60, mode)), 100);
        expect(b).toEqual(a);
        expect(c).toEqual(a);
        const other = runAll(new Study(configFor(config, 12, 60, mode)), 7);
        if (reseeds) expect(other).not.toEqual(a);
        else expect(other).toEqual(a);
      });
    }

    it('continues identically after a JSON round trip of the study (another process), re-asking running trials', () => {
      const reference = runAll(new Study(configFor(config, 5, 70, 'single')), 4);

      const first = new Study(configFor(config, 5, 70, 'single'));
      const order: string[] = [];
      while (first.trials.length < 33) {
        for (const t of first.ask(4)) {
          order.push(`${t.number}:${paramsKey(space, t.params)}`);
          first.tell(t.number, resultFor(t));
        }
      }
      // Two trials handed out but never told: the process dies here.
      const inFlight = first.ask(2);
      for (const t of inFlight) order.push(`${t.number}:${paramsKey(space, t.params)}`);
      const wire = JSON.stringify(first.toJSON());

      const second = Study.fromJSON(JSON.parse(wire) as ReturnType<Study['toJSON']>);
      expect(second.sampler.config).toEqual(createSampler(config).config);
      const again = second.ask(2);
      expect(again.map((t) => t.number)).toEqual(inFlight.map((t) => t.number));
      expect(again.map((t) => t.params)).toEqual(inFlight.map((t) => t.params));
      for (const t of again) second.tell(t.number, resultFor(t));
      order.push(...runAll(second, 3));
      expect(order).toEqual(reference);
      expect(second.trials.filter((t) => t.status === 'running')).toEqual([]);
    });

    it('does not duplicate parameter sets within a batch when the space is large enough', () => {
      const study = new Study(configFor(config, 3, 200, 'single'));
      const seen = new Set<string>();
      for (;;) {
        const batch = study.ask(50);
        if (batch.length === 0) break;
        const keys = batch.map((t) => paramsKey(space, t.params));
        expect(new Set(keys).size).toBe(keys.length);
        for (const k of keys) seen.add(k);
        for (const t of batch) study.tell(t.number, resultFor(t));
      }
      // Across the whole study too: every sampler checks for repeats before proposing.
      expect(seen.size).toBe(200);
    });
  });
}
