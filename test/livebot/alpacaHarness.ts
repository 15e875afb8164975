/** What the Alpaca bot tests share: a paper client and a live bot on the fake Alpaca, and a wait. */
import { allocateBars } from '../../src/core/data/bars.ts';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet } from '../../src/core/live/parameterSet.ts';
import type { StrategyParams } from '../../src/core/strategy-api/types.ts';
import { alpacaBarFeed } from '../../src/main/livebot/alpacaFeed.ts';
import { AlpacaPaperPort, AlpacaTradingClient } from '../../src/main/livebot/alpacaPaper.ts';
import { startReferenceBot, type ReferenceBot } from '../../src/main/livebot/referenceBot.ts';
import { AlpacaCredentials } from '../../src/main/marketdata/credentials.ts';
import type { FakeAlpaca } from '../fake-alpaca/server.ts';

export const BOT_SECRET = 'test-bot-secret-0123456789abcdef';
const HEARTBEAT = { timeoutMs: 600_000, mode: 'no-new-entries' } as const;

export const until = async (condition: () => boolean, what: string, ms = 20_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

export const fakeCredentials = (fake: FakeAlpaca): AlpacaCredentials =>
  new AlpacaCredentials(fake.keyId, fake.secretKey, 'explicit');

export const paperClient = (fake: FakeAlpaca): AlpacaTradingClient =>
  new AlpacaTradingClient({ credentials: fakeCredentials(fake), baseUrl: fake.url, backoffBaseMs: 10 });

/**
 * Bots started on fakes so far: each gets its own run id. Client order ids are unique per account, and
 * the fake is one account for a whole test file: two bots with one run id would send the same ids, and
 * the second bot's orders would be refused as duplicates and taken for the first one's.
 */
let runs = 0;

/** A bot on the fake's stream bars, executing on its paper account unless `paper` is false. */
export async function alpacaLiveBot(
  fake: FakeAlpaca,
  options: {
    readonly symbol: string;
    readonly statePath: string;
    readonly log: string[];
    readonly paper?: boolean;
    readonly warmUpBars?: number;
  },
): Promise<ReferenceBot> {
  const { symbol, log } = options;
  return startReferenceBot({
    bars: allocateBars(0),
    live: alpacaBarFeed({
      credentials: fakeCredentials(fake),
      symbol,
      // The fake's market is regular sessions only: this keeps to them and drops nothing.
      session: 'regular',
      hosts: { dataBaseUrl: fake.url, streamBaseUrl: fake.streamUrl },
      reconnectBaseMs: 50,
      log: (line) => log.push(line),
    }),
    ...(options.paper === false
      ? {}
      : { execution: new AlpacaPaperPort(paperClient(fake), symbol, `${symbol}-${++runs}`) }),
    ...(options.warmUpBars === undefined ? {} : { warmUpBars: options.warmUpBars }),
    symbol,
    speed: Infinity,
    secret: BOT_SECRET,
    heartbeat: HEARTBEAT,
    statePath: options.statePath,
    capacity: 2_000,
    log: (line) => log.push(line),
  });
}

/** A sealed set of a registered strategy with loose limits, approved by hand. */
export const testSet = (name: string, parameters: StrategyParams) =>
  sealParameterSet({
    schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
    strategy: { name, version: '1' },
    parameters,
    limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 10_000 },
    provenance: { kind: 'manual', note: 'test', engineVersion: 'test' },
  });
