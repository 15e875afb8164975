import { allocateBars, type Bars } from '../data/bars.ts';
import type { BarValues } from '../data/validate.ts';
import { Broker, type SimAccount } from '../engine/broker.ts';
import { resolveOptions, type BacktestOptions, type ResolvedBacktestOptions } from '../engine/options.ts';
import { tradeRecord } from '../engine/trade-log.ts';
import { ExitReason } from '../engine/types.ts';
import { IndicatorCache } from '../indicators/cache.ts';
import { OrderType } from '../strategy-api/order-port.ts';
import { resolveStrategyRef } from '../strategy-api/ref.ts';
import type { Strategy, StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import {
  decideDelivery,
  EMPTY_LEDGER,
  recordDelivery,
  type DeliveredChange,
  type DeliveryLedger,
  type DeliveryRefusal,
} from './delivery.ts';
import { dailyLossPassed, GatedPort, utcDay, type DayOrders, type Deciders, type GateMode } from './gate.ts';
import {
  switchActions,
  switchPolicy,
  type BotStateChange,
  type BotStateChangeKind,
  type HaltMode,
  type PositionPolicy,
} from './modes.ts';
import {
  strategyIdentity,
  verifyParameterSet,
  type ParameterSet,
  type StrategyIdentity,
} from './parameterSet.ts';
import { strategyMismatch } from './strategyMatch.ts';
import { RecentLog } from './recentLog.ts';
import {
  advanceRamp,
  rampBudget,
  rampParameters,
  rampProblems,
  startRamp,
  type RampPlan,
  type RampState,
} from './ramp.ts';

/**
 * The reference bot's trading core: bars arrive one at a time, and the strategy the backtest ran trades
 * through the order port on simulated fills (the engine's own Broker, so a live run and a backtest on the
 * same bars agree to the last fill). Pushed parameter sets wait for the next bar boundary; indicator
 * arrays are brought up to date in place each bar (IndicatorCache `growing`), so a change keeps every
 * indicator's history. The buffer is a sliding window: when it is full, its older half goes and every
 * index (indicators, broker, strategies' starts) moves with it, so a bot runs for ever in fixed memory.
 * Everything the bot must survive a restart with is `snapshot()`, plain JSON.
 */
export {
  HALT_MODES,
  POSITION_POLICIES,
  type BotStateChange,
  type HaltMode,
  type PositionPolicy,
} from './modes.ts';

export interface LivePush extends DeliveredChange {
  readonly set: ParameterSet;
  readonly policy: PositionPolicy;
  readonly ramp?: RampPlan;
}

export interface Halt {
  readonly mode: HaltMode;
  readonly reason: string;
  /** Epoch ms. */
  readonly at: number;
}

/** What the bot persists (and restores after a restart, mid-ramp included). */
export interface LiveBotState {
  readonly ledger: DeliveryLedger;
  /** The set trading now. */
  readonly active: LivePush | null;
  /** The last good set before it: where a guardrail breach returns. */
  readonly previous: LivePush | null;
  /** Accepted, waiting for the next bar boundary. */
  readonly pending: LivePush | null;
  readonly ramp: RampState | null;
  readonly halt: Halt | null;
  /**
   * The day's loss passed the active set's maxDailyLoss: no new entries until the next UTC day (absent
   * in a state saved before the limit was enforced).
   */
  readonly dailyLoss?: DailyLossStop | null;
  /**
   * The bot's own recent state changes, oldest first, at most MAX_KEPT_CHANGES (absent in a state saved
   * before they were reported).
   */
  readonly changes?: readonly BotStateChange[];
}

/** Enough for several days of ramps between two looks of the workstation, small for every status. */
export const MAX_KEPT_CHANGES = 100;

export interface DailyLossStop {
  /** UTC day number it holds for. */
  readonly day: number;
  /** Time of the bar whose close passed the limit. */
  readonly at: number;
  readonly reason: string;
}

/**
 * What a restart needs beyond the delivery state, saved after every bar: where the feed was, the
 * simulated account, who decided the open position, and today's order count.
 */
export interface RunnerProgress {
  readonly barsSeen: number;
  readonly lastBarTime: number | null;
  /** Fills reported so far (their numbering carries on after a restart). */
  readonly fills: number;
  readonly account: SimAccount;
  readonly positionVersion: number;
  readonly entryVersion: number;
  readonly exitVersion: number;
  /** The previous set still decides the exit of the position it opened (policy keep). */
  readonly windingDown: boolean;
  /** UTC day number of the last bar, the orders sent that day, and the equity it opened with. */
  readonly day: number | null;
  readonly ordersToday: number;
  readonly dayOpenEquity: number;
}

/** What the bot persists: the delivery state, and its progress once it has seen a bar. */
export interface LiveBotSnapshot extends LiveBotState {
  readonly progress?: RunnerProgress;
}

export const INITIAL_BOT_STATE: LiveBotState = {
  ledger: EMPTY_LEDGER,
  active: null,
  previous: null,
  pending: null,
  ramp: null,
  halt: null,
  dailyLoss: null,
};

/** A closed bar as the bot receives it: the same values the bar checks at every edge read. */
export type LiveBar = BarValues;

/** Distances from a position's entry price to its protective levels (NaN: none), as attachExits takes. */
export interface EntryExits {
  readonly stopDistance: number;
  readonly targetDistance: number;
  readonly trailDistance: number;
}

/** One closed trade as the bot reports it: which version opened it and which one decided its exit. */
export interface LiveExit {
  readonly entryTime: number;
  readonly exitTime: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly size: number;
  readonly pnl: number;
  readonly reason: keyof typeof ExitReason;
  readonly entryVersion: number;
  readonly exitVersion: number;
}

/** One execution as the bot reports it (an entry, an addition or an exit). */
export interface LiveFill {
  readonly time: number;
  readonly side: 'buy' | 'sell';
  readonly units: number;
  readonly price: number;
  readonly kind: 'entry' | 'exit';
  /** The parameter-set version that decided it. */
  readonly version: number;
  readonly reason: string;
}

export interface HeartbeatPolicy {
  /** No heartbeat for this long (ms) while a set is active: the bot halts on its own. */
  readonly timeoutMs: number;
  readonly mode: HaltMode;
}

export interface LiveRunnerOptions {
  readonly catalogue: Readonly<Record<string, StrategyDefinition>>;
  /**
   * Bars the buffer holds: when full, it keeps its newer half. At least twice the longest look-back of
   * the strategies it runs, so a slide never takes a bar an indicator or a strategy still reads.
   */
  readonly capacity: number;
  readonly backtest?: BacktestOptions;
  readonly heartbeat?: HeartbeatPolicy;
  readonly state?: LiveBotSnapshot;
  /** Fills and closed trades held (the newest; default 1,000): a bot runs for months. */
  readonly fillWindow?: number;
  /** Epoch ms (for heartbeats and halts). */
  readonly now?: () => number;
  /**
   * The trader's strategy files that did not load, each in words (file:line: why): named when a
   * restored set's strategy is missing, since one of them is then usually why.
   */
  readonly leftOut?: readonly string[];
}

export type ApplyOutcome =
  | { readonly kind: 'accepted'; readonly version: number }
  | { readonly kind: 'duplicate'; readonly version: number }
  | { readonly kind: 'refused'; readonly reason: DeliveryRefusal | 'invalid-set'; readonly message: string };

const DEFAULT_FILL_WINDOW = 1_000;

const EXIT_REASON_NAMES = Object.fromEntries(
  Object.entries(ExitReason).map(([name, code]) => [code, name as keyof typeof ExitReason]),
) as Record<number, keyof typeof ExitReason>;

interface Instance {
  readonly strategy: Strategy;
  readonly gate: GatedPort;
  /** First bar it decides on (moves back with the buffer when it slides). */
  start: number;
  /** It threw in onBar: it decides nothing more (a set applied after it is a new instance). */
  failed?: true;
}

/**
 * Why a pushed set cannot run here (undefined when it can): its hash does not match its content, its
 * strategy or version is not in this build, a parameter is out of its limits, the bot runs another
 * strategy, or its ramp plan is malformed. The kit's first check on any push.
 */
export function pushProblem(
  push: Pick<LivePush, 'set' | 'ramp'>,
  catalogue: Readonly<Record<string, StrategyDefinition>>,
  runningStrategy?: string,
): string | undefined {
  const { set } = push;
  if (!verifyParameterSet(set)) return `set ${set.hash}: its hash does not match its content`;
  const mismatch = strategyMismatch(set.strategy, Object.values(catalogue).map(strategyIdentity));
  if (mismatch !== undefined) return mismatch;
  try {
    resolveStrategyRef(
      { name: set.strategy.name, version: set.strategy.version, params: set.parameters },
      catalogue,
    );
  } catch (error) {
    return (error as Error).message;
  }
  if (runningStrategy !== undefined && runningStrategy !== set.strategy.name) {
    return `the bot runs ${runningStrategy}; a set for ${set.strategy.name} needs a new bot`;
  }
  const rampIssues = push.ramp === undefined ? [] : rampProblems(push.ramp);
  return rampIssues.length > 0 ? `ramp: ${rampIssues.join('; ')}` : undefined;
}

/** A strategy's thrown error in words that name it (a user strategy's already do, with file and line). */
function strategyFault(error: unknown, name: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith('strategy ') ? message : `strategy ${name}: ${message}`;
}

export class LiveRunner {
  readonly bars: Bars;
  /** Equity at each bar's close. */
  readonly equity: Float64Array;
  /** The set version active at each bar (0: none), so a shadow backtest can run what the bot ran. */
  readonly versions: Int32Array;
  /** The active set's ramp budget at each bar (1 outside a ramp), for the same shadow backtest. */
  readonly budgets: Float64Array;
  /**
   * Units held at each bar's close: where a shadow backtest that starts after bars it never saw (a
   * dropped window, a restart) resumes, instead of starting flat beside a bot that is not.
   */
  readonly positions: Float64Array;
  private readonly exitLog: RecentLog<LiveExit>;
  private fillLog: RecentLog<LiveFill>;
  private length = 0;
  /** Bars dropped off the front of the buffer (and, after a restart, seen before it). */
  private offset = 0;
  private readonly cache: IndicatorCache;
  private readonly broker = new Broker();
  /** Where nextOpen plays the book's market orders forward (the book itself is not touched). */
  private readonly projection = new Broker();
  /** The one flat bar (at the last close) nextOpen fills them in: kept, not allocated at every bar. */
  private readonly projectionBar = allocateBars(1);
  private readonly options: BacktestOptions;
  private readonly brokerOptions: ResolvedBacktestOptions;
  private readonly deciders: Deciders = { entryVersion: 0, exitVersion: 0 };
  private main: Instance | null = null;
  /** The previous set's instance, deciding the exit of the position it opened (policy keep). */
  private windDown: Instance | null = null;
  private positionVersion = 0;
  private tradesSeen = 0;
  private lastHeartbeat: number;
  private heartbeatSeen = false;
  private day = NaN;
  private readonly today: DayOrders = { used: 0, limit: Infinity };
  /** Equity at the previous day's last close: what maxDailyLoss is measured from. */
  private dayOpenEquity: number;
  private stateValue: LiveBotState;
  /** Applies counted per version since this process started (a property tests check it). */
  readonly applyCounts = new Map<number, number>();

  constructor(private readonly config: LiveRunnerOptions) {
    this.exitLog = new RecentLog(config.fillWindow ?? DEFAULT_FILL_WINDOW);
    this.fillLog = new RecentLog(config.fillWindow ?? DEFAULT_FILL_WINDOW);
    this.bars = allocateBars(config.capacity);
    this.equity = new Float64Array(config.capacity);
    this.versions = new Int32Array(config.capacity);
    this.budgets = new Float64Array(config.capacity);
    this.positions = new Float64Array(config.capacity);
    this.cache = new IndicatorCache(this.bars, undefined, { growing: true });
    this.options = config.backtest ?? {};
    this.brokerOptions = resolveOptions(this.options, 'regimen');
    this.broker.reset(this.bars, this.brokerOptions);
    const { progress, ...state }: LiveBotSnapshot = config.state ?? INITIAL_BOT_STATE;
    this.stateValue = state;
    // A restored active set starts again at the next bar, as it was (its ramp step included), without
    // counting as an apply: a restart applies nothing twice.
    this.restoring = this.stateValue.active;
    this.lastHeartbeat = this.now();
    this.dayOpenEquity = this.brokerOptions.cash;
    if (progress !== undefined) this.restore(progress);
    this.checkRestored();
  }

  private restoring: LivePush | null;
  private restoredWindDown = false;
  /** The pending set is the bot's own return to the last good set, not a delivered push. */
  private rollingBack = false;

  get state(): LiveBotState {
    return this.stateValue;
  }

  /** The strategies this bot can run (its status declares them, so a workstation checks before a push). */
  get strategies(): StrategyIdentity[] {
    return Object.values(this.config.catalogue).map(strategyIdentity);
  }

  /** Whether the bot never sells short (its options' longOnly): a signal to go short leaves it flat. */
  get longOnly(): boolean {
    return this.brokerOptions.longOnly;
  }

  /** Whether its orders may be for fractions of a unit (its options' fractional; else whole units). */
  get fractional(): boolean {
    return this.brokerOptions.fractional;
  }

  /** Bars seen since the bot first started, restarts included. */
  get barsSeen(): number {
    return this.offset + this.length;
  }

  /** How many of the bars seen precede the buffer's first bar (`bars[0]` is bar `bufferStart`). */
  get bufferStart(): number {
    return this.offset;
  }

  /** The newest fills (numbered since the bot first started: see `firstFill`). */
  get fills(): readonly LiveFill[] {
    return this.fillLog.held;
  }

  /** The newest closed trades, with the versions that opened and closed them. */
  get exits(): readonly LiveExit[] {
    return this.exitLog.held;
  }

  /** The fills with their numbers, for reports. */
  get fillRecord(): RecentLog<LiveFill> {
    return this.fillLog;
  }

  /** Number of the first fill in `fills` (older ones, and those before a restart, are not held). */
  get firstFill(): number {
    return this.fillLog.first;
  }

  /** Everything a restart needs, as plain JSON (see RunnerProgress). */
  snapshot(): LiveBotSnapshot {
    return {
      ...this.stateValue,
      progress: {
        barsSeen: this.barsSeen,
        lastBarTime: this.lastBarTime,
        fills: this.fillLog.total,
        account: this.broker.account(this.length - 1),
        positionVersion: this.positionVersion,
        entryVersion: this.deciders.entryVersion,
        exitVersion: this.deciders.exitVersion,
        windingDown: this.windDown !== null,
        day: Number.isNaN(this.day) ? null : this.day,
        ordersToday: this.today.used,
        dayOpenEquity: this.dayOpenEquity,
      },
    };
  }

  get position(): number {
    return this.broker.units;
  }

  get averageEntryPrice(): number {
    return this.broker.averageEntryPrice;
  }

  get cash(): number {
    return this.broker.cash;
  }

  /**
   * The book's protective levels after the last bar (NaN: none): its stop, the tighter of the stop-loss
   * and the trailing stop as the engine checks them, and its take-profit. An account that rests them
   * as orders fills where the book does, at the level or at the open of a bar that gaps through it.
   */
  get exitLevels(): { readonly stop: number; readonly target: number } {
    const { units, stopLoss, trailLevel, takeProfit } = this.broker.account(this.length - 1);
    if (units === 0) return { stop: NaN, target: NaN };
    const stop = stopLoss ?? NaN;
    const trail = trailLevel ?? NaN;
    const tighter = trail === trail && (stop !== stop || (units > 0 ? trail > stop : trail < stop));
    return { stop: tighter ? trail : stop, target: takeProfit ?? NaN };
  }

  /**
   * The book after its market orders decided at the last close fill at the next bar's open, sized as
   * the engine sizes them but at the last close (the next open is not known yet): what an account sent
   * those orders now holds once they fill. `exits` are the distances from the entry price of the
   * protective levels a position opened by them gets (null when none opens or it has no levels), so the
   * account rests them at its own fill price before the bar that may reach them.
   */
  nextOpen(): { readonly position: number; readonly exits: EntryExits | null } {
    const last = this.length - 1;
    const account = this.broker.account(last);
    const market = account.orders.filter((order) => order.type === OrderType.Market);
    if (market.length === 0 || last < 0) return { position: this.broker.units, exits: null };
    const bar = this.projectionBar;
    const close = this.bars.c[last];
    bar.t[0] = this.bars.t[last];
    bar.o[0] = bar.h[0] = bar.l[0] = bar.c[0] = close;
    bar.v[0] = this.bars.v[last];
    const scratch = this.projection;
    scratch.reset(bar, this.brokerOptions);
    scratch.restoreAccount({ ...account, orders: market }, -1);
    scratch.processOpen(0);
    const position = scratch.units;
    if (position === 0 || Math.sign(position) === Math.sign(this.broker.units))
      return { position, exits: null };
    // The distances the engine sets the new position's levels from (at its fill price, as the account).
    const opening = market.findLast(
      (order) => order.stopDistance !== null || order.targetDistance !== null || order.trailDistance !== null,
    );
    if (opening === undefined) return { position, exits: null };
    const exits = {
      stopDistance: opening.stopDistance ?? NaN,
      targetDistance: opening.targetDistance ?? NaN,
      trailDistance: opening.trailDistance ?? NaN,
    };
    return { position, exits };
  }

  /** The version that opened the position held (or the last one): the decider of its protective exits. */
  get positionEntryVersion(): number {
    return this.positionVersion;
  }

  /** Equity marked at the last close (the starting cash before any bar). */
  get lastEquity(): number {
    return this.length === 0 ? this.brokerOptions.cash : this.equity[this.length - 1];
  }

  heartbeat(): number {
    this.lastHeartbeat = this.now();
    this.heartbeatSeen = true;
    return this.lastHeartbeat;
  }

  /** When the workstation last sent a heartbeat (null before the first). */
  get lastHeartbeatAt(): number | null {
    return this.heartbeatSeen ? this.lastHeartbeat : null;
  }

  /** Time of the last bar (null before the first). */
  get lastBarTime(): number | null {
    return this.length === 0 ? null : this.bars.t[this.length - 1];
  }

  /**
   * A pushed set: checked (hash, strategy, parameters, ramp plan), then taken by delivery order. An
   * accepted set waits for the next bar boundary.
   */
  apply(push: LivePush): ApplyOutcome {
    const running = this.stateValue.active ?? this.stateValue.pending;
    const problem = pushProblem(push, this.config.catalogue, running?.set.strategy.name);
    if (problem !== undefined) return { kind: 'refused', reason: 'invalid-set', message: problem };
    const decision = decideDelivery(this.stateValue.ledger, push);
    if (decision.kind === 'refused') return decision;
    if (decision.kind === 'duplicate') return decision;
    const unbuildable = this.buildProblem(push);
    if (unbuildable !== undefined) return { kind: 'refused', reason: 'invalid-set', message: unbuildable };
    this.update({ ledger: recordDelivery(this.stateValue.ledger, push), pending: push });
    return { kind: 'accepted', version: push.version };
  }

  halt(mode: HaltMode, reason: string): void {
    this.update({ halt: { mode, reason, at: this.now() } });
    if (mode !== 'no-new-entries') this.broker.cancelAll();
    if (mode === 'flatten' && this.broker.units !== 0) this.broker.close();
    this.applyGates();
  }

  resume(): void {
    this.update({ halt: null });
    this.applyGates();
  }

  /** The live buffer's indicators (read-only for callers: the strategies hold these arrays). */
  get indicators(): IndicatorCache {
    return this.cache;
  }

  /**
   * After a restart: the bars the bot had already seen (bars 0 to `seen` - 1 of the bar cache) go back
   * into the buffer (the newest that fit) and through the indicators' streaming state, without trading,
   * so the set that resumes at the next live bar sees the indicators it would have seen had the bot
   * never stopped. Their equity is the restored account marked at each close.
   */
  warmUp(bars: Bars, seen = bars.c.length): void {
    if (!(Number.isInteger(seen) && seen >= 0 && seen <= bars.c.length)) {
      throw new RangeError(`warmUp: seen must be an integer in [0, ${bars.c.length}], got ${seen}`);
    }
    const from = Math.max(0, seen - this.config.capacity);
    this.load(bars, from, seen, from);
  }

  /**
   * A live feed's first bar is about to arrive: `history`, the bars that closed before it (the data
   * API's), goes through the indicators without trading, as warmUp does for a replay, so the first live
   * decision is the one a backtest over the same history makes instead of waiting out every look-back
   * on live bars. On a fresh bot they are bars seen (version 0, as a replay's bars before its first
   * push). After a restart they take the numbers of the last bars the bot saw, so the count the
   * workstation follows does not move (at most that many are used).
   */
  warmUpLive(history: Bars): void {
    const restored = this.offset;
    const n = history.t.length;
    const count = Math.min(n, this.config.capacity, restored > 0 ? restored : n);
    this.load(history, n - count, n, restored > 0 ? restored - count : 0);
  }

  /** Bars [from, to) of `bars` into the empty buffer as bars number `first` on, without trading. */
  private load(bars: Bars, from: number, to: number, first: number): void {
    if (this.length > 0) throw new Error(`warm-up: the buffer already holds ${this.length} live bars`);
    const count = to - from;
    for (const column of ['t', 'o', 'h', 'l', 'c', 'v'] as const) {
      this.bars[column].set(bars[column].subarray(from, to));
    }
    const { cash, units } = this.broker;
    for (let k = 0; k < count; k++) this.equity[k] = cash + units * this.bars.c[k];
    this.budgets.fill(1, 0, count);
    this.positions.fill(units, 0, count);
    this.offset = first;
    this.length = count;
    // The restored account counted its entry back from the bar before the buffer: now its last bar.
    this.broker.shiftBars(-count);
    this.cache.refresh(count);
  }

  /** Bar i arrives: the pending set takes over at its boundary, then the bar runs as in the engine. */
  onBar(bar: LiveBar): void {
    if (this.length === this.config.capacity) this.slide(this.length - (this.length >> 1));
    const i = this.length;
    const { t, o, h, l, c, v } = this.bars;
    t[i] = bar.t;
    o[i] = bar.o;
    h[i] = bar.h;
    l[i] = bar.l;
    c[i] = bar.c;
    v[i] = bar.v;
    this.length = i + 1;
    this.cache.refresh(this.length);
    this.newDay(bar.t);
    this.checkHeartbeat();
    const restoring = this.restoring;
    if (restoring !== null) this.resumeSet(restoring, i);
    const pending = this.stateValue.pending;
    if (pending !== null) this.switchTo(pending, i);
    this.versions[i] = this.stateValue.active?.version ?? 0;
    const broker = this.broker;
    const unitsBefore = broker.units;
    if (broker.financed) broker.accrueFinancing(i);
    if (broker.pendingCount > 0) broker.processOpen(i);
    if (broker.units !== 0) broker.checkExits(i);
    if (broker.units === 0) this.windDown = null;
    this.applyGates();
    // Checked before the strategies decide at this close, so no entry leaves after the limit passed.
    this.checkDailyLoss(i, broker.cash + broker.units * c[i]);
    const wind = this.windDown;
    if (wind !== null) wind.gate.price = c[i];
    if (wind !== null && i >= wind.start) this.decide(wind, i);
    const main = this.main;
    if (main !== null) main.gate.price = c[i];
    this.budgets[i] = main?.gate.budget ?? 1;
    if (main !== null && i >= main.start) this.decide(main, i);
    if (this.brokerOptions.fillAtClose && broker.pendingCount > 0) broker.processClose(i);
    if (main !== null) main.gate.noFlip = false;
    this.equity[i] = broker.cash + broker.units * c[i];
    this.positions[i] = broker.units;
    this.recordExits();
    if (broker.units !== 0 && Math.sign(broker.units) !== Math.sign(unitsBefore))
      this.positionVersion = this.deciders.entryVersion;
    this.recordEntry(unitsBefore, t[i]);
    this.stepRamp(i, unitsBefore);
  }

  /**
   * The instance decides at bar i. A strategy that throws (a trader's own file, usually) must not stop
   * the bot: the feed, the protocol and the positions' protective exits go on, the bot halts new entries
   * naming the strategy, its file and line when known (a user strategy's error carries them) and the
   * bar's time, and the instance decides nothing more until another set is applied.
   */
  private decide(instance: Instance, i: number): void {
    if (instance.failed) return;
    try {
      instance.strategy.onBar(i);
    } catch (error) {
      this.failed(instance, error, i, this.stateValue.active ?? this.stateValue.pending);
    }
  }

  /**
   * The instance's parameters change at bar i's boundary (a set switched in place, a ramp step). A
   * strategy that throws there is treated as one that throws in onBar (see decide), for the set `about`.
   */
  private reparameterize(instance: Instance, params: StrategyParams, i: number, about: LivePush): void {
    if (instance.failed) return;
    try {
      instance.strategy.reparameterize(params);
    } catch (error) {
      this.failed(instance, error, i, about);
    }
  }

  private failed(instance: Instance, error: unknown, i: number, about: LivePush | null): void {
    instance.failed = true;
    const at = this.bars.t[i];
    const reason = `${strategyFault(error, about?.set.strategy.name ?? 'the strategy')} (bar of ${new Date(at).toISOString()})`;
    if (this.stateValue.halt === null) this.halt('no-new-entries', reason);
    if (about !== null)
      this.recordChange(about, 'halt', `${at}:error`, at, { reason: `halted (no-new-entries): ${reason}` });
  }

  /**
   * After a restart the sets of the saved state are built again from this bot's catalogue, which may
   * have changed under them: the trader's file edited (another source), no longer loading (missing), or
   * throwing in create or init. Such a set is never traded: the bot halts new entries (the position's
   * resting exits stay) naming the version, the strategy and why, at once, so its status and the
   * changes it reports say so before the first bar; a pending one is dropped. The state is otherwise
   * kept: the same file back and a restart resume the set as it was, or a set the bot can run is applied.
   */
  private checkRestored(): void {
    const { active, pending } = this.stateValue;
    const unrunnable: { push: LivePush; problem: string }[] = [];
    const activeProblem = active === null ? undefined : this.restoredProblem(active);
    if (active !== null && activeProblem !== undefined) {
      this.restoring = null;
      this.today.limit = active.set.limits.maxOrdersPerDay;
      unrunnable.push({ push: active, problem: `after the restart: ${activeProblem}` });
    }
    const pendingProblem = pending === null ? undefined : this.restoredProblem(pending);
    if (pending !== null && pendingProblem !== undefined) {
      this.update({ pending: null });
      unrunnable.push({ push: pending, problem: `after the restart, pending: ${pendingProblem}` });
    }
    if (unrunnable.length > 0) this.cannotRun(unrunnable, 'restart');
  }

  private restoredProblem(push: LivePush): string | undefined {
    return this.catalogueProblem(push) ?? this.buildProblem(push);
  }

  /** Why this bot's catalogue has not the set's strategy as approved (undefined when it has). */
  private catalogueProblem(push: LivePush): string | undefined {
    const mismatch = strategyMismatch(push.set.strategy, this.strategies);
    if (mismatch === undefined) return undefined;
    const leftOut = this.config.leftOut ?? [];
    return leftOut.length === 0 ? mismatch : `${mismatch}; strategy files left out: ${leftOut.join('; ')}`;
  }

  /**
   * The set cannot run (`problem`): nothing of it trades. A halt already in force keeps its mode (a
   * flatten stays one) and takes this reason, the one a resume must know (the earlier reason is in the
   * changes, or in the workstation's audit for a halt it asked for); otherwise the bot halts new entries.
   */
  private cannotRun(sets: readonly { push: LivePush; problem: string }[], key: string): void {
    const reasons = sets.map(
      ({ push, problem }) => `v${push.version} (${push.set.strategy.name}) is not traded: ${problem}`,
    );
    const held = this.stateValue.halt;
    if (held === null) this.halt('no-new-entries', reasons.join('; '));
    else this.update({ halt: { ...held, reason: reasons.join('; ') } });
    const { mode, at } = this.stateValue.halt!;
    sets.forEach(({ push }, k) =>
      this.recordChange(push, 'halt', `${at}:${key}`, at, { reason: `halted (${mode}): ${reasons[k]}` }),
    );
  }

  /**
   * The set's instance from bar i, or null when this bot cannot build it (another source, missing, or
   * create or init throws): then the set is not traded (see cannotRun).
   */
  private build(push: LivePush, i: number): Instance | null {
    let problem = this.catalogueProblem(push);
    if (problem === undefined)
      try {
        return this.instance(push, i);
      } catch (error) {
        problem = strategyFault(error, push.set.strategy.name);
      }
    this.cannotRun([{ push, problem }], `${this.bars.t[i]}:build`);
    return null;
  }

  /** The active set of a restored state, trading again from bar i as it was. */
  private resumeSet(push: LivePush, i: number): void {
    this.restoring = null;
    this.main = this.build(push, i);
    const previous = this.stateValue.previous;
    if (this.restoredWindDown && previous !== null && this.broker.units !== 0) {
      this.windDown = this.build(previous, i);
    }
    this.stepParameters();
    this.today.limit = push.set.limits.maxOrdersPerDay;
    this.applyGates();
  }

  /**
   * During a ramp from one set of a strategy to another, its interpolable parameters move with the
   * budget, step by step (taking effect at the next bar, like any change); at the end they are the new
   * set's. Outside a ramp nothing changes.
   */
  private stepParameters(): void {
    const { active, previous, ramp } = this.stateValue;
    const main = this.main;
    if (main === null || active?.ramp === undefined || ramp === null || previous === null) return;
    if (previous.set.strategy.name !== active.set.strategy.name || ramp.phase === 'rolled-back') return;
    const definition = this.config.catalogue[active.set.strategy.name];
    const weight = rampBudget(active.ramp, ramp);
    const params = rampParameters(definition, previous.set.parameters, active.set.parameters, weight);
    // Stepped while bar length - 1 is handled (its boundary or its close).
    this.reparameterize(main, params, this.length - 1, active);
  }

  private restore(progress: RunnerProgress): void {
    this.offset = progress.barsSeen;
    this.fillLog = new RecentLog(this.config.fillWindow ?? DEFAULT_FILL_WINDOW, progress.fills);
    this.broker.restoreAccount(progress.account, -1);
    this.positionVersion = progress.positionVersion;
    this.deciders.entryVersion = progress.entryVersion;
    this.deciders.exitVersion = progress.exitVersion;
    this.restoredWindDown = progress.windingDown;
    this.day = progress.day ?? NaN;
    this.today.used = progress.ordersToday;
    this.dayOpenEquity = progress.dayOpenEquity;
  }

  /** Drops the oldest `count` bars of a full buffer; every index into it moves back by `count`. */
  private slide(count: number): void {
    for (const column of ['t', 'o', 'h', 'l', 'c', 'v'] as const) {
      this.bars[column].copyWithin(0, count, this.length);
    }
    this.equity.copyWithin(0, count, this.length);
    this.versions.copyWithin(0, count, this.length);
    this.budgets.copyWithin(0, count, this.length);
    this.positions.copyWithin(0, count, this.length);
    this.cache.slide(count);
    this.broker.shiftBars(count);
    for (const instance of [this.main, this.windDown]) {
      if (instance !== null) instance.start = Math.max(0, instance.start - count);
    }
    this.length -= count;
    this.offset += count;
  }

  private switchTo(push: LivePush, i: number): void {
    const rollback = this.rollingBack;
    this.rollingBack = false;
    const old = this.stateValue.active;
    const main = this.main;
    const actions = switchActions(push.policy, this.broker.units !== 0);
    // A strategy that threw has no state worth keeping nor an exit to decide: the new set starts afresh.
    const fresh = main === null || main.failed === true || actions.windDown;
    // Built before anything changes: a set this bot cannot build (a restored pending one, or the last good
    // set a rollback returns to, whose file changed since) is dropped, and the running one stays, halted.
    const built = fresh ? this.build(push, i) : this.catalogueProblem(push) === undefined ? main : null;
    if (built === null) {
      if (!fresh)
        this.cannotRun([{ push, problem: this.catalogueProblem(push)! }], `${this.bars.t[i]}:build`);
      this.update({ pending: null });
      return;
    }
    if (!rollback) this.applyCounts.set(push.version, (this.applyCounts.get(push.version) ?? 0) + 1);
    if (main === null || main.failed) {
      this.main = built;
    } else if (actions.windDown) {
      main.gate.mode = 'exits-only';
      this.windDown = main;
      this.main = built;
    } else {
      // Same instance, same port object: the indicators and the strategy's own state carry over.
      this.reparameterize(main, push.set.parameters, i, push);
      main.gate.version = push.version;
      main.gate.maxFraction = push.set.limits.maxPositionFraction;
      if (actions.cancelWaiting) this.broker.cancelAll();
      if (actions.close) {
        this.broker.close();
        this.deciders.exitVersion = push.version;
      }
    }
    if (old !== null && this.main !== null) this.main.gate.noFlip = true;
    this.today.limit = push.set.limits.maxOrdersPerDay;
    this.update({
      active: push,
      previous: rollback ? this.stateValue.previous : (old ?? this.stateValue.previous),
      pending: null,
      ramp: old !== null && push.ramp !== undefined ? startRamp(push.ramp, this.lastEquity) : null,
    });
    this.stepParameters();
    this.applyGates();
  }

  /**
   * Why the set's strategy cannot be built on this bot (undefined when it can): its create or init
   * throws for these parameters (a trader's own file, usually, whose error names file, line and phase).
   * Tried when the set is pushed, on a throwaway instance whose gate lets no order out, so the push is
   * refused while the previous set trades on: found at the bar boundary instead, the throw would stop
   * the bar loop (or, when the switch keeps the running instance, a restart would meet it).
   */
  private buildProblem(push: LivePush): string | undefined {
    try {
      // On a scratch cache: a refused set (and an accepted one, whose instance is built at the boundary)
      // registers no indicator the bot would then step at every bar.
      this.instance(push, this.length, 'closed', this.cache.scratch());
      return undefined;
    } catch (error) {
      return strategyFault(error, push.set.strategy.name);
    }
  }

  private instance(
    push: LivePush,
    i: number,
    mode: GateMode = 'open',
    indicators: IndicatorCache = this.cache,
  ): Instance {
    const definition = this.config.catalogue[push.set.strategy.name];
    const gate = new GatedPort(this.broker, push.version, this.deciders, this.today);
    gate.mode = mode;
    gate.maxFraction = push.set.limits.maxPositionFraction;
    const strategy = definition.create(push.set.parameters);
    const options = resolveOptions(this.options, definition.convention);
    const start = strategy.init({ bars: this.bars, indicators, orders: gate, options });
    return { strategy, gate, start: Math.max(start, i) };
  }

  /** Gate modes from the halt, the position policy and the ramp, re-derived whenever one changes. */
  private applyGates(): void {
    const { halt, active, ramp, dailyLoss } = this.stateValue;
    const main = this.main;
    if (main === null) return;
    const flat = this.broker.units === 0;
    const waitingForFlat =
      !flat &&
      ((active?.policy === 'keep' && this.windDown !== null) ||
        (active?.policy === 'no-new-entries-until-flat' && this.positionVersion !== main.gate.version));
    main.gate.mode =
      halt?.mode === 'flatten'
        ? 'closed'
        : halt !== null || (dailyLoss ?? null) !== null
          ? 'exits-only'
          : this.windDown !== null && !flat
            ? 'closed'
            : waitingForFlat
              ? 'exits-only'
              : 'open';
    if (this.windDown !== null) this.windDown.gate.mode = halt?.mode === 'flatten' ? 'closed' : 'exits-only';
    main.gate.budget = ramp !== null && active?.ramp !== undefined ? rampBudget(active.ramp, ramp) : 1;
  }

  private recordExits(): void {
    const log = this.broker.trades;
    const now = this.bars.t[this.length - 1];
    for (let k = this.tradesSeen; k < log.count; k++) {
      const trade = tradeRecord(log, k);
      const reason = EXIT_REASON_NAMES[trade.exitReason];
      const protective = reason === 'StopLoss' || reason === 'TakeProfit' || reason === 'TrailingStop';
      const { entryTime, exitTime, entryPrice, exitPrice, size, pnl } = trade;
      // Opened and closed inside this bar (a stop reached in the entry bar): no close ever held the
      // position, so recordEntry cannot see its entry; the trade says it.
      const inside = entryTime === now;
      const entryVersion = inside ? this.deciders.entryVersion : this.positionVersion;
      const exitVersion = protective ? entryVersion : this.deciders.exitVersion;
      if (inside)
        this.fillLog.push({
          time: entryTime,
          side: size > 0 ? 'buy' : 'sell',
          units: Math.abs(size),
          price: entryPrice,
          kind: 'entry',
          version: entryVersion,
          reason: 'Signal',
        });
      this.exitLog.push({
        entryTime,
        exitTime,
        entryPrice,
        exitPrice,
        size,
        pnl,
        reason,
        entryVersion,
        exitVersion,
      });
      this.fillLog.push({
        time: exitTime,
        side: size > 0 ? 'sell' : 'buy',
        units: Math.abs(size),
        price: exitPrice,
        kind: 'exit',
        version: exitVersion,
        reason,
      });
    }
    this.tradesSeen = log.count;
  }

  /** An entry or an addition this bar: units further from zero than before, on the same side. */
  private recordEntry(unitsBefore: number, time: number): void {
    const units = this.broker.units;
    const base = Math.sign(units) === Math.sign(unitsBefore) ? unitsBefore : 0;
    if (units === 0 || Math.abs(units) <= Math.abs(base)) return;
    this.fillLog.push({
      time,
      side: units > 0 ? 'buy' : 'sell',
      units: Math.abs(units - base),
      price: this.broker.averageEntryPrice,
      kind: 'entry',
      version: this.deciders.entryVersion,
      reason: 'Signal',
    });
  }

  private stepRamp(i: number, unitsBefore: number): void {
    const { ramp, active, previous } = this.stateValue;
    if (ramp === null || active?.ramp === undefined || ramp.phase !== 'ramping') return;
    const reference = this.brokerOptions.fillAtClose ? this.bars.c[i] : this.bars.o[i];
    const moved = this.broker.units !== unitsBefore && this.broker.units !== 0;
    const slippageBps =
      moved && reference > 0 ? (Math.abs(this.broker.averageEntryPrice - reference) / reference) * 1e4 : 0;
    const next = advanceRamp(active.ramp, ramp, { equity: this.equity[i], slippageBps });
    this.update({ ramp: next });
    const at = this.bars.t[i];
    if (next.phase !== 'rolled-back') {
      if (next.step !== ramp.step || next.phase !== ramp.phase) {
        const budget = rampBudget(active.ramp, next);
        const kind = next.phase === 'complete' ? 'ramp-complete' : 'ramp-step';
        this.recordChange(active, kind, `${next.step}`, at, {
          step: next.step,
          budget,
          reason:
            kind === 'ramp-complete'
              ? `ramp complete: v${active.version} at full budget`
              : `ramp step ${next.step + 1} of ${active.ramp.steps.length}: budget ${budget}`,
        });
        this.stepParameters();
      }
      this.applyGates();
      return;
    }
    this.recordChange(active, 'rollback', `${next.step}`, at, {
      step: next.step,
      reason: `ramp rolled back${previous === null ? ' (no earlier set: halted)' : ` to v${previous.version}`}: ${next.reason ?? ''}`,
    });
    // Back to the last good set at the next boundary; without one, stop opening positions.
    if (previous === null) this.halt('no-new-entries', `ramp rolled back: ${next.reason}`);
    else {
      this.rollingBack = true;
      this.update({ pending: { ...previous, policy: switchPolicy(previous, active), ramp: undefined } });
    }
  }

  private checkHeartbeat(): void {
    const policy = this.config.heartbeat;
    if (policy === undefined || this.stateValue.halt !== null) return;
    if (this.stateValue.active === null && this.stateValue.pending === null) return;
    const silent = this.now() - this.lastHeartbeat;
    if (!(silent > policy.timeoutMs)) return;
    const reason = `no heartbeat from the workstation for ${Math.round(silent / 1000)} s`;
    this.halt(policy.mode, reason);
    const at = this.stateValue.halt!.at;
    this.recordChange((this.stateValue.active ?? this.stateValue.pending)!, 'halt', `${at}`, at, {
      reason: `halted (${policy.mode}): ${reason}`,
    });
  }

  private recordChange(
    about: LivePush,
    kind: BotStateChangeKind,
    key: string,
    at: number,
    what: { step?: number; budget?: number; reason: string },
  ): void {
    const kept = this.stateValue.changes ?? [];
    const seq = (kept.at(-1)?.seq ?? 0) + 1;
    const change: BotStateChange = {
      seq,
      id: `${about.changeId}:${kind}:${key}`,
      kind,
      at,
      version: about.version,
      changeId: about.changeId,
      ...what,
    };
    this.update({ changes: [...kept.slice(-(MAX_KEPT_CHANGES - 1)), change] });
  }

  private newDay(t: number): void {
    const day = utcDay(t);
    if (day === this.day) return;
    this.day = day;
    this.today.used = 0;
    // Bar i is already in the buffer: the day opened with the equity of the close before it.
    this.dayOpenEquity = this.length > 1 ? this.equity[this.length - 2] : this.brokerOptions.cash;
    if ((this.stateValue.dailyLoss ?? null) !== null) {
      this.update({ dailyLoss: null });
      this.applyGates();
    }
  }

  /** Realised and unrealised, at bar i's close: past maxDailyLoss, no new entries for the day. */
  private checkDailyLoss(i: number, equity: number): void {
    const active = this.stateValue.active;
    if (active === null || (this.stateValue.dailyLoss ?? null) !== null) return;
    const limit = active.set.limits.maxDailyLoss;
    const loss = dailyLossPassed(equity, this.dayOpenEquity, limit);
    if (loss === null) return;
    const percent = (x: number) => `${(x * 100).toFixed(2)} %`;
    this.update({
      dailyLoss: {
        day: this.day,
        at: this.bars.t[i],
        reason:
          `the day's loss of ${percent(loss)} from its opening equity ${this.dayOpenEquity.toFixed(2)} ` +
          `passed maxDailyLoss ${percent(limit)} (v${active.version}): no new entries until the next day`,
      },
    });
    this.applyGates();
  }

  private update(change: Partial<LiveBotState>): void {
    this.stateValue = { ...this.stateValue, ...change };
  }

  private now(): number {
    return (this.config.now ?? Date.now)();
  }
}
