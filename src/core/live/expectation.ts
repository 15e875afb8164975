import type { Bars } from '../data/bars.ts';
import { runBacktest } from '../engine/backtest.ts';
import { Broker } from '../engine/broker.ts';
import type { BacktestOptions } from '../engine/options.ts';
import { tradeRecords } from '../engine/trade-log.ts';
import { Adwin } from '../ml/drift/adwin.ts';
import { detectDrift } from '../ml/drift/index.ts';
import type { Strategy, StrategyContext, StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import { dailyLossPassed, GatedPort, utcDay, type DayOrders } from './gate.ts';
import { switchActions, switchPolicy, type PositionPolicy } from './modes.ts';
import type { ParameterSet } from './parameterSet.ts';
import { rampParameters } from './ramp.ts';
import type { LiveFill } from './runner.ts';

/**
 * Live against expectation: what the bot did, next to what the backtest engine does on the very bars the
 * bot saw with the versions it ran (the shadow backtest). The shadow starts at the first bar a version was
 * active and takes each later version at the bar boundary it took over, under the push's position
 * policy (keep: the old parameters still decide the exit of the position they opened, and the new ones
 * wait until flat), at the ramp budget the bot reported for each bar. So with simulated fills the two
 * agree fill for fill, and any difference is the live side's: a missed or extra fill, slippage, a halt.
 */
export interface LiveEvidence {
  /** The bars the bot saw, in order. */
  readonly bars: Bars;
  /** The set version active at each bar (0: none yet). */
  readonly versions: ArrayLike<number>;
  /**
   * Share of a full entry the active set could commit at each bar (its ramp budget; 1 outside a ramp).
   * Absent: 1 throughout, so a ramped bot's equity runs below the shadow's.
   */
  readonly budgets?: ArrayLike<number>;
  /** The bot's equity at each bar's close. */
  readonly equity: ArrayLike<number>;
  readonly fills: readonly LiveFill[];
  /**
   * Time of the oldest of `fills` when the bot dropped older ones before they were read: the shadow's
   * fills before it have no live record to match and are left out of the reconciliation.
   */
  readonly fillsSince?: number;
  /** Units the bot held at each bar's close, as it reported them (see `afterGap`). */
  readonly positions?: ArrayLike<number>;
  /**
   * The bars start after bars the bot saw and never sent (its window dropped them, or they were seen
   * before a restart of the workstation). With `positions`, the shadow then does not start flat beside a
   * bot that is not: at its first bar it takes the bot's position and equity at that close, and is
   * compared from the next bar on. So is it when the bot held a position at the close before the first
   * bar a version was active (a bot restarted mid-position reports the bars it warmed up on as version 0).
   */
  readonly afterGap?: boolean;
}

export interface ExpectationOptions {
  /** The sets by version; a version missing here ends the shadow at the bar it took over. */
  readonly sets: ReadonlyMap<number, ParameterSet>;
  /** The position policy each version was pushed with (adopt when absent). */
  readonly policies?: ReadonlyMap<number, PositionPolicy>;
  readonly catalogue: Readonly<Record<string, StrategyDefinition>>;
  /** The bot's backtest options (the reference bot's defaults when absent). */
  readonly backtest?: BacktestOptions;
  /** Band half-width in standard deviations (2: about 95 % under normal returns). */
  readonly z?: number;
  /** Fills this many bars apart still match (an order resting one bar longer live). */
  readonly matchBars?: number;
  /** ADWIN's confidence (River's default 0.002). */
  readonly driftDelta?: number;
}

/** One fill the shadow backtest made. */
export interface ShadowFill {
  readonly time: number;
  readonly side: 'buy' | 'sell';
  readonly kind: 'entry' | 'exit';
  readonly price: number;
  readonly units: number;
}

export interface MatchedFill {
  readonly kind: 'entry' | 'exit';
  readonly side: 'buy' | 'sell';
  readonly liveTime: number;
  readonly shadowTime: number;
  readonly livePrice: number;
  readonly shadowPrice: number;
  /** Positive when the live fill was worse than the shadow's (paid more, received less). */
  readonly slippageBps: number;
}

export interface Reconciliation {
  readonly matched: readonly MatchedFill[];
  /** Fills the shadow made that the bot did not. */
  readonly missed: readonly ShadowFill[];
  /** Fills the bot made that the shadow did not. */
  readonly extra: readonly LiveFill[];
  /** Mean over matched fills (null with none). */
  readonly meanSlippageBps: number | null;
}

/** A live figure against the band the shadow backtest gives it; `inside` is null without live data. */
export interface Band {
  readonly live: number | null;
  readonly expected: number;
  readonly low: number;
  readonly high: number;
  readonly inside: boolean | null;
}

export interface EquityPoint {
  readonly time: number;
  readonly live: number;
  readonly expected: number;
  readonly low: number;
  readonly high: number;
}

export interface LiveExpectation {
  /** First bar a version was active (null: the bot has run no set yet, nothing to compare). */
  readonly from: number | null;
  /** Bars the shadow covers from `from` (it stops at a version it has no set for). */
  readonly bars: number;
  readonly equity: readonly EquityPoint[];
  readonly reconciliation: Reconciliation;
  readonly bands: {
    /** Mean daily return. */
    readonly dailyReturn: Band;
    /** Closed trades per day. */
    readonly tradeRate: Band;
    /** Share of closed trades with a positive P&L. */
    readonly winRate: Band;
  };
  /** ADWIN over the live per-bar returns: the bar time of the first detection, or null. */
  readonly drift: { readonly detectedAt: number | null; readonly detections: number };
}

const DAY_MS = 86_400_000;

export function liveExpectation(evidence: LiveEvidence, options: ExpectationOptions): LiveExpectation {
  const z = options.z ?? 2;
  const n = evidence.bars.t.length;
  let from = -1;
  for (let i = 0; i < n && from < 0; i++) if (evidence.versions[i] > 0) from = i;
  const emptyBand: Band = { live: null, expected: 0, low: 0, high: 0, inside: null };
  if (from < 0)
    return {
      from: null,
      bars: 0,
      equity: [],
      reconciliation: { matched: [], missed: [], extra: [], meanSlippageBps: null },
      bands: { dailyReturn: emptyBand, tradeRate: emptyBand, winRate: emptyBand },
      drift: { detectedAt: null, detections: 0 },
    };

  const first = options.sets.get(evidence.versions[from]);
  let to = first === undefined ? from : n;
  for (let i = from + 1; i < n && to === n; i++) {
    const version = evidence.versions[i];
    if (version === evidence.versions[i - 1]) continue;
    const set = options.sets.get(version);
    if (set === undefined || set.strategy.name !== first?.strategy.name) to = i;
  }
  const definition = first === undefined ? undefined : options.catalogue[first.strategy.name];
  const positions = evidence.positions;
  const resume =
    positions !== undefined && (evidence.afterGap === true || (from > 0 && positions[from - 1] !== 0))
      ? { positions, equity: evidence.equity }
      : undefined;
  // Over every bar seen, so indicators have the history the bot's had, trading from `from` on as the
  // bot's instance did (its start is the later of its warm-up and the bar the set took over).
  const run =
    definition === undefined || first === undefined || to - from === 0
      ? undefined
      : runBacktest(
          sliceBars(evidence.bars, 0, to),
          shadowOf(definition, {
            ...evidence,
            from,
            to,
            sets: options.sets,
            policies: options.policies,
            resume,
          }),
          first.parameters,
          options.backtest ?? {},
        );

  // Resumed, the shadow took the bot's account at its first bar's close: compared from the next bar on.
  const resumedAt = resume === undefined || run === undefined ? -1 : Math.max(from, run.startIndex);
  const begin = resumedAt < 0 ? from : Math.min(resumedAt, to);
  const after = (time: number): boolean =>
    resumedAt < 0 ? time >= evidence.bars.t[from] : time > evidence.bars.t[resumedAt];
  const shadowFills: ShadowFill[] = [];
  const shadowTrades = run === undefined ? [] : tradeRecords(run.trades);
  for (const trade of shadowTrades) {
    const long = trade.size > 0;
    const units = Math.abs(trade.size);
    shadowFills.push(
      { time: trade.entryTime, side: long ? 'buy' : 'sell', kind: 'entry', price: trade.entryPrice, units },
      { time: trade.exitTime, side: long ? 'sell' : 'buy', kind: 'exit', price: trade.exitPrice, units },
    );
  }
  if (run?.openTrade) {
    const open = run.openTrade;
    shadowFills.push({
      time: open.entryTime,
      side: open.size > 0 ? 'buy' : 'sell',
      kind: 'entry',
      price: open.entryPrice,
      units: Math.abs(open.size),
    });
  }
  const endTime = to > begin ? evidence.bars.t[to - 1] : -Infinity;
  const liveFills = evidence.fills.filter((f) => after(f.time) && f.time <= endTime);
  const compared = shadowFills.filter((f) => after(f.time));
  const reconciliation = reconcileFills(
    liveFills,
    evidence.fillsSince === undefined ? compared : heldSince(compared, evidence.fills, evidence.fillsSince),
    evidence.bars.t,
    options.matchBars ?? 1,
  );

  const shadowEquity = run?.equity.subarray(begin) ?? new Float64Array(0);
  const barReturns = returnsOf(shadowEquity);
  const barSd = standardDeviation(barReturns);
  const start = evidence.equity[begin];
  const equity: EquityPoint[] = [];
  for (let k = 0; k < to - begin; k++) {
    const expected = (start * shadowEquity[k]) / shadowEquity[0];
    const width = z * barSd * Math.sqrt(k);
    equity.push({
      time: evidence.bars.t[begin + k],
      live: evidence.equity[begin + k],
      expected,
      low: expected * Math.exp(-width),
      high: expected * Math.exp(width),
    });
  }

  const liveEquity = Array.from({ length: to - begin }, (_, k) => evidence.equity[begin + k]);
  const days = Math.max((endTime - evidence.bars.t[begin]) / DAY_MS, 1);
  const shadowDaily = dailyReturns(evidence.bars.t, begin, shadowEquity);
  const liveDaily = dailyReturns(evidence.bars.t, begin, liveEquity);
  const dailyMean = mean(shadowDaily);
  const dailyWidth = (z * standardDeviation(shadowDaily)) / Math.sqrt(Math.max(liveDaily.length, 1));
  const liveExits = liveFills.filter((f) => f.kind === 'exit');
  const expectedTrades = shadowTrades.length;
  const tradeWidth = z * Math.sqrt(Math.max(expectedTrades, 1));
  const shadowWinRate =
    expectedTrades === 0 ? 0 : shadowTrades.filter((t) => t.pnl > 0).length / expectedTrades;
  const liveWins = liveTradeWins(liveFills);
  const winWidth =
    liveWins.trades === 0 ? 0 : z * Math.sqrt((shadowWinRate * (1 - shadowWinRate)) / liveWins.trades);

  // ADWIN's cut bound holds for values in [0, 1]; per-bar returns are a few basis points, so raw they
  // would never clear its additive term. Scaled by the backtest's own volatility, +-4 sd spans [0, 1].
  const liveReturns = returnsOf(liveEquity);
  const scale = 8 * (barSd > 0 ? barSd : standardDeviation(liveReturns) || 1);
  const scaled = liveReturns.map((r) => Math.min(Math.max(0.5 + r / scale, 0), 1));
  const detections = detectDrift(scaled, new Adwin({ delta: options.driftDelta ?? 0.002 }));

  return {
    from: begin,
    bars: to - begin,
    equity,
    reconciliation,
    bands: {
      // Under two days of returns there is no spread to draw a band from: no verdict, not "inside".
      dailyReturn: band(
        liveDaily.length === 0 || shadowDaily.length < 2 ? null : mean(liveDaily),
        dailyMean,
        dailyMean - dailyWidth,
        dailyMean + dailyWidth,
      ),
      tradeRate: band(
        liveExits.length / days,
        expectedTrades / days,
        Math.max(expectedTrades - tradeWidth, 0) / days,
        (expectedTrades + tradeWidth) / days,
      ),
      winRate: band(
        liveWins.trades === 0 ? null : liveWins.wins / liveWins.trades,
        shadowWinRate,
        Math.max(shadowWinRate - winWidth, 0),
        Math.min(shadowWinRate + winWidth, 1),
      ),
    },
    // returns[k] is the move into bar from + k + 1.
    drift: {
      detectedAt: detections.length === 0 ? null : evidence.bars.t[begin + detections[0] + 1],
      detections: detections.length,
    },
  };
}

/**
 * Pairs each live fill with the earliest unmatched shadow fill of the same kind and side at most
 * `matchBars` bars away; what is left on either side is missed or extra.
 */
export function reconcileFills(
  live: readonly LiveFill[],
  shadow: readonly ShadowFill[],
  times: ArrayLike<number>,
  matchBars: number,
): Reconciliation {
  const index = new Map<number, number>();
  for (let i = 0; i < times.length; i++) index.set(times[i], i);
  const barOf = (time: number): number => index.get(time) ?? NaN;
  const sortedShadow = [...shadow].sort((a, b) => a.time - b.time);
  const used = new Uint8Array(sortedShadow.length);
  const matched: MatchedFill[] = [];
  const extra: LiveFill[] = [];
  for (const fill of [...live].sort((a, b) => a.time - b.time)) {
    const bar = barOf(fill.time);
    const k = sortedShadow.findIndex(
      (s, j) =>
        used[j] === 0 &&
        s.kind === fill.kind &&
        s.side === fill.side &&
        Math.abs(barOf(s.time) - bar) <= matchBars,
    );
    if (k < 0) {
      extra.push(fill);
      continue;
    }
    used[k] = 1;
    const s = sortedShadow[k];
    const adverse = fill.side === 'buy' ? fill.price - s.price : s.price - fill.price;
    matched.push({
      kind: fill.kind,
      side: fill.side,
      liveTime: fill.time,
      shadowTime: s.time,
      livePrice: fill.price,
      shadowPrice: s.price,
      slippageBps: s.price > 0 ? (adverse / s.price) * 1e4 : 0,
    });
  }
  const missed = sortedShadow.filter((_, j) => used[j] === 0);
  return {
    matched,
    missed,
    extra,
    meanSlippageBps: matched.length === 0 ? null : mean(matched.map((m) => m.slippageBps)),
  };
}

/**
 * The shadow's fills from `since` on, less those at `since` itself the bot dropped: a reversal's exit
 * and entry share a bar, and the window may have cut between them (both logs keep a bar's fills in
 * order, so the dropped ones are the first).
 */
function heldSince(shadow: readonly ShadowFill[], live: readonly LiveFill[], since: number): ShadowFill[] {
  const liveAt = live.filter((f) => f.time === since).length;
  let skip = shadow.filter((f) => f.time === since).length - liveAt;
  return shadow.filter((f) => f.time > since || (f.time === since && skip-- <= 0));
}

/** Closed live trades and their winners, from entry and exit fills in order (P&L from prices). */
function liveTradeWins(fills: readonly LiveFill[]): { trades: number; wins: number } {
  let trades = 0;
  let wins = 0;
  let entry: LiveFill | null = null;
  for (const fill of fills) {
    if (fill.kind === 'entry') {
      entry ??= fill;
      continue;
    }
    if (entry === null) continue;
    const direction = entry.side === 'buy' ? 1 : -1;
    trades++;
    if ((fill.price - entry.price) * direction > 0) wins++;
    entry = null;
  }
  return { trades, wins };
}

function band(live: number | null, expected: number, low: number, high: number): Band {
  return { live, expected, low, high, inside: live === null ? null : live >= low && live <= high };
}

/** Close-to-close return of each UTC day, from the last equity of each day. */
function dailyReturns(times: ArrayLike<number>, from: number, equity: ArrayLike<number>): number[] {
  const closes: number[] = [];
  let day = NaN;
  for (let k = 0; k < equity.length; k++) {
    const d = Math.floor(times[from + k] / DAY_MS);
    if (d === day) closes[closes.length - 1] = equity[k];
    else closes.push(equity[k]);
    day = d;
  }
  return returnsOf(closes);
}

function returnsOf(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let k = 1; k < values.length; k++) out.push(values[k - 1] === 0 ? 0 : values[k] / values[k - 1] - 1);
  return out;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

interface ShadowPlan {
  readonly versions: ArrayLike<number>;
  readonly budgets?: ArrayLike<number>;
  readonly sets: ReadonlyMap<number, ParameterSet>;
  readonly policies?: ReadonlyMap<number, PositionPolicy>;
  /** First bar a set was active, and the end of the bars the shadow covers. */
  readonly from: number;
  readonly to: number;
  /** The bot's account to take at the first bar traded (see LiveEvidence.afterGap). */
  readonly resume?: { readonly positions: ArrayLike<number>; readonly equity: ArrayLike<number> };
}

interface Decider {
  readonly strategy: Strategy;
  readonly gate: GatedPort;
  readonly version: number;
  readonly start: number;
}

/**
 * The strategy as the bot ran it, over the engine's broker: each set through a gate (its ramp budget,
 * its position limit), a new version taken after the close of the bar before it took over, as the bot
 * takes a push at the bar boundary, under the version's position policy.
 */
function shadowOf(definition: StrategyDefinition, plan: ShadowPlan): StrategyDefinition {
  const deciders = { entryVersion: 0, exitVersion: 0 };
  return {
    ...definition,
    create: () => {
      // Today's orders under the active set's maxOrdersPerDay, counted across its gates as the bot's are.
      const dayOrders: DayOrders = { used: 0, limit: Infinity };
      let context: StrategyContext;
      let main: Decider;
      /** The previous set deciding the exit of the position it opened (policy keep). */
      let windDown: Decider | null = null;
      let waitForFlat = false;
      /** The version before the last switch: a ramp's interpolable parameters move from its values. */
      let before = 0;
      const decider = (version: number, i: number): Decider => {
        const set = plan.sets.get(version)!;
        const gate = new GatedPort(context.orders, version, deciders, dayOrders);
        gate.maxFraction = set.limits.maxPositionFraction;
        const strategy = definition.create(set.parameters);
        return { strategy, gate, version, start: Math.max(strategy.init({ ...context, orders: gate }), i) };
      };
      /** The parameters the bot ran at budget `weight` of a ramp from `before` (see rampParameters). */
      const parametersAt = (weight: number): StrategyParams => {
        const to = plan.sets.get(main.version)!.parameters;
        const from = plan.sets.get(before)?.parameters;
        return from === undefined ? to : rampParameters(definition, from, to, weight);
      };
      const switchTo = (version: number, i: number): void => {
        before = main.version;
        const policyOf = (v: number) => ({ version: v, policy: plan.policies?.get(v) ?? 'adopt' });
        const actions = switchActions(
          switchPolicy(policyOf(version), policyOf(main.version)),
          context.orders.position !== 0,
        );
        if (actions.windDown) {
          windDown = main;
          main = decider(version, i);
        } else {
          main = { ...main, version };
          main.gate.version = version;
          main.gate.maxFraction = plan.sets.get(version)!.limits.maxPositionFraction;
          // The engine hands the strategy its own broker.
          if (actions.cancelWaiting && context.orders instanceof Broker) context.orders.cancelAll();
          if (actions.close) main.gate.close();
          waitForFlat = actions.waitForFlat;
        }
        main.strategy.reparameterize(parametersAt(plan.budgets?.[i] ?? 1));
        main.gate.noFlip = true;
      };
      // The daily limits as the runner keeps them: the day opens with the last close's equity.
      let day: number | null = null;
      let dayOpenEquity = 0;
      let lastEquity = 0;
      let lossStop = false;
      let resumed = false;
      /** The bot's account at bar i's close, before the strategy decides at it (as the bot did). */
      const resume = (bot: NonNullable<ShadowPlan['resume']>, i: number): void => {
        const broker = context.orders;
        if (!(broker instanceof Broker)) return;
        const units = bot.positions[i];
        const close = context.bars.c[i];
        broker.restoreAccount(
          {
            ...broker.account(i),
            cash: bot.equity[i] - units * close,
            units,
            // Where the bot entered is not reported: the position is taken as bought at this close.
            entryPrice: close,
            entryTime: context.bars.t[i],
            entryCommission: 0,
            entryBarsAgo: 0,
            stopLoss: null,
            takeProfit: null,
            trailDistance: null,
            trailLevel: null,
            orders: [],
          },
          i,
        );
      };
      return {
        init: (ctx) => {
          context = ctx;
          // Nothing is held before the first decision: the engine's broker holds its starting cash.
          if (ctx.orders instanceof Broker) lastEquity = ctx.orders.cash;
          main = decider(plan.versions[plan.from], plan.from);
          return main.start;
        },
        onBar: (i) => {
          if (!resumed && plan.resume !== undefined) resume(plan.resume, i);
          resumed = true;
          const flat = context.orders.position === 0;
          if (flat) {
            windDown = null;
            waitForFlat = false;
          }
          const budget = plan.budgets?.[i] ?? 1;
          // A ramp's step took effect at this bar's boundary: so did its interpolated parameters.
          if (budget !== main.gate.budget) main.strategy.reparameterize(parametersAt(budget));
          main.gate.budget = budget;
          const broker = context.orders;
          const equity =
            broker instanceof Broker ? broker.cash + broker.units * context.bars.c[i] : lastEquity;
          const today = utcDay(context.bars.t[i]);
          if (today !== day) {
            day = today;
            dayOpenEquity = lastEquity;
            lossStop = false;
            dayOrders.used = 0;
          }
          const { limits } = plan.sets.get(main.version)!;
          dayOrders.limit = limits.maxOrdersPerDay;
          lossStop ||= dailyLossPassed(equity, dayOpenEquity, limits.maxDailyLoss) !== null;
          lastEquity = equity;
          main.gate.mode = lossStop
            ? 'exits-only'
            : windDown !== null
              ? 'closed'
              : waitForFlat
                ? 'exits-only'
                : 'open';
          if (windDown !== null) {
            windDown.gate.mode = 'exits-only';
            if (i >= windDown.start) windDown.strategy.onBar(i);
          }
          if (i >= main.start) main.strategy.onBar(i);
          main.gate.noFlip = false;
          const next = i + 1 < plan.to ? plan.versions[i + 1] : main.version;
          if (next !== main.version) switchTo(next, i + 1);
        },
        reparameterize: () => {
          throw new Error('the shadow takes its versions from the evidence, not from parameter changes');
        },
      };
    },
  };
}

function sliceBars(bars: Bars, from: number, to: number): Bars {
  return {
    t: bars.t.slice(from, to),
    o: bars.o.slice(from, to),
    h: bars.h.slice(from, to),
    l: bars.l.slice(from, to),
    c: bars.c.slice(from, to),
    v: bars.v.slice(from, to),
  };
}
