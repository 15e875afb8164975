import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bars } from '../../../core/data/bars.ts';
import type { BarValues } from '../../../core/data/validate.ts';
import { minuteOfTimeOfDay, RegimeUpdatePolicy } from '../../../core/live/regimeUpdates.ts';
import type { ParameterLearner } from '../../../core/ml/learner/parameterLearner.ts';
import type { ReferenceSet } from '../../../core/ml/learner/standing.ts';
import { createDetector } from '../../../core/regime/index.ts';
import type { DeskSession } from '../../../shared/botSession.ts';
import { RegimeUpdateSettings, type RegimeUpdatesView } from '../../../shared/liveContract.ts';
import { activeSet, type LiveDesk } from '../../livebot/liveDesk.ts';
import { RegimeUpdater, type CheckedLearner, type UpdateOutcome } from '../../livebot/regimeUpdater.ts';
import { ledgerStanding } from '../../compute/learnerTasks.ts';
import type { BacktestTerms } from '../costs.ts';
import { learnerSettings, timeframeOf, type PopulationOf } from '../learner/learnerService.ts';
import type { BotRegistry } from './botRegistry.ts';

/**
 * The ledger's scored sets a bot's candidates stand among: those of its symbol, timeframe and strategy
 * (and, for intraday bars, the session), as the Learner view's recommendation reads them.
 */
export type PopulationSource = (of: PopulationOf) => Promise<readonly ReferenceSet[]>;

/** A strategy's learner and the saved version it is (0: never trained). */
export interface VersionedLearner {
  readonly learner: ParameterLearner;
  readonly version: number;
}

/** Where a bot's recommendations get their learner: the ledger's, which keeps learning as trials finish. */
export interface LearnerSource {
  /** The newest saved version of the strategy's learner (0: never saved): one small read per check. */
  version(strategy: string): Promise<number>;
  /** The strategy's learner at its newest saved version. */
  load(strategy: string): Promise<VersionedLearner>;
}

/**
 * One bot's learner, kept at the newest version the ledger saved: a check compares the saved version
 * with the one it holds and reloads only when it moved, so a bot running for days proposes from the
 * learner the Learner view answers from, not the one there was when its updates started. A reload that
 * fails keeps the learner it held; `stale` says why until a later check reads the newest again.
 */
class NewestLearner {
  /** Why the last check asked an older version than the ledger's newest (null: it asked the newest). */
  stale: string | null = null;

  constructor(
    private readonly source: LearnerSource,
    private readonly strategy: string,
    private held: VersionedLearner,
  ) {}

  async current(): Promise<CheckedLearner> {
    let newest = this.held.version;
    try {
      newest = await this.source.version(this.strategy);
      if (newest !== this.held.version) this.held = await this.source.load(this.strategy);
      this.stale = null;
    } catch (error) {
      const what = newest === this.held.version ? 'could not be read' : `(v${newest}) could not be loaded`;
      this.stale =
        `the ${this.strategy} learner's newest version ${what} ` +
        `(${error instanceof Error ? error.message : String(error)}): this check asked v${this.held.version}`;
    }
    return { learner: this.held.learner, modelVersion: `${this.strategy} learner v${this.held.version}` };
  }
}

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
  readonly learner: NewestLearner;
  /** Bars of the watcher's evidence it has seen (fewer reported: the bot restarted). */
  seen: number;
  /** The settings it was built for: `regimen live regime-updates set` changes the file, not this service. */
  readonly settings: string;
  /** The session it reads candidates in: a bot restarted in other hours, or Settings' changed, rebuilds it. */
  readonly session: DeskSession['session'];
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

  /**
   * The watcher read bars `from` onwards of `bars` (every bar the bot reported) in this poll; the bot's
   * candidates are scored and stand in `session`.
   */
  async onBars(
    desk: LiveDesk,
    bot: string,
    bars: ReportedBars,
    from: number,
    session: DeskSession,
  ): Promise<void> {
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
        kept !== undefined &&
        kept.seen === from &&
        kept.settings === JSON.stringify(settings) &&
        kept.session === session.session
          ? kept
          : await this.start(desk, bot, bars, from, settings, session.session, failed);
      if (running === null) return;
      for (let i = from; i < bars.t.length; i++) {
        running.seen = i + 1;
        const outcome = await running.updater.onBar(barAt(bars, i));
        if (outcome === null) continue;
        record = recordOf(record, outcome, running.learner.stale);
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
    session: DeskSession['session'],
    failed: (detail: string) => void,
  ): Promise<Running | null> {
    this.running.delete(bot);
    const set = await activeSet(desk, bot);
    if (set === undefined) {
      failed('the bot runs no set the audit knows: push one first, then regime updates start');
      return null;
    }
    const learner = new NewestLearner(
      this.learnerFor,
      set.strategy.name,
      await this.learnerFor.load(set.strategy.name),
    );
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
    // Its windows keep to the session the bot trades, as the population they stand among does.
    const recommendSettings = learnerSettings(
      {
        strategy: set.strategy.name,
        timeframe: 'native',
        seed: 1,
        session,
        ...(await this.backtestTerms(bars.t)),
      },
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
      learner: () => learner.current(),
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
      population: () => this.population({ symbol, timeframe, strategy: set.strategy.name, session }),
      limits: set.limits,
    });
    // The detector learns from what the bot reported before; the first check is on a bar to come.
    for (let i = 0; i < from; i++) updater.warm(barAt(bars, i));
    const running = { updater, learner, seen: from, settings: JSON.stringify(settings), session };
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

/**
 * The record after one check: its outcome, and the regime change or proposal it was; `stale` (why the
 * check asked an older learner than the ledger's newest) is told with the check.
 */
function recordOf(
  record: RegimeUpdateRecord,
  outcome: UpdateOutcome,
  stale: string | null,
): RegimeUpdateRecord {
  const { trigger } = outcome;
  const done =
    outcome.action === 'pushed'
      ? `pushed version ${outcome.version} (approval ${outcome.approvalId}) in ${Math.round(outcome.latencyMs)} ms`
      : outcome.action === 'proposed'
        ? `proposal ${outcome.approvalId}: ${outcome.reason}`
        : outcome.reason;
  const detail = stale === null ? done : `${done}; ${stale}`;
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
