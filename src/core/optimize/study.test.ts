import { describe, expect, it } from 'vitest';
import { naturalObjective, parseObjective } from './objectives.ts';
import { runStudy, type StudyProgress } from './runner.ts';
import { parseSpace } from './space.ts';
import { MemoryStudyStore } from './store.ts';
import {
  Study,
  decodeTrial,
  encodeTrial,
  type StudyConfig,
  type TellResult,
  type TrialRecord,
  type TrialRequest,
} from './study.ts';

const space = parseSpace(['fast=5:25:5', 'slow=10:65:5'], ['fast<slow']);
let tick = 0;
const clock = (): number => ++tick;

/** A fake backtest: Sharpe peaks at fast 15 / slow 40; trade count falls with slow. */
function backtest(t: TrialRequest): TellResult {
  const fast = t.params['fast'] as number;
  const slow = t.params['slow'] as number;
  return {
    status: 'complete',
    metrics: {
      sharpeRatio: 2 - ((fast - 15) / 10) ** 2 - ((slow - 40) / 20) ** 2,
      maxDrawdown: -0.05 * (1 + fast / slow),
      totalReturn: fast / 100,
      numTrades: Math.round(200 / slow),
    },
  };
}

function config(overrides: Partial<StudyConfig> = {}): StudyConfig {
  return {
    space,
    sampler: { kind: 'grid' },
    objectives: [naturalObjective('sharpeRatio')],
    seed: 1,
    ...overrides,
  };
}

function runSync(study: Study, evaluate: (t: TrialRequest) => TellResult = backtest): void {
  for (;;) {
    const batch = study.ask(16);
    if (batch.length === 0) break;
    for (const t of batch) study.tell(t.number, evaluate(t));
  }
}

describe('Study', () => {
  it('runs a constraint-filtered grid to exhaustion and picks the best', () => {
    const study = new Study(config(), { clock });
    runSync(study);
    // fast in 5..25 step 5 (5 values), slow 10..65 step 5 (12 values), fast < slow.
    let expected = 0;
    for (let f = 5; f <= 25; f += 5) for (let s = 10; s <= 65; s += 5) if (f < s) expected++;
    expect(study.trials).toHaveLength(expected);
    expect(study.isDone()).toBe(true);
    expect(study.best()!.params).toEqual({ fast: 15, slow: 40 });
    const t = study.trials[0]!;
    expect(t.status).toBe('complete');
    expect(t.finishedAt! > t.startedAt).toBe(true);
    expect(t.metrics!['numTrades']).toBeGreaterThan(0);
  });

  it('makes trials below the minimum trade count infeasible: they cannot win', () => {
    // numTrades = round(200 / slow) >= 6 needs slow <= 35: the unconstrained optimum (slow 40) has 5 trades.
    const study = new Study(config({ minTrades: 6 }), { clock });
    runSync(study);
    const best = study.best()!;
    expect(best.params).toEqual({ fast: 15, slow: 35 });
    expect(study.trials.find((t) => t.params['slow'] === 40 && t.params['fast'] === 15)!.feasible).toBe(
      false,
    );
    expect(() => {
      const s = new Study(config({ minTrades: 1 }));
      const [t] = s.ask(1);
      s.tell(t!.number, { status: 'complete', metrics: { sharpeRatio: 1 } });
    }).toThrow(/no "numTrades" metric, needed for the minimum trade count 1/);
  });

  it('scores a weighted objective and compares drawdown by magnitude', () => {
    const objectives = [parseObjective('sharpeRatio:max:1'), parseObjective('maxDrawdown:min:10')];
    expect(objectives[1]).toEqual({
      metric: 'maxDrawdown',
      direction: 'minimize',
      weight: 10,
      absolute: true,
    });
    const study = new Study(config({ objectives, mode: 'weighted' }), { clock });
    runSync(study);
    const best = study.best()!;
    // score = sharpe - 10 * |dd|; brute force over the trials gives the same winner.
    const score = (t: (typeof study.trials)[number]): number =>
      t.metrics!['sharpeRatio']! - 10 * Math.abs(t.metrics!['maxDrawdown']!);
    const brute = [...study.trials].sort((a, b) => score(b) - score(a) || a.number - b.number)[0]!;
    expect(best.number).toBe(brute.number);
    expect(study.score(best)).toBeCloseTo(score(brute), 12);
  });

  it('keeps a Pareto front with its hypervolume', () => {
    const objectives = [naturalObjective('totalReturn'), naturalObjective('maxDrawdown')];
    const study = new Study(config({ objectives }), { clock });
    expect(study.mode).toBe('pareto');
    runSync(study);
    const front = study.paretoFront();
    expect(front.length).toBeGreaterThan(1);
    // No trial dominates a front member.
    for (const f of front) {
      for (const t of study.trials) {
        const better = t.values![0]! >= f.values![0]! && t.values![1]! <= f.values![1]!;
        const strictly = t.values![0]! > f.values![0]! || t.values![1]! < f.values![1]!;
        expect(better && strictly).toBe(false);
      }
    }
    // Hypervolume against a reference equals the staircase area computed by hand.
    const ref = [0, 0.2];
    const sorted = [...front].sort((a, b) => b.values![0]! - a.values![0]!);
    let area = 0;
    let lastDd = ref[1]!;
    for (const f of sorted) {
      area += (f.values![0]! - ref[0]!) * (lastDd - f.values![1]!);
      lastDd = f.values![1]!;
    }
    expect(study.hypervolume(ref)).toBeCloseTo(area, 12);
    expect(study.hypervolume()).toBeGreaterThan(0);
  });

  it('rejects tells for unknown or finished trials', () => {
    const study = new Study(config());
    const [t] = study.ask(1);
    expect(() => study.tell(99, { status: 'failed', error: 'x' })).toThrow(/trial 99 was never asked/);
    study.tell(t!.number, { status: 'failed', error: 'engine exploded' });
    expect(study.trial(t!.number)).toMatchObject({ status: 'failed', error: 'engine exploded' });
    expect(() => study.tell(t!.number, backtest(t!))).toThrow(/already failed with a different result/);
    const s2 = new Study(config({ objectives: [parseObjective('calmarRatio')] }));
    const [u] = s2.ask(1);
    expect(() => s2.tell(u!.number, backtest(u!))).toThrow(/objective metric "calmarRatio" is missing/);
  });

  it('takes a duplicate delivery of a finished trial as a no-op (same record, same history)', () => {
    const study = new Study(config({ minTrades: 1 }));
    const [t, u] = study.ask(2);
    const told = study.tell(t!.number, backtest(t!));
    study.tell(u!.number, { status: 'failed', error: 'worker lost' });
    const before = study.toJSON();
    // A remote worker may deliver the same result twice (at-least-once queues).
    expect(study.tell(t!.number, backtest(t!))).toBe(told);
    expect(study.tell(u!.number, { status: 'failed', error: 'worker lost' })).toBe(study.trial(u!.number));
    expect(study.toJSON()).toEqual(before);
    expect(study.counts()).toMatchObject({ complete: 1, failed: 1, running: 0 });
    // A different result for a finished trial is refused, never a silent overwrite.
    const other: TellResult = { status: 'complete', metrics: { numTrades: 3, sharpeRatio: 0 } };
    expect(() => study.tell(t!.number, other)).toThrow(/different result/);
  });

  it('waits at a generation boundary until the generation is told', () => {
    const study = new Study(config({ sampler: { kind: 'tpe', batchSize: 4 }, maxTrials: 12 }));
    const first = study.ask(10);
    expect(first.map((t) => t.number)).toEqual([0, 1, 2, 3]);
    expect(study.ask(1)).toEqual([]);
    for (const t of first.slice(0, 3)) study.tell(t.number, backtest(t));
    expect(study.ask(1)).toEqual([]);
    study.tell(3, backtest(first[3]!));
    expect(study.ask(10).map((t) => t.number)).toEqual([4, 5, 6, 7]);
  });

  it('encodes non-finite metrics so they survive JSON', () => {
    const study = new Study(config());
    const [t] = study.ask(1);
    const record = study.tell(t!.number, {
      status: 'complete',
      metrics: { sharpeRatio: NaN, profitFactor: Infinity, numTrades: 3 },
    });
    const back = decodeTrial(
      JSON.parse(JSON.stringify(encodeTrial(record))) as ReturnType<typeof encodeTrial>,
    );
    expect(back).toEqual(record);
    expect(study.best()).toEqual(record);
  });
});

describe('runStudy', () => {
  const tpeConfig = config({
    space: parseSpace(['fast=2:60', 'slow=5:200'], ['fast<slow']),
    sampler: { kind: 'tpe', batchSize: 4 },
    maxTrials: 40,
    seed: 9,
  });

  async function evaluateAsync(trials: readonly TrialRequest[]): Promise<TellResult[]> {
    // Resolve in a scrambled order relative to submission.
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    return trials.map(backtest);
  }

  it('gives the same trials whatever the batch size and concurrency, and reports progress', async () => {
    const a = new Study(tpeConfig);
    await runStudy(a, { evaluate: evaluateAsync });
    const b = new Study(tpeConfig);
    const progress: StudyProgress[] = [];
    await runStudy(b, {
      evaluate: evaluateAsync,
      batchSize: 3,
      concurrency: 4,
      onProgress: (p) => progress.push(p),
    });
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    expect(b.trials.every((t) => t.status === 'complete')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 40, total: 40, running: 0 });
    expect(progress.at(-1)!.best!.number).toBe(a.best()!.number);
  });

  it('reports as done only trials already saved, while other batches are told but still being written', async () => {
    const randomConfig = { ...tpeConfig, sampler: { kind: 'random' } } as const;
    const store = new MemoryStudyStore();
    await store.createStudy({ id: 's1', config: randomConfig, createdAt: 0 });
    // A slow disk: each write waits a few turns, so batches are told faster than they are stored (the
    // CLI is killed on a progress line; it must never find fewer finished trials stored than it said).
    let stored = 0;
    const slow = {
      saveTrials: async (studyId: string, trials: readonly TrialRecord[]): Promise<void> => {
        const finished = trials.some((t) => t.status !== 'running');
        for (let i = 0; finished && i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
        await store.saveTrials(studyId, trials);
        stored += trials.filter((t) => t.status !== 'running').length;
      },
    };
    const checks: [reported: number, stored: number][] = [];
    await runStudy(new Study(randomConfig), {
      evaluate: evaluateAsync,
      persist: { store: slow, studyId: 's1' },
      batchSize: 4,
      concurrency: 4,
      onProgress: (p) => checks.push([p.done, stored]),
    });
    expect(checks.length).toBeGreaterThan(1);
    for (const [reported, stored] of checks) expect(reported).toBeLessThanOrEqual(stored);
    expect(checks.at(-1)).toEqual([40, 40]);
  });

  it('resumes after a kill: nothing finished is lost or run twice, running trials are re-run', async () => {
    const store = new MemoryStudyStore();
    await store.createStudy({ id: 's1', config: tpeConfig, createdAt: 0 });
    const evaluated = new Map<number, number>();
    const counting = async (trials: readonly TrialRequest[]): Promise<TellResult[]> => {
      for (const t of trials) evaluated.set(t.number, (evaluated.get(t.number) ?? 0) + 1);
      return evaluateAsync(trials);
    };
    // First process: evaluations after the 17th never return (the machine is dying); once the 17 have
    // finished it is "killed" and what survives is the store at that moment (copied into a fresh store).
    let started = 0;
    const first = new Study(tpeConfig);
    const hung = new Promise<TellResult[]>(() => {});
    void runStudy(first, {
      evaluate: (trials) => {
        if (started >= 17) return hung;
        started += trials.length;
        return counting(trials);
      },
      persist: { store, studyId: 's1' },
      batchSize: 1,
      concurrency: 3,
    });
    const completeCount = async (): Promise<number> =>
      (await store.loadTrials('s1')).filter((t) => t.status === 'complete').length;
    while ((await completeCount()) < 17) await new Promise((resolve) => setTimeout(resolve, 0));
    const saved = await store.loadTrials('s1');
    expect(saved.filter((t) => t.status === 'complete')).toHaveLength(17);
    expect(saved.filter((t) => t.status === 'running').length).toBeGreaterThan(0);
    const disk = new MemoryStudyStore();
    await disk.createStudy((await store.loadStudy('s1'))!);
    await disk.saveTrials('s1', saved);

    // Second process: restore from the surviving store and finish.
    const loaded = await disk.loadStudy('s1');
    const second = Study.restore(loaded!.config, await disk.loadTrials('s1'));
    await runStudy(second, { evaluate: counting, persist: { store: disk, studyId: 's1' }, concurrency: 2 });

    const reference = new Study(tpeConfig);
    await runStudy(reference, { evaluate: evaluateAsync });
    const final = (await disk.loadTrials('s1')).sort((x, y) => x.number - y.number);
    expect(final.map((t) => t.params)).toEqual(reference.trials.map((t) => t.params));
    expect(final.every((t) => t.status === 'complete')).toBe(true);
    // Every trial was evaluated to completion exactly once: the hung ones never reached the evaluator's
    // counter in the first process and were re-run by the second, the 17 finished ones were not.
    expect([...evaluated.keys()].sort((x, y) => x - y)).toEqual(final.map((t) => t.number));
    expect([...evaluated.values()].every((n) => n === 1)).toBe(true);
    for (const t of saved) if (t.status === 'complete') expect(final[t.number]).toEqual(t);
  });
});

describe('a trial whose account was wiped out', () => {
  /** `backtest`, with every metric given, and the peak (fast 15 / slow 40) wiped out: equity 0, a -100 %
   * return and drawdown, and yet the best Sharpe of all, as a mean of returns can read (NVDA's 112/221). */
  function withWipeOut(t: TrialRequest): TellResult {
    const result = backtest(t);
    if (result.status !== 'complete') return result;
    const metrics = result.metrics!;
    const wiped = t.params['fast'] === 15 && t.params['slow'] === 40;
    return {
      status: 'complete',
      metrics: wiped
        ? { ...metrics, sharpeRatio: 5, totalReturn: -1, maxDrawdown: -1, finalEquity: 0 }
        : { ...metrics, finalEquity: 10_000 * (1 + metrics['totalReturn']!) },
    };
  }
  const isWiped = (t: TrialRecord): boolean => t.metrics?.['finalEquity'] === 0;

  it.each(['sharpeRatio', 'totalReturn', 'maxDrawdown'])('ranks last on %s and never wins', (metric) => {
    const study = new Study(config({ objectives: [naturalObjective(metric)] }), { clock });
    runSync(study, withWipeOut);
    const wiped = study.trials.find(isWiped)!;
    expect(wiped.status).toBe('complete');
    expect(study.best()!.number).not.toBe(wiped.number);
    const worst = Math.max(...study.trials.map((t) => study.scalarLoss(t)));
    expect(study.scalarLoss(wiped)).toBe(worst);
    expect(study.scalarLoss(wiped)).toBe(Infinity);
    expect(wiped.feasible).toBe(false);
  });

  it('loses to a flat trial (no value) even when it comes first', () => {
    const study = new Study(config({ objectives: [naturalObjective('sharpeRatio')] }), { clock });
    runSync(study, (t) => {
      const first = t.params['fast'] === 5 && t.params['slow'] === 10;
      return {
        status: 'complete',
        metrics: first
          ? { sharpeRatio: 5, numTrades: 1, finalEquity: 0 }
          : { sharpeRatio: NaN, numTrades: 0, finalEquity: 10_000 },
      };
    });
    expect(study.trials[0]!.params).toEqual({ fast: 5, slow: 10 });
    expect(study.best()!.number).not.toBe(study.trials[0]!.number);
  });

  it('is off the Pareto front of Sharpe, return and drawdown', () => {
    const objectives = ['sharpeRatio', 'totalReturn', 'maxDrawdown'].map((m) => naturalObjective(m));
    const study = new Study(config({ objectives }), { clock });
    runSync(study, withWipeOut);
    expect(study.paretoFront().length).toBeGreaterThan(0);
    expect(study.paretoFront().some(isWiped)).toBe(false);
  });
});
