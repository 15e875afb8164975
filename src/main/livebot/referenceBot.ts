import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSyntheticMarket } from '../../core/data/synthetic.ts';
import type { Bars } from '../../core/data/bars.ts';
import type { BacktestOptions } from '../../core/engine/options.ts';
import { LiveRunner, type HeartbeatPolicy, type LiveBotSnapshot } from '../../core/live/runner.ts';
import { STRATEGIES } from '../../core/strategy/registry.ts';
import { DEMO_MARKET } from '../services/demoMarket.ts';
import { startBotServer, type BotServer } from './botServer.ts';

/**
 * The reference bot, `regimen bot`: a LiveRunner fed by a bar source at a chosen speed, serving the
 * bot protocol, persisting what it applied. It is the template for a trader's own bot: what it does
 * with a push (verify, validate, take at a bar boundary, ramp, keep exits) is the kit's.
 */
export interface ReferenceBotOptions {
  readonly bars: Bars;
  readonly symbol: string;
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
  readonly host?: string;
  readonly port?: number;
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  readonly backtest?: BacktestOptions;
  readonly log?: (line: string) => void;
}

export interface ReferenceBot {
  readonly url: string;
  readonly port: number;
  readonly runner: LiveRunner;
  /** Settles when the source has no more bars (the bot keeps serving). */
  readonly replayed: Promise<void>;
  close(): Promise<void>;
}

/** Longest wait between two bars whatever the gap (a weekend in a replay at speed 1). */
const MAX_BAR_WAIT_MS = 60_000;

export async function startReferenceBot(options: ReferenceBotOptions): Promise<ReferenceBot> {
  const state = options.statePath === undefined ? undefined : readState(options.statePath);
  const runner = new LiveRunner({
    catalogue: STRATEGIES,
    capacity: options.capacity ?? Math.max(1, Math.min(options.bars.t.length, MAX_DEFAULT_CAPACITY)),
    backtest: options.backtest,
    heartbeat: options.heartbeat,
    state,
  });
  const first = state?.progress === undefined ? 0 : resumeAt(options.bars, state.progress, options.statePath);
  runner.warmUp(options.bars, first);
  const persist = (): void => {
    if (options.statePath !== undefined) writeState(options.statePath, runner.snapshot());
  };
  const server: BotServer = await startBotServer({
    runner,
    secret: options.secret,
    symbol: options.symbol,
    heartbeat: options.heartbeat,
    host: options.host,
    port: options.port,
    tls: options.tls,
    onChange: persist,
    log: options.log,
  });
  let stopped = false;
  const replay = async (): Promise<void> => {
    const { t, o, h, l, c, v } = options.bars;
    for (let i = first; i < t.length && !stopped; i++) {
      runner.onBar({ t: t[i], o: o[i], h: h[i], l: l[i], c: c[i], v: v[i] });
      persist();
      const wait = i + 1 < t.length ? Math.min((t[i + 1] - t[i]) / options.speed, MAX_BAR_WAIT_MS) : 0;
      // Even at full speed, yield to the event loop so requests are served between bars.
      await sleep(Number.isFinite(wait) && wait > 0 ? wait : 0);
    }
  };
  const replayed = replay();
  return {
    url: server.url,
    port: server.port,
    runner,
    replayed,
    close: async () => {
      stopped = true;
      await replayed;
      persist();
      await server.close();
    },
  };
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

function readState(path: string): LiveBotSnapshot | undefined {
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
  return record as LiveBotSnapshot;
}

function writeState(path: string, state: LiveBotSnapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  // Renamed into place, so a kill mid-write leaves the previous state, never half of one.
  renameSync(temporary, path);
}
