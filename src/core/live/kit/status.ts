import type { StrategyIdentity } from '../parameterSet.ts';
import { rampBudget } from '../ramp.ts';
import type { RecentLog } from '../recentLog.ts';
import type { HeartbeatPolicy, LiveFill, LiveRunner } from '../runner.ts';
import type { BotStateChange, HaltMode } from '../modes.ts';
import type { Session } from '../../ml/learner/ledger.ts';
import type { ShortSales, UnitRule } from '../../engine/assetCosts.ts';

/** What status and reports say the bot holds and executed. */
export interface BotBook {
  readonly position: number;
  readonly averageEntryPrice: number;
  readonly cash: number;
  readonly equity: number;
  readonly fills: RecentLog<LiveFill>;
}

/** The runner's simulated book, for a bot that fills on its own. */
export function simulatedBook(runner: LiveRunner): BotBook {
  return bookOf(runner, () => runner.lastEquity, runner.fillRecord);
}

/** A book over an account read live: its position, average entry and cash as they are when asked. */
export function bookOf(
  account: { readonly position: number; readonly averageEntryPrice: number; readonly cash: number },
  equity: () => number,
  fills: RecentLog<LiveFill>,
): BotBook {
  return {
    get position() {
      return account.position;
    },
    get averageEntryPrice() {
      return account.averageEntryPrice;
    },
    get cash() {
      return account.cash;
    },
    get equity() {
      return equity();
    },
    fills,
  };
}

interface VersionRef {
  readonly version: number;
  readonly changeId: string;
  readonly hash: string;
}

/** A status answer (the protocol's `GET /v1/status` body). */
export interface StatusPage {
  readonly protocol: typeof BOT_PROTOCOL;
  readonly symbol: string;
  /** The hours of the symbol's bars the bot trades; absent when its builder did not say. */
  readonly session?: Session;
  /** Whether the bot may sell short (none: long only, as its shadow backtest must be too). */
  readonly shortSales: ShortSales;
  /** Whether its orders are for whole units or fractions (as its shadow backtest's must be). */
  readonly units: UnitRule;
  readonly strategy: StrategyIdentity | null;
  /** Every strategy the bot can run (a user strategy with its source hash): checked before a push. */
  readonly strategies: StrategyIdentity[];
  readonly active: VersionRef | null;
  readonly pending: VersionRef | null;
  readonly acceptedVersion: number;
  readonly positions: { symbol: string; units: number; averageEntryPrice: number }[];
  readonly equity: number;
  readonly cash: number;
  readonly ramp: {
    phase: 'ramping' | 'complete' | 'rolled-back';
    step: number;
    steps: number[];
    budget: number;
    barsInStep: number;
    barsPerStep: number;
    reason?: string;
  } | null;
  readonly halt: { mode: HaltMode; reason: string; at: number } | null;
  readonly dailyLoss: { day: number; at: number; reason: string } | null;
  readonly changes: BotStateChange[];
  readonly barsSeen: number;
  readonly lastBarTime: number | null;
  readonly heartbeat: { lastAt: number | null; timeoutMs: number; onTimeout: HaltMode };
}

export const BOT_PROTOCOL = 'regimen-bot/1';

/**
 * The status answer of a bot running `runner` on `symbol` (its own book unless `book` is given) in
 * `session`, the hours of its bars it trades: the workstation reads its candidates and their standing in
 * that session, and in the one its Settings name when a bot does not say.
 */
export function buildStatus(
  runner: LiveRunner,
  symbol: string,
  heartbeat: HeartbeatPolicy,
  book: BotBook = simulatedBook(runner),
  session?: Session,
): StatusPage {
  const { active, pending, ledger, ramp, halt, dailyLoss } = runner.state;
  const ref = (push: typeof active) =>
    push === null ? null : { version: push.version, changeId: push.changeId, hash: push.set.hash };
  const plan = active?.ramp;
  return {
    protocol: BOT_PROTOCOL,
    symbol,
    ...(session === undefined ? {} : { session }),
    shortSales: runner.longOnly ? 'none' : 'allowed',
    units: runner.fractional ? 'fractional' : 'whole',
    strategy: active === null ? null : { ...active.set.strategy },
    strategies: runner.strategies,
    active: ref(active),
    pending: ref(pending),
    acceptedVersion: ledger.version,
    positions:
      book.position === 0
        ? []
        : [{ symbol, units: book.position, averageEntryPrice: book.averageEntryPrice }],
    equity: book.equity,
    cash: book.cash,
    ramp:
      ramp === null || plan === undefined
        ? null
        : {
            phase: ramp.phase,
            step: ramp.step,
            steps: [...plan.steps],
            budget: rampBudget(plan, ramp),
            barsInStep: ramp.barsInStep,
            barsPerStep: plan.barsPerStep,
            ...(ramp.reason === undefined ? {} : { reason: ramp.reason }),
          },
    halt: halt === null ? null : { ...halt },
    dailyLoss: dailyLoss == null ? null : { ...dailyLoss },
    changes: (runner.state.changes ?? []).map((change) => ({ ...change })),
    barsSeen: runner.barsSeen,
    lastBarTime: runner.lastBarTime,
    heartbeat: { lastAt: runner.lastHeartbeatAt, timeoutMs: heartbeat.timeoutMs, onTimeout: heartbeat.mode },
  };
}
