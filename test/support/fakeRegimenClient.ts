/**
 * A RegimenClient for renderer store tests: requests are answered by handlers the test installs (or fail
 * naming the channel), every call is recorded, and the test emits events as the services would.
 */
import { NO_COSTS } from '../../src/core/engine/assetCosts.ts';
import type { RegimenClient } from '../../src/shared/client.ts';
import type {
  BacktestResult,
  EventChannel,
  EventPayload,
  RequestChannel,
  RequestInput,
  RequestOutput,
  StrategyInfo,
  StudyDetail,
  TrialRow,
} from '../../src/shared/contract.ts';

type Handler<K extends RequestChannel> = (
  input: RequestInput<K>,
) => RequestOutput<K> | Promise<RequestOutput<K>>;

export class FakeRegimenClient implements RegimenClient {
  readonly calls: Array<{ channel: RequestChannel; input: unknown }> = [];
  private readonly handlers = new Map<RequestChannel, (input: unknown) => unknown>();
  private readonly listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();

  handle<K extends RequestChannel>(channel: K, handler: Handler<K>): this {
    this.handlers.set(channel, handler as (input: unknown) => unknown);
    return this;
  }

  async invoke<K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>> {
    this.calls.push({ channel, input });
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`the fake client has no handler for ${channel}`);
    return (await handler(input)) as RequestOutput<K>;
  }

  on<K extends EventChannel>(channel: K, listener: (payload: EventPayload<K>) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    this.listeners.set(channel, set);
    const entry = listener as (payload: unknown) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  emit<K extends EventChannel>(channel: K, payload: EventPayload<K>): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(payload);
  }

  listenerCount(channel: EventChannel): number {
    return this.listeners.get(channel)?.size ?? 0;
  }

  callsTo<K extends RequestChannel>(channel: K): Array<RequestInput<K>> {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.input as RequestInput<K>);
  }
}

/** A promise the test resolves or rejects when it chooses, to order answers against events. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const SMA_CROSS: StrategyInfo = {
  name: 'sma-cross',
  version: '1',
  description: 'Moving-average crossover',
  params: [
    {
      name: 'fast',
      type: 'int',
      min: 2,
      max: 100,
      limits: { min: 1, max: 10000 },
      step: 1,
      default: 10,
      description: 'fast window',
    },
    {
      name: 'slow',
      type: 'int',
      min: 5,
      max: 400,
      limits: { min: 2, max: 10000 },
      step: 1,
      default: 30,
      description: 'slow window',
    },
  ],
  constraints: [{ kind: 'less-than', left: 'fast', right: 'slow' }],
};

export function trialRow(number: number, patch: Partial<TrialRow> = {}): TrialRow {
  return {
    number,
    params: { fast: 5 + number, slow: 50 },
    status: 'complete',
    values: [number / 10],
    metrics: { sharpeRatio: number / 10, numTrades: 10 },
    feasible: true,
    wipedOut: false,
    wipedOutOn: [],
    error: null,
    seed: number,
    startedAt: 1_000 + number,
    finishedAt: 2_000 + number,
    ...patch,
  };
}

export function studyDetail(id: string, patch: Partial<StudyDetail> = {}): StudyDetail {
  const summary: StudyDetail['summary'] = {
    id,
    name: `study ${id}`,
    note: '',
    strategy: 'sma-cross',
    symbol: 'DEMO',
    timeframes: ['1h'],
    sampler: 'random',
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    mode: 'single',
    seed: 1,
    state: 'complete',
    trialsDone: 0,
    trialsTotal: 10,
    bestValue: null,
    createdAt: 1,
    updatedAt: 2,
    ...patch.summary,
  };
  return {
    config: {
      space: [
        { kind: 'int', name: 'fast', low: 5, high: 50, step: 5, log: false },
        { kind: 'int', name: 'slow', low: 20, high: 200, step: 10, log: false },
      ],
      constraints: ['fast < slow'],
      slices: [],
      sampler: { kind: 'random', options: {} },
      minTrades: 3,
      cash: 25_000,
      commission: 0.001,
      start: null,
      end: null,
      aggregation: 'worst',
      preferPlateau: false,
    },
    trials: [],
    trialsPage: { offset: 0, limit: 1_000, total: patch.trials?.length ?? 0 },
    best: null,
    paretoFront: [],
    hypervolume: null,
    overfitting: null,
    approved: null,
    perRegime: null,
    holdout: null,
    warmUp: null,
    ...patch,
    summary,
  };
}

export function backtestResult(patch: Partial<BacktestResult> = {}): BacktestResult {
  return {
    symbol: 'DEMO',
    timeframe: '1h',
    strategy: 'sma-cross',
    params: { fast: 15, slow: 60 },
    bars: 100,
    metrics: { totalReturn: 0.12 },
    equity: { t: [1, 2], value: [25_000, 28_000], drawdown: [0, 0] },
    trades: [],
    indicators: { t: [], plots: [] },
    range: null,
    wipedOutAt: null,
    financingPaid: 0,
    costs: NO_COSTS,
    costStress: [],
    tearSheet: {
      benchmark: null,
      time: [],
      returns: [],
      cumulative: [],
      benchmarkCumulative: null,
      drawdown: [],
      monthly: [],
      yearly: [],
      rollingWindow: 126,
      rollingSharpe: [],
      rollingVolatility: [],
      drawdowns: [],
      distribution: { edges: [], counts: [], mean: null, std: null, skew: null, kurtosis: null },
    },
    elapsedMs: 3,
    ...patch,
  };
}
