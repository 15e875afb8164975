import { readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { allocateBars } from '../../../../core/data/bars.ts';
import { HALT_MODES, type HaltMode } from '../../../../core/live/modes.ts';
import { symbolSchema } from '../../../../shared/schemas.ts';
import { alpacaBarFeed } from '../../../livebot/alpacaFeed.ts';
import { AlpacaPaperPort, AlpacaTradingClient } from '../../../livebot/alpacaPaper.ts';
import {
  DEFAULT_WARM_UP_BARS,
  demoBars,
  startReferenceBot,
  type ExecutionAccount,
  type LiveBarFeed,
} from '../../../livebot/referenceBot.ts';
import {
  environmentCredentials,
  resolveAlpacaCredentials,
  type AlpacaCredentials,
} from '../../../marketdata/credentials.ts';
import { resolveAlpacaHosts } from '../../../marketdata/hosts.ts';
import { openSecretStore } from '../../../secrets/secretStore.ts';
import { resolveBotSecret } from '../../../livebot/secret.ts';
import { loadBotStrategies } from '../../../livebot/botStrategies.ts';
import { STRATEGIES_FOLDER } from '../../../services/backtest/userStrategyFiles.ts';
import { strategyProblemText } from '../../../../shared/userStrategy.ts';
import { resolveDataDir } from '../../../paths.ts';
import { numberOption, stringOption, UsageError } from '../../args.ts';
import { BARS_SOURCE_OPTIONS, csvFile, loadBarsSource, sessionOption } from '../../barsSource.ts';
import type { Command } from '../../command.ts';
import { costSettingsFor } from '../../../services/costs.ts';
import { costRequestFrom } from '../backtest/backtest.ts';

const SOURCES = ['demo', 'replay', 'alpaca'] as const;
const BROKERS = ['sim', 'alpaca-paper'] as const;

export const botCommand: Command = {
  usage:
    '[--port N] [--host ADDR --tls-key FILE --tls-cert FILE] [--source demo|replay|alpaca] ' +
    '[--csv FILE | --symbol SYM] [--session regular|extended] ' +
    '[--timeframe TF --start ISO --end ISO: the bars a replay reads] [--speed X] [--broker sim|alpaca-paper] ' +
    '[--state FILE] ' +
    '[--heartbeat-timeout SECONDS] [--on-timeout no-new-entries|reduce-only|flatten] [--cash N] ' +
    '[--warm-up-bars N] [--strategies DIR] [--short-sales allowed|none] [--units whole|fractional] ' +
    '[--alpaca-base-url URL] [--alpaca-stream-url URL] [--alpaca-trading-url URL]\n\n' +
    'Runs the reference bot: the backtested strategy on live-paced bars (the demo market, a replay of\n' +
    "a CSV file or cached bars at X times real time, or Alpaca's live 1-minute bars of --symbol, the\n" +
    'indicators warmed up on the --warm-up-bars minutes before the first, default 2000) on a\n' +
    'simulated book, whose position --broker alpaca-paper also executes on the Alpaca paper account\n' +
    "(the book's stop and take-profit rest there as orders, kept across restarts),\n" +
    "in the hours --session names (default Settings' session: Alpaca bars outside them are not\n" +
    "traded, cached bars are read in them, a CSV file's are taken as they are; the demo market has\n" +
    'regular hours only), which its status reports: the workstation reads its candidates in them,\n' +
    'serving the signed bot protocol (docs/bot-protocol.yaml). Besides the built-in strategies it runs\n' +
    "the trader's own strategy files of --strategies DIR (default the data folder's strategies folder),\n" +
    'checked as the workstation checks them; a set approved on another source of one is refused.\n' +
    '--short-sales none keeps it long only (a cash account) and --units fractional trades fractions (default\n' +
    "Settings', else the asset class's: a replay of crypto bars is long only in fractions of a coin, as\n" +
    'Alpaca trades crypto), which its status reports.\n' +
    'The secret comes from REGIMEN_BOT_SECRET\n' +
    'or the OS keychain; the Alpaca keys from APCA_API_KEY_ID/APCA_API_SECRET_KEY or the keychain.',
  options: {
    ...BARS_SOURCE_OPTIONS,
    port: { type: 'string' },
    host: { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-cert': { type: 'string' },
    source: { type: 'string' },
    speed: { type: 'string' },
    broker: { type: 'string' },
    'alpaca-base-url': { type: 'string' },
    'alpaca-stream-url': { type: 'string' },
    'alpaca-trading-url': { type: 'string' },
    state: { type: 'string' },
    'heartbeat-timeout': { type: 'string' },
    'on-timeout': { type: 'string' },
    cash: { type: 'string' },
    'warm-up-bars': { type: 'string' },
    strategies: { type: 'string' },
    'short-sales': { type: 'string' },
    units: { type: 'string' },
  },
  async run(args, io) {
    const source = oneOf(args.values['source'], SOURCES, 'source', 'demo');
    const broker = oneOf(args.values['broker'], BROKERS, 'broker', 'sim');
    const speed = numberOption(args, 'speed', 60);
    if (!(speed > 0)) throw new UsageError(`--speed must be > 0, got ${speed}`);
    const timeout = numberOption(args, 'heartbeat-timeout', 120);
    if (!(timeout > 0)) throw new UsageError(`--heartbeat-timeout must be > 0 seconds, got ${timeout}`);
    const onTimeout = oneOf(
      args.values['on-timeout'],
      HALT_MODES,
      'on-timeout',
      'no-new-entries',
    ) as HaltMode;
    const warmUpBars = numberOption(args, 'warm-up-bars', DEFAULT_WARM_UP_BARS);
    if (!(Number.isInteger(warmUpBars) && warmUpBars >= 0))
      throw new UsageError(`--warm-up-bars must be a whole number >= 0, got ${warmUpBars}`);
    const tlsKey = stringOption(args, 'tls-key');
    const tlsCert = stringOption(args, 'tls-cert');
    if ((tlsKey === undefined) !== (tlsCert === undefined))
      throw new UsageError('give both --tls-key and --tls-cert, or neither');
    // The demo market has regular hours only, whatever Settings name (the flag's default).
    const session = source === 'demo' ? 'regular' : sessionOption(args);
    let symbol: string;
    let bars;
    let live: LiveBarFeed | undefined;
    const log = (line: string): void => io.err(`${new Date().toISOString()} ${line}\n`);
    const hosts = (): ReturnType<typeof resolveAlpacaHosts> => {
      try {
        return resolveAlpacaHosts({
          dataBaseUrl: stringOption(args, 'alpaca-base-url'),
          streamBaseUrl: stringOption(args, 'alpaca-stream-url'),
        });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    };
    if (source === 'alpaca') {
      if (csvFile(args) !== undefined) throw new UsageError('--csv goes with --source replay');
      const wanted = stringOption(args, 'symbol');
      if (wanted === undefined || !symbolSchema.safeParse(wanted).success)
        throw new UsageError(`--source alpaca needs --symbol SYM, got ${JSON.stringify(wanted ?? null)}`);
      symbol = wanted;
      bars = allocateBars(0);
      live = alpacaBarFeed({ credentials: await alpacaKeys(), symbol, session, hosts: hosts(), log });
    } else if (source === 'demo') {
      if (csvFile(args) !== undefined) throw new UsageError('--csv goes with --source replay');
      symbol = stringOption(args, 'symbol') ?? 'SYNX';
      bars = demoBars(symbol);
    } else {
      const dataset = await loadBarsSource(args, io);
      const csv = csvFile(args);
      symbol = stringOption(args, 'symbol') ?? basename(csv ?? 'replay', extname(csv ?? ''));
      bars = dataset.bars;
    }
    let execution: ExecutionAccount | undefined;
    if (broker === 'alpaca-paper') {
      const tradingUrl = stringOption(args, 'alpaca-trading-url') ?? process.env['ALPACA_TRADING_BASE_URL'];
      if (tradingUrl !== undefined && !/^https?:\/\//.test(tradingUrl))
        throw new UsageError(`--alpaca-trading-url must start with http:// or https://, got "${tradingUrl}"`);
      const client = new AlpacaTradingClient({
        credentials: await alpacaKeys(),
        ...(tradingUrl === undefined ? {} : { baseUrl: tradingUrl }),
      });
      execution = new AlpacaPaperPort(client, symbol, randomBytes(6).toString('hex'));
    }
    // The demo market and Alpaca's stock feed are equities; a replay's class is read from its bars.
    const asked = costRequestFrom(args, io).settings;
    const { shortSales, units } = await costSettingsFor(asked, null, null, bars.t);
    const secret = await resolveBotSecret();
    const dataDir = resolveDataDir(stringOption(args, 'data-dir'));
    const strategyFolder = resolve(stringOption(args, 'strategies') ?? join(dataDir, STRATEGIES_FOLDER));
    const { strategies, problems } = await loadBotStrategies(strategyFolder);
    for (const problem of problems) log(`strategy file left out: ${strategyProblemText(problem)}`);
    const stateName = `${symbol.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
    const statePath = resolve(stringOption(args, 'state') ?? join(dataDir, 'bots', stateName));
    const bot = await startReferenceBot({
      bars,
      ...(live ? { live } : {}),
      ...(execution ? { execution } : {}),
      symbol,
      session,
      strategies,
      strategyProblems: problems,
      speed,
      secret,
      statePath,
      heartbeat: { timeoutMs: timeout * 1000, mode: onTimeout },
      host: stringOption(args, 'host'),
      port: numberOption(args, 'port', 0),
      tls: tlsKey && tlsCert ? { key: readFileSync(tlsKey), cert: readFileSync(tlsCert) } : undefined,
      backtest: {
        cash: numberOption(args, 'cash', 10_000),
        ...(shortSales === 'none' ? { longOnly: true } : {}),
        ...(units === 'fractional' ? { fractional: true } : {}),
      },
      warmUpBars,
      log,
    });
    const own = Object.values(strategies).map((d) => `${d.name} ${d.version} (source ${d.sourceHash})`);
    io.err(
      `Bot state: ${statePath}\n` +
        `Strategies of ${strategyFolder}: ${own.length === 0 ? 'none' : own.join(', ')}\n` +
        (live
          ? `live 1-minute bars of ${symbol} from Alpaca`
          : `${bars.t.length} bars of ${symbol} (${source}) at ${speed}x`) +
        `, ${session} hours` +
        (shortSales === 'none' ? ', long only' : '') +
        (units === 'fractional' ? ', fractional units' : '') +
        `, ${broker === 'sim' ? 'simulated fills' : 'executed on the Alpaca paper account'}\n`,
    );
    io.out(
      args.values['json'] ? JSON.stringify({ url: bot.url, port: bot.port }) : `Bot listening on ${bot.url}`,
    );
    await new Promise<void>((done) => {
      const stop = (): void => {
        void bot.close().then(done);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};

/** The Alpaca key pair: the environment's, else the keychain's; never printed. */
async function alpacaKeys(): Promise<AlpacaCredentials> {
  const credentials = await resolveAlpacaCredentials(
    environmentCredentials(process.env) ? null : await openSecretStore(),
  );
  if (credentials === null)
    throw new UsageError(
      'no Alpaca keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY, or save them in Settings (the OS keychain)',
    );
  return credentials;
}

function oneOf<T extends string>(raw: unknown, choices: readonly T[], flag: string, fallback: T): T {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw))
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${String(raw)}"`);
  return raw as T;
}
