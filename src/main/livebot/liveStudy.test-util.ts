import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testServices } from '../../../test/support/serviceHost.ts';
import { allocateBars, type Bars } from '../../core/data/bars.ts';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../core/data/synthetic.ts';
import { liveBarAt } from '../../core/live/liveBar.test-util.ts';
import { LOOSE_LIMITS, manualSet } from '../../core/live/manualSet.test-util.ts';
import { strategyIdentity, type ParameterSet, type StrategyIdentity } from '../../core/live/parameterSet.ts';
import type { HeartbeatPolicy, LiveBar } from '../../core/live/runner.ts';
import type { StrategyDefinition } from '../../core/strategy-api/types.ts';
import type {
  EventChannel,
  OptimizeProgressEvent,
  RequestChannel,
  RequestInput,
  RequestOutput,
} from '../../shared/contract.ts';
import { dispatch } from '../services/dispatch.ts';
import type { Services } from '../services/services.ts';
import {
  startReferenceBot,
  type LiveBarFeed,
  type ReferenceBot,
  type ReferenceBotOptions,
} from './referenceBot.ts';

/** The README's RSI mean-reversion example: the trader's own strategy, in a data folder and a bot's. */
export const EXAMPLE_STRATEGY = new URL('../../../examples/strategies/rsi-reversion.ts', import.meta.url)
  .pathname;
/** The symbol whose 1m bars {@link openLiveStudies} writes. */
export const STUDY_SYMBOL = DEFAULT_SYNTHETIC_SYMBOLS[0].symbol;
const STUDY_START = Date.UTC(2024, 0, 2);

/** The live tests' workstation: services on a temp folder with the example strategy and 20 days of 1m bars. */
export interface LiveStudies {
  readonly dir: string;
  readonly services: Services;
  /** A request through the contract, as the renderer sends it. */
  call<K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  /** Runs a 6-trial study (seed 5) on the 1h bars of {@link STUDY_SYMBOL} and resolves with its id once done. */
  finishedStudy(strategy?: string, space?: RequestInput<'optimize:start'>['space']): Promise<string>;
  close(): Promise<void>;
}

export async function openLiveStudies(options: {
  prefix: string;
  /** The bots' secret, in the services' environment. */
  secret: string;
  /** Sees every answer `call` returns (a test that checks what crossed the contract). */
  onAnswer?: (answer: unknown) => void;
  /** Subscribed to the services' events before any bar is written. */
  onEvent?: (channel: EventChannel, payload: unknown) => void;
}): Promise<LiveStudies> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  mkdirSync(join(dir, 'strategies'));
  copyFileSync(EXAMPLE_STRATEGY, join(dir, 'strategies', 'rsi-reversion.ts'));
  const services = await testServices(dir, { env: { REGIMEN_BOT_SECRET: options.secret } });
  if (options.onEvent !== undefined) services.events.subscribe(options.onEvent);
  const market = createSyntheticMarket({
    seed: 3,
    start: STUDY_START,
    end: STUDY_START + 20 * 86_400_000,
    symbols: [DEFAULT_SYNTHETIC_SYMBOLS[0]],
  });
  await services.bars.write(STUDY_SYMBOL, '1m', market.generate(0).bars, 'test');

  const call = async <K extends RequestChannel>(
    channel: K,
    input: RequestInput<K>,
  ): Promise<RequestOutput<K>> => {
    const answer = await dispatch(services.handlers, channel, input);
    options.onAnswer?.(answer);
    return answer as RequestOutput<K>;
  };
  return {
    dir,
    services,
    call,
    finishedStudy: async (
      strategy = 'sma-cross',
      space = [
        { kind: 'int', name: 'fast', low: 3, high: 8 },
        { kind: 'int', name: 'slow', low: 10, high: 20 },
      ],
    ) => {
      const done = new Promise<string>((resolve) =>
        services.events.subscribe((channel, payload) => {
          const event = payload as OptimizeProgressEvent;
          if (channel === 'optimize:progress' && event.detail !== undefined) resolve(event.studyId);
        }),
      );
      await call('optimize:start', {
        strategy,
        data: { symbol: STUDY_SYMBOL, timeframes: ['1h'] },
        objectives: [{ metric: 'sharpeRatio' }],
        space,
        trials: 6,
        seed: 5,
      });
      return done;
    },
    close: async () => {
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A reference bot on a replay the test paces: each bar is sent, then traded before the next is. */
export interface PacedBot {
  readonly bot: ReferenceBot;
  /** How many bars have been sent so far. */
  readonly fed: number;
  feed(bars: number): Promise<void>;
}

export async function pacedReferenceBot(options: {
  bars: Bars;
  strategies: Readonly<Record<string, StrategyDefinition>>;
  secret: string;
  heartbeat: HeartbeatPolicy;
  /** The bot's state file (a restart: bars up to its last one are skipped as repeats). */
  statePath?: string;
  strategyProblems?: ReferenceBotOptions['strategyProblems'];
}): Promise<PacedBot> {
  let send: (bar: LiveBar) => void = () => undefined;
  const live: LiveBarFeed = { start: async (onBar) => void (send = onBar), stop: async () => undefined };
  const bot = await startReferenceBot({
    bars: allocateBars(0),
    live,
    capacity: options.bars.t.length,
    strategies: options.strategies,
    strategyProblems: options.strategyProblems,
    statePath: options.statePath,
    symbol: 'TEST',
    speed: Infinity,
    secret: options.secret,
    heartbeat: options.heartbeat,
  });
  let fed = 0;
  return {
    bot,
    get fed() {
      return fed;
    },
    feed: async (count) => {
      for (const end = fed + count; fed < end; fed++) send(liveBarAt(options.bars, fed));
      await bot.idle();
    },
  };
}

/** A manual set of the RSI example at `period`, its other parameters fixed, under limits that never bind. */
export function rsiReversionSet(strategy: StrategyIdentity, period: number): ParameterSet {
  return manualSet(
    strategyIdentity(strategy),
    { period, oversold: 35, overbought: 65, exit: 50, stop_pct: 1 },
    { ...LOOSE_LIMITS, maxOrdersPerDay: 1_000 },
  );
}
