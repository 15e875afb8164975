import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSyntheticMarket } from '../../core/data/synthetic.ts';
import type { Bars } from '../../core/data/bars.ts';
import type { BacktestOptions } from '../../core/engine/options.ts';
import { LiveRunner, type HeartbeatPolicy, type LiveBotState } from '../../core/live/runner.ts';
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
  /** Where the applied version, ramp and halt persist (a restart applies nothing twice). */
  readonly statePath?: string;
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
    capacity: options.bars.t.length,
    backtest: options.backtest,
    heartbeat: options.heartbeat,
    state,
  });
  let saved: LiveBotState | undefined = state;
  const persist = (): void => {
    if (options.statePath === undefined || runner.state === saved) return;
    writeState(options.statePath, runner.state);
    saved = runner.state;
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
    for (let i = 0; i < t.length && !stopped; i++) {
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

function readState(path: string): LiveBotState | undefined {
  if (!existsSync(path)) return undefined;
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `bot state ${path} is not JSON (${(error as Error).message}); move it away to start afresh`,
    );
  }
  const record = state as Partial<LiveBotState> | null;
  if (record === null || typeof record !== 'object' || typeof record.ledger?.version !== 'number') {
    throw new Error(`bot state ${path} has no ledger.version: not a bot state file`);
  }
  return record as LiveBotState;
}

function writeState(path: string, state: LiveBotState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  // Renamed into place, so a kill mid-write leaves the previous state, never half of one.
  renameSync(temporary, path);
}
