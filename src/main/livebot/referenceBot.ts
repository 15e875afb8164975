import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSyntheticMarket } from '../../core/data/synthetic.ts';
import type { Bars } from '../../core/data/bars.ts';
import type { BacktestOptions } from '../../core/engine/options.ts';
import {
  LiveRunner,
  type HeartbeatPolicy,
  type LiveBar,
  type LiveBotSnapshot,
  type LiveFill,
} from '../../core/live/runner.ts';
import type { Session } from '../../core/ml/learner/ledger.ts';
import { OrderType, Sizing } from '../../core/strategy-api/order-port.ts';
import type { OrderPort } from '../../core/strategy-api/order-port.ts';
import { STRATEGIES } from '../../core/strategy/registry.ts';
import type { StrategyDefinition } from '../../core/strategy-api/types.ts';
import { DEMO_MARKET } from '../services/demoMarket.ts';
import { RecentLog } from '../../core/live/recentLog.ts';
import { strategyProblemText, type StrategyProblem } from '../../shared/userStrategy.ts';
import { RestingExitSchema, type PaperFill, type RestingExit } from './alpacaPaper.ts';
import { bookOf, startBotServer, type BotServer } from './botServer.ts';

/**
 * The reference bot, `regimen bot`: a LiveRunner fed by a bar source at a chosen speed, serving the
 * bot protocol, persisting what it applied. It is the template for a trader's own bot: what it does
 * with a push (verify, validate, take at a bar boundary, ramp, keep exits) is the kit's.
 */
export interface ReferenceBotOptions {
  /** The bars replayed (all of them, unless `live` is given: then none are, the feed brings them). */
  readonly bars: Bars;
  /** Bars arriving as they close (the Alpaca stream), in place of the replay. */
  readonly live?: LiveBarFeed;
  /**
   * An account that executes the book's position (Alpaca paper): the strategy decides against the
   * simulated book, as in the backtest the shadow compares with, and each change of the book's
   * position is sent through this order port as a market order for the difference.
   */
  readonly execution?: ExecutionAccount;
  readonly symbol: string;
  /**
   * The hours of the symbol's bars it trades, as its status tells the workstation (which reads the
   * bot's candidates in that session); absent: its status does not say, as a bot before it.
   */
  readonly session?: Session;
  /**
   * The trader's own strategies (loadBotStrategies), run beside the built-ins: a set names one by its
   * name, version and source hash, and the bot refuses a set whose strategy or source it does not have.
   */
  readonly strategies?: Readonly<Record<string, StrategyDefinition>>;
  /**
   * The strategy files that did not load (loadBotStrategies' problems): a restored set whose strategy is
   * missing names them, since one of them is usually why.
   */
  readonly strategyProblems?: readonly StrategyProblem[];
  /** Replay speed: a multiple of real time (gap between bars / speed); Infinity replays at once. */
  readonly speed: number;
  readonly secret: string;
  readonly heartbeat: HeartbeatPolicy;
  /**
   * Where the applied version, ramp, halt and the feed's progress persist: a restart applies nothing
   * twice, warms the indicators over the bars already seen and goes on from the next one.
   */
  readonly statePath?: string;
  /** Bars the live buffer holds (a sliding window); default the whole source, at most 100,000. */
  readonly capacity?: number;
  /**
   * Bars of history a live feed warms the indicators with before its first bar (default 2,000, at
   * most half the buffer; 0: none): the longest look-back of any set the bot may run.
   */
  readonly warmUpBars?: number;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  readonly backtest?: BacktestOptions;
  readonly log?: (line: string) => void;
}

/** A source of closed bars in time order; a bar may come twice (after a reconnect): the bot skips it. */
export interface LiveBarFeed {
  /** Resolves once bars flow (subscribed); rejects when the source refuses the bot. */
  start(onBar: (bar: LiveBar) => void): Promise<void>;
  /** The last `count` bars that closed before `before` (epoch ms): the indicators' warm-up. */
  history?(before: number, count: number): Promise<Bars>;
  stop(): Promise<void>;
}

/** An order port on a real account, with its asynchronous side (see AlpacaPaperPort). */
export interface ExecutionAccount extends OrderPort {
  /** The account's newest fills, numbered since the port started. */
  readonly fills: RecentLog<PaperFill>;
  readonly cash: number;
  /** The account's equity as the broker last reported it. */
  readonly equity: number;
  /** Sends what is queued, then reads the position back. */
  flush(): Promise<void>;
  /**
   * Rests these protective levels (NaN: none) on the account as orders, placed, replaced or cancelled
   * to match: the book's stop and take-profit protect the account between bars as a broker's do.
   */
  protect(stop: number, target: number): Promise<void>;
  /** The exit orders resting now (kept in the state file). */
  readonly restingExit: RestingExit | null;
  /** Units a resting stop that filled in part is still filling at the market (0: none). */
  readonly stopping: number;
  /** Takes over the exit orders a previous run left resting (from the state file). */
  adoptRestingExit(exit: RestingExit): void;
}

export interface ReferenceBot {
  readonly url: string;
  readonly port: number;
  readonly runner: LiveRunner;
  /** Settles when the source has no more bars (the bot keeps serving). */
  readonly replayed: Promise<void>;
  /** Bars a live feed delivered again (at or before the last bar traded), and skipped. */
  readonly repeatsSkipped: () => number;
  /** Settles once every bar a live feed delivered so far is traded and followed (a replay: at its end). */
  readonly idle: () => Promise<void>;
  close(): Promise<void>;
}

/** Longest wait between two bars whatever the gap (a weekend in a replay at speed 1). */
const MAX_BAR_WAIT_MS = 60_000;

export async function startReferenceBot(options: ReferenceBotOptions): Promise<ReferenceBot> {
  const state = options.statePath === undefined ? undefined : readState(options.statePath);
  const live = options.live;
  const capacity =
    options.capacity ??
    (live ? MAX_DEFAULT_CAPACITY : Math.max(1, Math.min(options.bars.t.length, MAX_DEFAULT_CAPACITY)));
  const runner = new LiveRunner({
    catalogue: { ...STRATEGIES, ...options.strategies },
    capacity,
    backtest: options.backtest,
    heartbeat: options.heartbeat,
    state,
    leftOut: options.strategyProblems?.map(strategyProblemText),
  });
  const log = options.log ?? (() => undefined);
  // A restored set this bot cannot run (its file edited or broken since) halted the runner: said at once.
  if (runner.state.halt !== null && runner.state.halt !== state?.halt)
    log(`halted: ${runner.state.halt.reason}`);
  const first =
    live || state?.progress === undefined ? 0 : resumeAt(options.bars, state.progress, options.statePath);
  if (!live) runner.warmUp(options.bars, first);
  const execution = options.execution;
  // What the account executed, as the protocol reports it (numbered on across restarts).
  const executed = new RecentLog<LiveFill>(FILL_WINDOW, state?.executionFills ?? 0);
  // The stop a previous run left resting still protects the position: kept, not placed again.
  if (execution && state?.restingExit) execution.adoptRestingExit(state.restingExit);
  const aside: StandAside = { side: state?.standAside ?? 0 };
  let deferred: FollowedFill[] = [];
  const persist = (): void => {
    if (options.statePath !== undefined)
      writeState(options.statePath, {
        ...runner.snapshot(),
        ...(execution
          ? { executionFills: executed.total, restingExit: execution.restingExit, standAside: aside.side }
          : {}),
      });
  };
  const server: BotServer = await startBotServer({
    runner,
    ...(execution ? { book: bookOf(execution, () => execution.equity, executed) } : {}),
    secret: options.secret,
    symbol: options.symbol,
    ...(options.session === undefined ? {} : { session: options.session }),
    heartbeat: options.heartbeat,
    host: options.host,
    port: options.port,
    tls: options.tls,
    onChange: persist,
    log: options.log,
  });
  let stopped = false;
  // A restarted bot has traded up to its saved bar: a feed that sends that bar again is not traded twice.
  let lastTraded = state?.progress?.lastBarTime ?? -Infinity;
  let repeats = 0;
  const warmUpBars = Math.min(options.warmUpBars ?? DEFAULT_WARM_UP_BARS, capacity >> 1);
  let warm = live?.history === undefined || warmUpBars === 0;
  const warmUp = async (before: number): Promise<void> => {
    warm = true;
    try {
      const history = await live!.history!(before, warmUpBars);
      runner.warmUpLive(history);
      log(`warmed up on ${history.t.length} bars of ${options.symbol} before the first live bar`);
    } catch (error) {
      log(`warm-up: ${(error as Error).message}; the indicators start on live bars`);
    }
  };
  const step = async (bar: LiveBar): Promise<void> => {
    if (bar.t <= lastTraded) {
      repeats++;
      return;
    }
    lastTraded = bar.t;
    if (!warm) await warmUp(bar.t);
    const decided = runner.fillRecord.total;
    runner.onBar(bar);
    persist();
    if (execution === undefined) return;
    const fills = await follow(execution, runner, aside, options.symbol, log);
    const by = runner.fillRecord.since(decided);
    const waited = deferred;
    deferred = [];
    for (const fill of [...waited, ...fills]) {
      // Reported with the next bar, where the book's fill is: a market order sent at this close (it
      // fills at the next open), and a resting exit the book did not make at this bar (it filled after
      // the bar closed, in the bar the bot has not seen yet: its stop is there before the bot is). The
      // rest of a stop that filled in part at an earlier bar filled in this one, as a market order.
      const early =
        !waited.includes(fill) &&
        fill.fill.rest !== true &&
        (fill.fill.reason === undefined ||
          !by.some((f) => f.kind === 'exit' && f.side === fill.fill.side && PROTECTIVE.has(f.reason)));
      if (early) deferred.push(fill);
      else for (const part of reported(fill, bar.t, by, runner)) executed.push(part);
    }
    // Also without fills: the resting exit may have been placed or moved.
    persist();
  };
  let replayed: Promise<void>;
  let idle = (): Promise<void> => replayed;
  let stopLive = async (): Promise<void> => undefined;
  if (live) {
    let chain = Promise.resolve();
    idle = () => chain;
    await live.start((bar) => {
      chain = chain.then(() => step(bar));
    });
    let ended = (): void => undefined;
    const end = new Promise<void>((resolve) => (ended = resolve));
    replayed = end.then(() => chain);
    stopLive = async () => {
      await live.stop();
      ended();
    };
  } else {
    const replay = async (): Promise<void> => {
      const { t, o, h, l, c, v } = options.bars;
      for (let i = first; i < t.length && !stopped; i++) {
        await step({ t: t[i], o: o[i], h: h[i], l: l[i], c: c[i], v: v[i] });
        const wait = i + 1 < t.length ? Math.min((t[i + 1] - t[i]) / options.speed, MAX_BAR_WAIT_MS) : 0;
        // Even at full speed, yield to the event loop so requests are served between bars.
        await sleep(Number.isFinite(wait) && wait > 0 ? wait : 0);
      }
    };
    replayed = replay();
  }
  return {
    url: server.url,
    port: server.port,
    runner,
    replayed,
    repeatsSkipped: () => repeats,
    idle: () => idle(),
    close: async () => {
      stopped = true;
      await stopLive();
      await replayed;
      // A resting exit waiting for its bar is reported with the last one rather than lost.
      for (const fill of deferred)
        for (const part of reported(fill, lastTraded, [], runner)) executed.push(part);
      persist();
      await server.close();
    },
  };
}

/**
 * The side (1 long, -1 short) of a book position the account's resting exit closed before the book
 * did (a broker's trade the bars never showed): the account stays flat rather than buying the position
 * back, until the book's position closes too. 0: following.
 */
interface StandAside {
  side: number;
}

/**
 * Brings the account's position to the book's: first what an earlier failed flush left is sent and the
 * position read back with the resting exit's fills (so a lost answer never sends the same difference
 * twice), then the difference is sent as one market order (the port cancels the resting exit before
 * anything that reduces the position), then the book's protective levels rest on what the account
 * holds. A failure is logged and retried at the next bar.
 */
async function follow(
  account: ExecutionAccount,
  book: LiveRunner,
  aside: StandAside,
  symbol: string,
  log: (line: string) => void,
): Promise<FollowedFill[]> {
  const known = account.fills.total;
  let held = account.position;
  try {
    const protectedSide = Math.sign(account.position);
    await account.flush();
    // Where the book's orders decided at this close take it at the next open: sent now, they fill there.
    const next = book.nextOpen();
    const position = next.position;
    const exited = account.fills.since(known).find((fill) => fill.reason !== undefined);
    if (exited && account.position === 0 && Math.sign(position) === protectedSide && protectedSide !== 0) {
      aside.side = protectedSide;
      log(
        `the account's resting ${exited.reason} filled at ${exited.price} while the book still holds ` +
          `${position}: the account stays flat until the book's position closes`,
      );
    }
    if (Math.sign(position) !== aside.side) aside.side = 0;
    // nextOpen sizes the book's order at this close, the book fills it sized at the next open (where the
    // buying-power cap may bind): the few units between them are topped up at the next bar, bounded by
    // that cap's move over one bar, rather than waiting a bar to send the order sized exactly.
    // The book is flat and the account's stop, filled in part, is selling the rest at the market: an
    // order of the bot's would cancel it to sell the same units.
    const finishing = position === 0 && account.stopping === Math.abs(account.position);
    const difference = finishing ? 0 : (aside.side === 0 ? position : 0) - account.position;
    const opens =
      next.exits !== null && aside.side === 0 && Math.sign(position) !== Math.sign(account.position);
    if (difference !== 0) {
      const id = account.submit(
        difference > 0 ? 1 : -1,
        OrderType.Market,
        Sizing.Units,
        Math.abs(difference),
      );
      // The position opening gets the book's levels at the account's own fill price, resting before the
      // bar that may reach them, as the book's are checked in its entry bar.
      if (opens)
        account.attachExits(id, next.exits.stopDistance, next.exits.targetDistance, next.exits.trailDistance);
      await account.flush();
    }
    if (!opens) {
      const levels = book.exitLevels;
      await account.protect(levels.stop, levels.target);
    }
  } catch (error) {
    log(`paper account: ${(error as Error).message}; trying again at the next bar`);
  }
  return account.fills.since(known).map((fill) => {
    const resting = fill.reason === undefined ? '' : `, resting ${fill.reason}`;
    log(
      `paper fill: ${fill.side} ${fill.units} ${symbol} at ${fill.price} (order ${fill.orderId}${resting})`,
    );
    const before = held;
    held += fill.side === 'buy' ? fill.units : -fill.units;
    return { fill, held: before };
  });
}

/** An account fill and the position the account held before it. */
interface FollowedFill {
  readonly fill: PaperFill;
  readonly held: number;
}

/**
 * A paper fill as the protocol reports it: the part that reduces the position the account held is an
 * exit, the rest an entry, each with the version and reason of the book's fill of that kind and side
 * at this bar (the active version when the book made none: an order an earlier failed flush left).
 */
function reported(
  { fill, held }: FollowedFill,
  time: number,
  decided: readonly LiveFill[],
  runner: LiveRunner,
): LiveFill[] {
  const sign = fill.side === 'buy' ? 1 : -1;
  const closing = held !== 0 && Math.sign(held) !== sign ? Math.min(fill.units, Math.abs(held)) : 0;
  const part = (kind: LiveFill['kind'], units: number): LiveFill => {
    if (kind === 'exit' && fill.reason !== undefined) {
      // A resting exit: decided by the version that opened the position (its exits stay with it), as
      // the book's own protective exit this bar says when it made one.
      const by = decided.find((f) => f.kind === 'exit' && f.side === fill.side && PROTECTIVE.has(f.reason));
      const version = by?.version ?? runner.positionEntryVersion;
      return {
        time,
        side: fill.side,
        units,
        price: fill.price,
        kind,
        version,
        reason: by?.reason ?? fill.reason,
      };
    }
    const by = decided.find((f) => f.kind === kind && f.side === fill.side);
    const version = by?.version ?? runner.state.active?.version ?? 0;
    return { time, side: fill.side, units, price: fill.price, kind, version, reason: by?.reason ?? 'Signal' };
  };
  return [
    ...(closing > 0 ? [part('exit', closing)] : []),
    ...(fill.units > closing ? [part('entry', fill.units - closing)] : []),
  ];
}

/** The demo market's series for `symbol` (the same bytes every install sees). */
export function demoBars(symbol: string): Bars {
  const market = createSyntheticMarket(DEMO_MARKET);
  const index = market.symbols.findIndex((s) => s.symbol === symbol);
  if (index < 0) {
    throw new Error(
      `the demo market has no symbol "${symbol}"; it has ${market.symbols.map((s) => s.symbol).join(', ')}`,
    );
  }
  return market.generate(index).bars;
}

export const DEFAULT_WARM_UP_BARS = 2_000;

/** The default buffer's largest size (about 6 MB of bars, equity and versions). */
const MAX_DEFAULT_CAPACITY = 100_000;

/**
 * Where a restarted replay goes on: after the last bar the state saw, which must be the source's bar
 * of the same number (another source would warm the indicators over bars the bot never traded).
 */
function resumeAt(
  bars: Bars,
  progress: { barsSeen: number; lastBarTime: number | null },
  path?: string,
): number {
  const seen = progress.barsSeen;
  if (seen === 0) return 0;
  if (seen > bars.t.length || bars.t[seen - 1] !== progress.lastBarTime) {
    const at = seen > bars.t.length ? 'beyond its end' : `at ${new Date(bars.t[seen - 1]).toISOString()}`;
    throw new Error(
      `bot state ${path}: its bar ${seen} was at ${new Date(progress.lastBarTime ?? NaN).toISOString()}, ` +
        `but this source's bar ${seen} is ${at}; restart on the source the state was saved with`,
    );
  }
  return seen;
}

/**
 * The state file: the runner's snapshot, and for an executing account the fills it reported so far,
 * the exit orders resting on it, and whether it stands aside (see StandAside).
 */
interface BotStateFile extends LiveBotSnapshot {
  readonly executionFills?: number;
  readonly restingExit?: RestingExit | null;
  readonly standAside?: number;
}

const PROTECTIVE = new Set(['StopLoss', 'TakeProfit', 'TrailingStop']);

/** Fills of the executing account held for reports (the newest). */
const FILL_WINDOW = 1_000;

function readState(path: string): BotStateFile | undefined {
  if (!existsSync(path)) return undefined;
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `bot state ${path} is not JSON (${(error as Error).message}); move it away to start afresh`,
    );
  }
  const record = state as Partial<LiveBotSnapshot> | null;
  if (record === null || typeof record !== 'object' || typeof record.ledger?.version !== 'number') {
    throw new Error(`bot state ${path} has no ledger.version: not a bot state file`);
  }
  const exit = RestingExitSchema.nullish().safeParse((record as { restingExit?: unknown }).restingExit);
  if (!exit.success) {
    const issue = exit.error.issues[0]!;
    const field = ['restingExit', ...issue.path].join('.');
    throw new Error(
      `bot state ${path}: ${field} is not valid (${issue.message}); the orders resting on the account are ` +
        `unknown to the bot, so it does not start: cancel them on the account, then remove restingExit from ` +
        `the file (the bot then places the book's exit anew)`,
    );
  }
  return record as BotStateFile;
}

/** Writes a bot's state file (exported for the live bench, which times it per bar). */
export function writeState(path: string, state: BotStateFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  // Renamed into place, so a kill mid-write leaves the previous state, never half of one.
  renameSync(temporary, path);
}
