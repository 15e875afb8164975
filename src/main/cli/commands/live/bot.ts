import { readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { HALT_MODES, type HaltMode } from '../../../../core/live/modes.ts';
import { demoBars, startReferenceBot } from '../../../livebot/referenceBot.ts';
import { resolveBotSecret } from '../../../livebot/secret.ts';
import { resolveDataDir } from '../../../paths.ts';
import { numberOption, stringOption, UsageError } from '../../args.ts';
import { BARS_SOURCE_OPTIONS, loadBarsSource } from '../../barsSource.ts';
import type { Command } from '../../command.ts';

const SOURCES = ['demo', 'replay', 'alpaca'] as const;
const FILLS = ['sim', 'alpaca-paper'] as const;

export const botCommand: Command = {
  usage:
    '[--port N] [--host ADDR --tls-key FILE --tls-cert FILE] [--source demo|replay] ' +
    '[--csv FILE | --symbol SYM] [--speed X] [--fills sim] [--state FILE] ' +
    '[--heartbeat-timeout SECONDS] [--on-timeout no-new-entries|reduce-only|flatten] [--cash N]\n\n' +
    'Runs the reference bot: the backtested strategy on live-paced bars (the demo market, or a replay of\n' +
    'a CSV file or cached bars at X times real time), simulated fills, serving the signed bot protocol\n' +
    '(docs/bot-protocol.yaml). The secret comes from REGIMEN_BOT_SECRET or the OS keychain.',
  options: {
    ...BARS_SOURCE_OPTIONS,
    port: { type: 'string' },
    host: { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-cert': { type: 'string' },
    source: { type: 'string' },
    speed: { type: 'string' },
    fills: { type: 'string' },
    state: { type: 'string' },
    'heartbeat-timeout': { type: 'string' },
    'on-timeout': { type: 'string' },
    cash: { type: 'string' },
  },
  async run(args, io) {
    const source = oneOf(args.values['source'], SOURCES, 'source', 'demo');
    const fills = oneOf(args.values['fills'], FILLS, 'fills', 'sim');
    if (source === 'alpaca' || fills === 'alpaca-paper') {
      throw new UsageError(
        '--source alpaca and --fills alpaca-paper are not available yet: use demo or replay, sim',
      );
    }
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
    const tlsKey = stringOption(args, 'tls-key');
    const tlsCert = stringOption(args, 'tls-cert');
    if ((tlsKey === undefined) !== (tlsCert === undefined))
      throw new UsageError('give both --tls-key and --tls-cert, or neither');
    let symbol: string;
    let bars;
    if (source === 'demo') {
      if (stringOption(args, 'csv') !== undefined) throw new UsageError('--csv goes with --source replay');
      symbol = stringOption(args, 'symbol') ?? 'SYNX';
      bars = demoBars(symbol);
    } else {
      const dataset = await loadBarsSource(args);
      const csv = stringOption(args, 'csv');
      symbol = stringOption(args, 'symbol') ?? basename(csv ?? 'replay', extname(csv ?? ''));
      bars = dataset.bars;
    }
    const secret = await resolveBotSecret();
    const dataDir = resolveDataDir(stringOption(args, 'data-dir'));
    const stateName = `${symbol.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
    const statePath = resolve(stringOption(args, 'state') ?? join(dataDir, 'bots', stateName));
    const bot = await startReferenceBot({
      bars,
      symbol,
      speed,
      secret,
      statePath,
      heartbeat: { timeoutMs: timeout * 1000, mode: onTimeout },
      host: stringOption(args, 'host'),
      port: numberOption(args, 'port', 0),
      tls: tlsKey && tlsCert ? { key: readFileSync(tlsKey), cert: readFileSync(tlsCert) } : undefined,
      backtest: { cash: numberOption(args, 'cash', 10_000) },
      log: (line) => io.err(`${new Date().toISOString()} ${line}\n`),
    });
    io.err(`Bot state: ${statePath}\n${bars.t.length} bars of ${symbol} (${source}) at ${speed}x\n`);
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

function oneOf<T extends string>(raw: unknown, choices: readonly T[], flag: string, fallback: T): T {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw))
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got "${String(raw)}"`);
  return raw as T;
}
