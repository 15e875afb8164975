import { liveAlarms, runsApprovedVersion, type LiveAlarmKind } from '../../../core/live/alarms.ts';
import { liveExpectation, type LiveEvidence, type LiveExpectation } from '../../../core/live/expectation.ts';
import type { LiveFill } from '../../../core/live/runner.ts';
import { STRATEGIES } from '../../../core/strategy/registry.ts';
import type { Session } from '../../../core/ml/learner/ledger.ts';
import type { BotReports, BotStatus } from '../../../shared/botProtocol.ts';
import { deskSession, type DeskSession } from '../../../shared/botSession.ts';
import type { LiveBotEntry, LiveBotView, LiveExpectationView } from '../../../shared/liveContract.ts';
import type { AuditLog } from '../../livebot/auditLog.ts';
import type { BotClient } from '../../livebot/botClient.ts';
import {
  acknowledgedSets,
  halt,
  lastApprovedHash,
  recordBotChanges,
  recordDailyLoss,
  settleUnknown,
  switchOutcomeText,
  type LiveDesk,
} from '../../livebot/liveDesk.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import type { EventBus } from '../events.ts';
import type { ReportedBars } from './regimeUpdates.ts';

/**
 * The standing watch over every registered bot: each poll it sends the bot its heartbeat, reads its
 * status and new reports, checks it runs the approved set, reconciles it against a shadow backtest and
 * raises alarms (streamed as `live:status` and, when first raised, `live:alarm`). A poll is at most a
 * minute apart, so a bot found running an unapproved version alarms within 60 s.
 */
export const DEFAULT_POLL_MS = 15_000;
export const MAX_POLL_MS = 60_000;

/** Equity points sent to the renderer per bot: enough for a chart, small for a poll every 15 s. */
const EQUITY_POINTS = 300;
const RECENT_FILLS = 20;

interface Evidence {
  t: number[];
  o: number[];
  h: number[];
  l: number[];
  c: number[];
  v: number[];
  versions: number[];
  budgets: number[];
  /** Units held at each bar's close (NaN where the bot did not report it). */
  positions: number[];
  equity: number[];
  fills: LiveFill[];
  /** The bot's numbers of `t[0]` and `fills[0]`: later than 0 once its windows dropped older ones. */
  firstBar: number;
  firstFill: number;
  /** The fill to ask from next (the last answer's nextFill). */
  nextFill: number;
}

interface Watched {
  evidence: Evidence;
  since: Map<LiveAlarmKind, number>;
  view: LiveBotView | null;
  /** The drift detection the bot was paused for (one pause per detection). */
  pausedFor: number | null;
}

export interface LiveWatcherDeps {
  readonly bots: () => LiveBotEntry[];
  /** A desk over the audit trail, with signed clients; throws when no bot secret is configured. */
  readonly withDesk: <T>(work: (desk: LiveDesk) => Promise<T>) => Promise<T>;
  readonly events: EventBus;
  readonly pollMs?: number;
  readonly now?: () => number;
  /** Runs the shadow of a bot that runs the trader's own strategy (the pool); without it there is none. */
  readonly executor?: TaskExecutor;
  /** Settings' session: what a bot's candidates are read in when its status reports none. */
  readonly settingsSession: () => Session;
  /**
   * Each poll's new bars (from `from` on; every bar reported so far in `bars`), inside the poll's desk,
   * with the session the bot's candidates are read in.
   */
  readonly onBars?: (
    desk: LiveDesk,
    bot: string,
    bars: ReportedBars,
    from: number,
    session: DeskSession,
  ) => Promise<void>;
}

const emptyEvidence = (): Evidence => ({
  t: [],
  o: [],
  h: [],
  l: [],
  c: [],
  v: [],
  versions: [],
  budgets: [],
  positions: [],
  equity: [],
  fills: [],
  firstBar: 0,
  firstFill: 0,
  nextFill: 0,
});

export class LiveWatcher {
  readonly pollMs: number;
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Each bot's look in flight, the next one queued behind it (see look). */
  private readonly looking = new Map<string, Promise<LiveBotView>>();

  constructor(private readonly deps: LiveWatcherDeps) {
    this.pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
    if (!(this.pollMs > 0 && this.pollMs <= MAX_POLL_MS))
      throw new RangeError(`the live watcher's poll must be in (0, ${MAX_POLL_MS}] ms, got ${this.pollMs}`);
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One look at every registered bot (a tick still running is awaited, not doubled). */
  tick(): Promise<void> {
    // Cleared in a callback, which runs after the assignment: a tick with no bot completes at once, and
    // clearing inside it ran before `running` was set, which then held a settled tick for good and no
    // bot added later was ever looked at again.
    this.running ??= this.lookAtAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async lookAtAll(): Promise<void> {
    for (const bot of this.deps.bots()) await this.look(bot);
  }

  /** The last view of a bot (null before its first look). */
  last(url: string): LiveBotView | null {
    return this.watched.get(url)?.view ?? null;
  }

  forget(url: string): void {
    this.watched.delete(url);
  }

  /**
   * Looks at a bot now, after any look at it still in flight: two at once (the poll's and one a push or
   * rollback asks for as it returns) read the bot's reports from the same cursor and appended its fills
   * and bars twice to the evidence the live-against-backtest check reads.
   */
  look(bot: LiveBotEntry): Promise<LiveBotView> {
    const before = this.looking.get(bot.url) ?? Promise.resolve(null);
    const next = before.then(
      () => this.lookNow(bot),
      () => this.lookNow(bot),
    );
    this.looking.set(bot.url, next);
    const settled = (): void => {
      if (this.looking.get(bot.url) === next) this.looking.delete(bot.url);
    };
    next.then(settled, settled);
    return next;
  }

  private async lookNow(bot: LiveBotEntry): Promise<LiveBotView> {
    const now = (this.deps.now ?? Date.now)();
    let watched = this.watched.get(bot.url);
    if (watched === undefined) {
      watched = { evidence: emptyEvidence(), since: new Map(), view: null, pausedFor: null };
      this.watched.set(bot.url, watched);
    }
    const state = watched;
    let view: LiveBotView;
    try {
      view = await this.deps.withDesk(async (desk) => {
        const client = desk.client(bot.url);
        await client.heartbeat();
        let status = await client.status();
        const session = deskSession(status.session, this.deps.settingsSession());
        // A push, halt or resume the bot did not answer is settled by its status, before the version check
        // reads the acks.
        await settleUnknown(desk, bot.url, status);
        const from = await this.readReports(client, state, status);
        if (this.deps.onBars !== undefined && from < state.evidence.t.length)
          await this.deps.onBars(desk, bot.url, state.evidence, from, session);
        await recordBotChanges(desk, bot.url, status.changes ?? []);
        if (status.dailyLoss != null) await recordDailyLoss(desk, bot.url, status.dailyLoss);
        const approvedHash = lastApprovedHash(await desk.audit.of('ack', bot.url));
        const expectation = await this.expect(desk.audit, bot.url, state.evidence, status);
        if (
          bot.autoPause &&
          expectation?.drift.detectedAt != null &&
          status.halt === null &&
          state.pausedFor !== expectation.drift.detectedAt
        ) {
          state.pausedFor = expectation.drift.detectedAt;
          status = await halt(
            desk,
            bot.url,
            'policy',
            'no-new-entries',
            `ADWIN drift in live returns at ${new Date(expectation.drift.detectedAt).toISOString()} (auto-pause)`,
          );
        }
        return this.viewOf(bot, state, now, {
          status,
          error: null,
          approved: runsApprovedVersion(status, approvedHash),
          approvedHash,
          expectation,
          alarms: liveAlarms({ status, approvedHash, expectation }),
          session,
          switchOutcome: await switchOutcomeText(desk, bot.url),
        });
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      view = this.viewOf(bot, state, now, {
        status: null,
        error: message,
        approved: null,
        approvedHash: null,
        expectation: null,
        alarms: liveAlarms({ status: { unreachable: message }, approvedHash: null, expectation: null }),
        session: null,
        switchOutcome: null,
      });
    }
    state.view = view;
    this.deps.events.emit('live:status', view);
    for (const alarm of view.alarms)
      if (alarm.since === now)
        this.deps.events.emit('live:alarm', { ...alarm, bot: bot.url, name: bot.name });
    return view;
  }

  private viewOf(
    bot: LiveBotEntry,
    state: Watched,
    now: number,
    look: Omit<LiveBotView, 'name' | 'url' | 'autoPause' | 'checkedAt' | 'alarms' | 'expectation'> & {
      alarms: ReturnType<typeof liveAlarms>;
      expectation: LiveExpectation | null;
    },
  ): LiveBotView {
    const since = new Map<LiveAlarmKind, number>();
    for (const alarm of look.alarms) since.set(alarm.kind, state.since.get(alarm.kind) ?? now);
    state.since = since;
    return {
      ...bot,
      ...look,
      alarms: look.alarms.map((a) => ({ ...a, since: since.get(a.kind)! })),
      expectation: look.expectation === null ? null : expectationView(look.expectation, state.evidence),
      checkedAt: now,
    };
  }

  /** New fills and bars since the last look (everything again after the bot restarted); where the new bars start. */
  private async readReports(client: BotClient, state: Watched, status: BotStatus): Promise<number> {
    if (status.barsSeen < state.evidence.firstBar + state.evidence.equity.length)
      state.evidence = emptyEvidence();
    let evidence = state.evidence;
    const nextBar = evidence.firstBar + evidence.equity.length;
    const reports: BotReports = await client.reports(evidence.nextFill, nextBar);
    // The answer numbers what it sends (a bot written before it did starts where it was asked): counting
    // would number a bot's held window from 0 once it dropped older fills or bars.
    const firstBar = reports.firstBar ?? nextBar;
    if (firstBar > nextBar)
      // Bars never seen here are gone from the bot: the shadow can only start again from those it holds.
      state.evidence = evidence = {
        ...emptyEvidence(),
        fills: evidence.fills,
        firstFill: evidence.firstFill,
        firstBar,
      };
    const firstFill = reports.firstFill ?? evidence.nextFill;
    if (evidence.fills.length === 0 || firstFill > evidence.nextFill) {
      evidence.fills = [];
      evidence.firstFill = firstFill;
    }
    const from = evidence.t.length;
    for (const fill of reports.fills) evidence.fills.push(fill);
    evidence.nextFill = reports.nextFill;
    for (const bar of reports.bars ?? []) {
      evidence.t.push(bar.time);
      evidence.o.push(bar.o);
      evidence.h.push(bar.h);
      evidence.l.push(bar.l);
      evidence.c.push(bar.c);
      evidence.v.push(bar.v);
      evidence.versions.push(bar.version);
      evidence.budgets.push(bar.budget ?? 1);
      evidence.positions.push(bar.position ?? NaN);
    }
    for (const point of reports.equity) evidence.equity.push(point.equity);
    return from;
  }

  private async expect(
    audit: AuditLog,
    bot: string,
    evidence: Evidence,
    { shortSales, units }: Pick<BotStatus, 'shortSales' | 'units'>,
  ): Promise<LiveExpectation | null> {
    if (evidence.t.length === 0 || evidence.equity.length !== evidence.t.length) return null;
    const live: LiveEvidence = {
      bars: {
        t: Float64Array.from(evidence.t),
        o: Float64Array.from(evidence.o),
        h: Float64Array.from(evidence.h),
        l: Float64Array.from(evidence.l),
        c: Float64Array.from(evidence.c),
        v: Float64Array.from(evidence.v),
      },
      versions: evidence.versions,
      budgets: evidence.budgets,
      equity: evidence.equity,
      fills: evidence.fills,
      ...(evidence.positions.every(Number.isFinite) ? { positions: evidence.positions } : {}),
      afterGap: evidence.firstBar > 0,
      // Fills the bot dropped before this watcher saw them cannot be matched against the shadow's.
      ...(evidence.firstFill > 0 ? { fillsSince: evidence.fills[0]?.time ?? Infinity } : {}),
    };
    // The shadow trades as the bot says it does: a long-only bot's never goes short either, and a bot
    // trading fractions is shadowed in fractions.
    const backtest = {
      ...(shortSales === 'none' ? { longOnly: true } : {}),
      ...(units === 'fractional' ? { fractional: true } : {}),
    };
    const options = { ...(await acknowledgedSets(audit, bot)), backtest };
    // The trader's own strategy is shadowed on the pool, where user code runs (never on main's thread).
    const own = [...options.sets.values()].find((set) => set.strategy.sourceHash !== undefined);
    if (own === undefined || this.deps.executor === undefined)
      return liveExpectation(live, { ...options, catalogue: STRATEGIES });
    const { name, version } = own.strategy;
    return this.deps.executor.run({
      kind: 'live-expectation',
      strategy: { name, version },
      evidence: live,
      options,
    });
  }
}

function expectationView(expectation: LiveExpectation, evidence: Evidence): LiveExpectationView {
  const stride = Math.max(1, Math.ceil(expectation.equity.length / EQUITY_POINTS));
  const equity = expectation.equity.filter((_, k) => k % stride === 0 || k === expectation.equity.length - 1);
  const { reconciliation } = expectation;
  const fill = (f: { time: number; side: 'buy' | 'sell'; kind: 'entry' | 'exit'; price: number }) => ({
    time: f.time,
    side: f.side,
    kind: f.kind,
    price: f.price,
  });
  return {
    from: expectation.from === null ? null : evidence.t[expectation.from],
    bars: expectation.bars,
    equity: [...equity],
    reconciliation: {
      matched: reconciliation.matched.length,
      missed: reconciliation.missed.map(fill),
      extra: reconciliation.extra.map(fill),
      meanSlippageBps: reconciliation.meanSlippageBps,
      recent: reconciliation.matched.slice(-RECENT_FILLS).map((m) => ({
        time: m.liveTime,
        side: m.side,
        kind: m.kind,
        price: m.livePrice,
        shadowPrice: m.shadowPrice,
        slippageBps: m.slippageBps,
      })),
    },
    bands: expectation.bands,
    drift: expectation.drift,
  };
}
