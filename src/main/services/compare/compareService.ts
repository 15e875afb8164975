import { randomUUID } from 'node:crypto';
import type { BacktestResult } from '../../../shared/backtestContract.ts';
import type {
  ComparedPin,
  ComparedResult,
  ComparePin,
  ComparePinRequest,
  PinSource,
  PinSourceRequest,
} from '../../../shared/compareContract.ts';
import { MAX_PINS } from '../../../shared/compareChoices.ts';
import { ConflictError, InputError, NotFoundError, RequestError } from '../../../shared/errors.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import type { BarsReader } from '../../marketdata/barsSource.ts';
import type { ComparePinsRepository } from '../../store/comparePinsRepository.ts';
import { thinEquityCurve } from '../equityCurve.ts';
import { finiteOrNull } from '../payloads.ts';
import type { StudyRecords } from '../optimize/studyRecords.ts';
import type { WalkForwardReplay } from '../optimize/walkForwardService.ts';
import type { StoredWalkForwardWindow } from '../../store/walkForwardRepository.ts';
import { studyReplay } from '../optimize/studyReplay.ts';
import { trialDeflatedSharpe } from './trialDeflatedSharpe.ts';
import { mapBounded } from '../mapBounded.ts';
import { withoutJobId } from '../jobs.ts';

/** Pins derived at once when the set is read (see list). */
const DERIVE_AT_ONCE = 3;

const paramsText = (params: Readonly<Record<string, number>>): string =>
  Object.entries(params)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');

/**
 * The compare set. A pin stores what it stands for (a backtest's request, a study's trial number) and
 * nothing derived: reading the set re-runs each pin, so its curve and metrics are what its source gives
 * today, a deleted study's trial says so instead of showing figures nothing backs, and the set survives
 * a restart at the size of a few requests.
 */
export class CompareService {
  constructor(
    private readonly deps: {
      readonly pins: ComparePinsRepository;
      readonly studies: StudyRecords;
      readonly bars: BarsReader;
      /** Where a trial runs again (the pool: a long study's bars would hold up every other request). */
      readonly executor: TaskExecutor;
      /** A backtest as the Backtest view runs it (the same service, so the figures are the same). */
      readonly backtest: (
        request: Extract<PinSource, { kind: 'backtest' }>['request'],
      ) => Promise<BacktestResult>;
      /** Walk-forward runs: a run's stored windows, and its out-of-sample side replayed from them. */
      readonly walkForward: {
        windows(runId: string): Promise<StoredWalkForwardWindow[]>;
        replay(
          request: WalkForwardPin['request'],
          stored: readonly StoredWalkForwardWindow[],
        ): Promise<WalkForwardReplay>;
      };
      /**
       * The Settings' risk-free rate (annual percent), kept in a pin whose request names none: the figures
       * it shows later are the ones its run showed, whatever the setting becomes.
       */
      readonly riskFreePercent?: () => number;
    },
  ) {}

  /**
   * Pins a source (once: pinning it again answers the pin it has); refused past MAX_PINS, for a trial
   * that does not exist, or for a backtest that does not run.
   */
  async pin(request: ComparePinRequest): Promise<ComparePin> {
    const source = await this.pinnedSource(request.source);
    const existing = await this.deps.pins.find(source);
    if (existing !== null) return existing;
    if ((await this.deps.pins.list()).length >= MAX_PINS)
      throw new ConflictError(`the compare set holds at most ${MAX_PINS} pins: unpin one first`, 'source');
    if (source.kind === 'backtest') await this.refuseFailingBacktest(source.request);
    const pin: ComparePin = {
      id: `p${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`,
      label: request.label ?? (await this.defaultLabel(source)),
      source,
      pinnedAt: Date.now(),
    };
    await this.deps.pins.add(pin);
    return pin;
  }

  /**
   * Runs a backtest pin's request once: the app pins a backtest it has just run, but a request from the
   * CLI or the HTTP API may name a symbol with no bars or leave out a parameter, and stored as it was it
   * would only say so every time the set is read.
   */
  private async refuseFailingBacktest(request: BacktestPin['request']): Promise<void> {
    try {
      await this.deps.backtest(request);
    } catch (error) {
      // Kept as refused (a symbol not found stays not found), named where the pin request holds it.
      if (error instanceof RequestError) {
        error.field = error.field === undefined ? 'source.request' : `source.request.${error.field}`;
        throw error;
      }
      throw new InputError(error instanceof Error ? error.message : String(error), 'source.request');
    }
  }

  /** Every pin with its curve and metrics derived now (or why that failed), in pinning order. */
  async list(): Promise<ComparedPin[]> {
    const pins = await this.deps.pins.list();
    // A few at once: the pool queues their tasks anyway, so more would only hold more bars in memory
    // at once; one at a time left the pool idle while a pin loaded its bars or read its study.
    return mapBounded(pins, DERIVE_AT_ONCE, async (pin) => ({
      ...pin,
      result: await this.derive(pin.source),
    }));
  }

  async unpin(pinId: string): Promise<{ pinId: string; removed: true }> {
    if (!(await this.deps.pins.remove(pinId))) throw new NotFoundError(`no pin with id "${pinId}"`, 'pinId');
    return { pinId, removed: true };
  }

  async clear(): Promise<{ removed: number }> {
    return { removed: await this.deps.pins.clear() };
  }

  /**
   * What a pin keeps of a source: no job id (it names one run, not what is compared), the risk-free rate;
   * a walk-forward run named by its id alone, the request it was stored with.
   */
  private async pinnedSource(asked: PinSourceRequest): Promise<PinSource> {
    if (asked.kind === 'trial') return asked;
    const source = asked.kind === 'walkforward' ? { ...asked, request: await this.runRequest(asked) } : asked;
    const riskFreePercent = source.request.riskFreePercent ?? this.deps.riskFreePercent?.() ?? 0;
    return source.kind === 'backtest'
      ? { kind: 'backtest', request: withoutJobId({ ...source.request, riskFreePercent }) }
      : { ...source, request: withoutJobId({ ...source.request, riskFreePercent }) };
  }

  /** A walk-forward run's request: the one given, or the one stored with its windows. */
  private async runRequest(
    source: Extract<PinSourceRequest, { kind: 'walkforward' }>,
  ): Promise<WalkForwardPin['request']> {
    const stored = await this.deps.walkForward.windows(source.runId);
    if (stored.length === 0)
      throw new NotFoundError(`no walk-forward run with id "${source.runId}"`, 'source.runId');
    const request = source.request ?? stored[0]!.request;
    if (request === undefined)
      throw new ConflictError(
        `walk-forward run ${source.runId} was stored before runs kept their request: run it again to pin it`,
        'source.runId',
      );
    return request;
  }

  private async defaultLabel(source: PinSource): Promise<string> {
    if (source.kind === 'backtest') {
      const r = source.request;
      return `${r.strategy} ${r.symbol} ${r.timeframe} ${paramsText(r.params)}`.trim();
    }
    if (source.kind === 'walkforward') {
      const r = source.request;
      return `${r.strategy} ${(r.data.symbols ?? [r.data.symbol]).join('+')} ${r.data.timeframe} walk-forward`;
    }
    const study = await this.deps.studies.get(source.studyId);
    const trial = (await this.deps.studies.loadTrials(source.studyId)).find((t) => t.number === source.trial);
    if (trial === undefined)
      throw new NotFoundError(`study ${source.studyId} has no trial ${source.trial}`, 'source.trial');
    if (trial.status !== 'complete')
      throw new ConflictError(
        `trial ${source.trial} is ${trial.status}: only a complete trial can be pinned`,
        'source.trial',
      );
    return `${study.name} #${source.trial}`;
  }

  private async derive(source: PinSource): Promise<ComparedResult> {
    try {
      if (source.kind === 'backtest') return await this.deriveBacktest(source.request);
      if (source.kind === 'walkforward') return await this.deriveWalkForward(source);
      return await this.deriveTrial(source);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The study a pin names; a study no longer stored is said to be deleted, not "not found". */
  private studyOf(studyId: string): ReturnType<StudyRecords['get']> {
    return this.deps.studies.get(studyId).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new Error(`study ${studyId} was deleted`);
      throw error;
    });
  }

  private async deriveBacktest(
    request: Extract<PinSource, { kind: 'backtest' }>['request'],
  ): Promise<ComparedResult> {
    const result = await this.deps.backtest(request);
    return {
      ok: true,
      symbol: result.symbol,
      timeframe: result.timeframe,
      strategy: result.strategy,
      params: result.params,
      cash: request.cash,
      equity: { t: result.equity.t, value: result.equity.value },
      metrics: result.metrics,
      notes: [],
    };
  }

  /**
   * A walk-forward run's out-of-sample side: its stored windows' parameters run again on their test bars
   * and stitched, as the run stitched them (no in-sample bar is in the curve or the metrics).
   */
  private async deriveWalkForward(source: WalkForwardPin): Promise<ComparedResult> {
    const stored = await this.deps.walkForward.windows(source.runId);
    if (stored.length === 0) throw new Error(`walk-forward run ${source.runId} was deleted`);
    const replay = await this.deps.walkForward.replay(source.request, stored);
    // The stitched curve starts at the first test bar's equity, not the cash: it is rescaled from there.
    const start = replay.stitched.equity[0] ?? source.request.cash;
    const curve = thinEquityCurve(replay.stitched.t, replay.stitched.equity, start);
    const notes = [
      `out of sample only: ${replay.windows} windows stitched, each with the parameters its train window chose`,
      replay.purge.legacy
        ? "run before walk-forward had a purge: each test run traded from its train window's first bar"
        : `each train window ended ${replay.purge.length} ${replay.purge.unit} before its test window (purge)`,
    ];
    if (replay.windows < replay.windowsCut)
      notes.push(`the run stopped after ${replay.windows} of its ${replay.windowsCut} windows`);
    return {
      ok: true,
      symbol: replay.symbol,
      timeframe: source.request.data.timeframe,
      strategy: source.request.strategy,
      params: {},
      cash: start,
      equity: { t: curve.t, value: curve.value },
      metrics: Object.fromEntries(Object.entries(replay.outOfSample).map(([k, v]) => [k, finiteOrNull(v)])),
      notes,
    };
  }

  /**
   * A trial's curve comes from running its parameters again through the study's replay (its evaluator
   * settings, its searched bars); its metrics are the ones stored with the trial, which that run
   * reproduces (verify-provenance checks exactly that).
   */
  private async deriveTrial(source: Extract<PinSource, { kind: 'trial' }>): Promise<ComparedResult> {
    const study = await this.studyOf(source.studyId);
    const trials = await this.deps.studies.loadTrials(source.studyId);
    const trial = trials.find((t) => t.number === source.trial);
    if (trial === undefined) {
      // Deleted between the two reads (a delete takes the study and its trials at once): say so.
      await this.studyOf(source.studyId);
      throw new Error(`study ${study.name} has no trial ${source.trial} any more`);
    }
    const { evaluator, data } = await studyReplay(study, this.deps.bars, this.deps.executor);
    const equity = await evaluator.equity(trial.params);
    const first = data.datasets[0]!;
    const definition = study.data.definition;
    const cash = definition.options.cash ?? 10_000;
    const curve = thinEquityCurve(first.ref.bars.t, equity, cash);
    const notes: string[] = [];
    if (data.datasets.length > 1)
      notes.push(
        `the study scored ${data.datasets.map((d) => d.label).join('+')} together (${definition.aggregation}); the curve is ${first.label}'s`,
      );
    if (data.holdout !== undefined)
      notes.push('the held-out bars are not in the curve (the search never saw them)');
    const deflated = trialDeflatedSharpe(study.config, trials, trial, first.ref.bars.t);
    if (deflated.note !== null) notes.push(deflated.note);
    const params: Record<string, number> = {};
    for (const [name, value] of Object.entries(trial.params))
      if (typeof value === 'number') params[name] = value;
    return {
      ok: true,
      symbol: definition.source.kind === 'cache' ? definition.source.symbol : data.label,
      timeframe: first.timeframe,
      strategy: definition.strategy.name,
      params,
      cash,
      equity: { t: curve.t, value: curve.value },
      metrics: {
        ...Object.fromEntries(Object.entries(trial.metrics ?? {}).map(([k, v]) => [k, finiteOrNull(v)])),
        deflatedSharpe: finiteOrNull(deflated.value),
      },
      notes,
    };
  }
}

type WalkForwardPin = Extract<PinSource, { kind: 'walkforward' }>;
type BacktestPin = Extract<PinSource, { kind: 'backtest' }>;
