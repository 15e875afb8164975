import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bars } from '../../../core/data/bars.ts';
import type { BarValues } from '../../../core/data/validate.ts';
import { minuteOfTimeOfDay, RegimeUpdatePolicy } from '../../../core/live/regimeUpdates.ts';
import type { ParameterLearner } from '../../../core/ml/learner/parameterLearner.ts';
import type { ReferenceSet } from '../../../core/ml/learner/standing.ts';
import { createDetector } from '../../../core/regime/index.ts';
import { RegimeUpdateSettings, type RegimeUpdatesView } from '../../../shared/liveContract.ts';
import { activeSet, type LiveDesk } from '../../livebot/liveDesk.ts';
import { RegimeUpdater, type UpdateOutcome } from '../../livebot/regimeUpdater.ts';
import { ledgerStanding } from '../../compute/learnerTasks.ts';
import type { BacktestTerms } from '../costs.ts';
import { learnerSettings, timeframeOf, type PopulationOf } from '../learner/learnerService.ts';
import type { BotRegistry } from './botRegistry.ts';

/**
 * The ledger's scored sets a bot's candidates stand among: those of its symbol, timeframe and strategy
 * (and, for intraday bars, the session), as the Learner view's recommendation reads them.
 */
export type PopulationSource = (of: Omit<PopulationOf, 'session'>) => Promise<readonly ReferenceSet[]>;

/** The learner a bot's recommendations come from, and the saved version it is (0: never trained). */
export type LearnerSource = (strategy: string) => Promise<{ learner: ParameterLearner; version: number }>;

/** A bot's settings before any were given: off, with the contract's defaults for the rest. */
export const REGIME_UPDATES_OFF: RegimeUpdateSettings = RegimeUpdateSettings.parse({ enabled: false });

/** What regime updates last did for a bot: kept by the server, read by `live regime-updates show`. */
export type RegimeUpdateRecord = Pick<RegimeUpdatesView, 'last' | 'lastRegimeChange' | 'lastProposal'>;

const NOTHING_YET: RegimeUpdateRecord = { last: null, lastRegimeChange: null, lastProposal: null };

export function regimeUpdateRecordsPath(dataDir: string): string {
  return join(dataDir, 'live-regime-updates.json');
}

/**
 * live-regime-updates.json: each bot's last check, regime change and proposal. Only the folder's
 * owner writes it (once per poll that changed something), so it never races the CLI's writes of the
 * settings in live-bots.json; it outlives a restart of the server.
 */
export class RegimeUpdateRecords {
  constructor(private readonly path: string) {}

  get(bot: string): RegimeUpdateRecord {
    return this.read()[bot] ?? NOTHING_YET;
  }

  set(bot: string, record: RegimeUpdateRecord | null): void {
    const all = this.read();
    if (record === null) delete all[bot];
    else all[bot] = record;
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }

  private read(): Record<string, RegimeUpdateRecord> {
    if (!existsSync(this.path)) return {};
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, RegimeUpdateRecord>;
    } catch {
      // Only this class writes it, whole and renamed into place: unreadable means lost, not half-written.
      return {};
    }
  }
}

/** Candidates the learner weighs per check: a check holds the watcher's poll for their backtests. */
const TRIALS = 16;
const HOUR_MS = 3_600_000;

/** Every bar a bot reported, as the watcher keeps them. */
export type ReportedBars = Readonly<Record<'t' | 'o' | 'h' | 'l' | 'c' | 'v', readonly number[]>>;

interface Running {
  readonly updater: RegimeUpdater;
  /** Bars of the watcher's evidence it has seen (fewer reported: the bot restarted). */
  seen: number;
  /** The settings it was built for: `regimen live regime-updates set` changes the file, not this service. */
  readonly settings: string;
}

/**
 * Regime-driven updates for every bot that has them on, fed by the bars the watcher reads from each
 * bot's reports. An updater starts when the setting is turned on (or changed, or the server started)
 * with the detector warmed on the bars reported so far, and acts from the next bar on; it is built for
 * the strategy and limits of the set the bot runs, so a bot must run a set the audit knows first.
 */
export class RegimeUpdates {
  private readonly running = new Map<string, Running>();
  /** The desk of the poll in progress: the updater acts through the watcher's desk, never its own. */
  private desk: LiveDesk | null = null;

  constructor(
    private readonly registry: BotRegistry,
    private readonly learnerFor: LearnerSource,
    private readonly population: PopulationSource,
    private readonly records: RegimeUpdateRecords,
    /**
     * What a backtest of a bot's reported bars pays at Settings (the asset class read from their
     * timestamps): its candidates' windows are scored after those costs, as the app's recommendations are.
     */
    private readonly backtestTerms: (t: Float64Array) => Promise<BacktestTerms>,
    /** Each set proposed (left waiting for a person, or approved by the policy and pushed), as it is made. */
    private readonly onProposal: (
      bot: string,
      proposal: NonNullable<RegimeUpdateRecord['lastProposal']>,
    ) => void,
  ) {}

  view(bot: string): RegimeUpdatesView {
    return {
      bot,
      settings: this.registry.regimeUpdates(bot) ?? REGIME_UPDATES_OFF,
      ...this.records.get(bot),
    };
  }

  set(bot: string, settings: RegimeUpdateSettings): RegimeUpdatesView {
    this.registry.setRegimeUpdates(bot, settings);
    this.running.delete(bot);
    return this.view(bot);
  }

  forget(bot: string): void {
    this.running.delete(bot);
    this.records.set(bot, null);
  }

  /** The watcher read bars `from` onwards of `bars` (every bar the bot reported) in this poll. */
  async onBars(desk: LiveDesk, bot: string, bars: ReportedBars, from: number): Promise<void> {
    const settings = this.registry.regimeUpdates(bot);
    if (settings === null || !settings.enabled) {
      this.running.delete(bot);
      return;
    }
    this.desk = desk;
    const before = this.records.get(bot);
    let record = before;
    const failed = (detail: string): void => {
      record = {
        ...record,
        last: { at: bars.t[bars.t.length - 1] ?? 0, trigger: null, regime: null, action: 'failed', detail },
      };
    };
    try {
      const kept = this.running.get(bot);
      const running =
        kept !== undefined && kept.seen === from && kept.settings === JSON.stringify(settings)
          ? kept
          : await this.start(desk, bot, bars, from, settings, failed);
      if (running === null) return;
      for (let i = from; i < bars.t.length; i++) {
        running.seen = i + 1;
        const outcome = await running.updater.onBar(barAt(bars, i));
        if (outcome === null) continue;
        record = recordOf(record, outcome);
        if (outcome.action !== 'keep') this.onProposal(bot, record.lastProposal!);
      }
    } catch (error) {
      // A refused push or an unreachable bot is reported here; the watch itself goes on.
      this.running.delete(bot);
      failed(error instanceof Error ? error.message : String(error));
    } finally {
      this.desk = null;
      if (record !== before) this.records.set(bot, record);
    }
  }

  private async start(
    desk: LiveDesk,
    bot: string,
    reported: ReportedBars,
    from: number,
    settings: RegimeUpdateSettings,
    failed: (detail: string) => void,
  ): Promise<Running | null> {
    this.running.delete(bot);
    const set = await activeSet(desk, bot);
    if (set === undefined) {
      failed('the bot runs no set the audit knows: push one first, then regime updates start');
      return null;
    }
    const { learner, version } = await this.learnerFor(set.strategy.name);
    // The bot's symbol, for the population its candidates stand among: only its status says it.
    const { symbol } = await desk.client(bot).status();
    const bars: Bars = {
      t: Float64Array.from(reported.t),
      o: Float64Array.from(reported.o),
      h: Float64Array.from(reported.h),
      l: Float64Array.from(reported.l),
      c: Float64Array.from(reported.c),
      v: Float64Array.from(reported.v),
    };
    const timeframe = timeframeOf('native', bars);
    const recommendSettings = learnerSettings(
      { strategy: set.strategy.name, timeframe: 'native', seed: 1, ...(await this.backtestTerms(bars.t)) },
      bars,
    );
    const current = (): LiveDesk => this.current();
    const updater = new RegimeUpdater({
      desk: {
        get audit() {
          return current().audit;
        },
        client: (url) => current().client(url),
      },
      bot,
      policy: new RegimeUpdatePolicy(createDetector(settings.detector, timeframe), {
        minDwellMs: settings.minDwellHours * HOUR_MS,
        axis: settings.axis,
        daily: {
          // The contract checked it: an "HH:MM" time of day.
          atMinute: minuteOfTimeOfDay(settings.dailyAt)!,
          timeZone: settings.timeZone,
          tradingDaysOnly: settings.tradingDaysOnly,
        },
      }),
      learner,
      // The ledger's learner, named and gated as the Learner view and the CLI name and gate it: its skill
      // is not measured, so it proposes on confidence alone and each set it proposes says so.
      recommend: {
        ...recommendSettings,
        trials: TRIALS,
        threshold: settings.threshold,
        ...ledgerStanding([]),
      },
      // Its candidates stand among the ledger's scored sets of the bot's symbol and timeframe, read at each
      // check, as the Learner view's answer for them reads: among none, every candidate's standing read 0,
      // a value the learner never saw on a set with a history.
      population: () => this.population({ symbol, timeframe, strategy: set.strategy.name }),
      modelVersion: `${set.strategy.name} learner v${version}`,
      limits: set.limits,
    });
    // The detector learns from what the bot reported before; the first check is on a bar to come.
    for (let i = 0; i < from; i++) updater.warm(barAt(bars, i));
    const running = { updater, seen: from, settings: JSON.stringify(settings) };
    this.running.set(bot, running);
    return running;
  }

  private current(): LiveDesk {
    if (this.desk === null) throw new Error('regime updates act only during a watcher poll');
    return this.desk;
  }
}

const barAt = (bars: Bars | ReportedBars, i: number): BarValues => ({
  t: bars.t[i]!,
  o: bars.o[i]!,
  h: bars.h[i]!,
  l: bars.l[i]!,
  c: bars.c[i]!,
  v: bars.v[i]!,
});

/** The record after one check: its outcome, and the regime change or proposal it was. */
function recordOf(record: RegimeUpdateRecord, outcome: UpdateOutcome): RegimeUpdateRecord {
  const { trigger } = outcome;
  const detail =
    outcome.action === 'pushed'
      ? `pushed version ${outcome.version} (approval ${outcome.approvalId}) in ${Math.round(outcome.latencyMs)} ms`
      : outcome.action === 'proposed'
        ? `proposal ${outcome.approvalId}: ${outcome.reason}`
        : outcome.reason;
  return {
    last: { at: trigger.at, trigger: trigger.kind, regime: trigger.regime, action: outcome.action, detail },
    lastRegimeChange:
      trigger.kind === 'regime-change'
        ? { at: trigger.at, from: trigger.from, regime: trigger.regime }
        : record.lastRegimeChange,
    lastProposal:
      outcome.action === 'keep'
        ? record.lastProposal
        : { at: trigger.at, approvalId: outcome.approvalId, action: outcome.action, detail },
  };
}
