import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { firstIndexAtOrAfter, sliceBars } from '../../src/core/data/bars.ts';
import { liveExpectation } from '../../src/core/live/expectation.ts';
import { OrderType, Sizing } from '../../src/core/strategy-api/order-port.ts';
import { STRATEGIES } from '../../src/core/strategy/registry.ts';
import { AlpacaPaperPort, AlpacaTradingClient } from '../../src/main/livebot/alpacaPaper.ts';
import { BotClient } from '../../src/main/livebot/botClient.ts';
import { main } from '../../src/main/cli/main.ts';
import { AlpacaCredentials } from '../../src/main/marketdata/credentials.ts';
import { captureIO } from '../support/captureIO.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { expectedBars } from '../marketdata/helpers.ts';
import { alpacaLiveBot, BOT_SECRET as SECRET, paperClient, testSet, until } from './alpacaHarness.ts';

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await FakeAlpaca.start();
});
afterAll(async () => fake.close());

const trading = (): AlpacaTradingClient => paperClient(fake);
const liveBot = (symbol: string, statePath: string, log: string[], paper = true, warmUpBars?: number) =>
  alpacaLiveBot(fake, { symbol, statePath, log, paper, ...(warmUpBars === undefined ? {} : { warmUpBars }) });
const smaCross = (fast: number, slow: number) => testSet('sma-cross', { fast, slow });

it('warms the indicators on the REST bars before the first live bar: its first live decisions are the backtest’s over the same history', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'regimen-alpaca-warm-'));
  const log: string[] = [];
  const symbol = 'WARM';
  const series = fake.market.series(symbol, '1Min').bars;
  const first = firstIndexAtOrAfter(series.t, Date.UTC(2024, 3, 3));
  const history = 300;
  const live = 90;
  const bot = await liveBot(symbol, join(folder, 'bot.json'), log, false, history);
  try {
    const set = smaCross(5, 30);
    await new BotClient(bot.url, SECRET).apply({
      changeId: 'warm-1',
      version: 1,
      set,
      policy: 'adopt',
      approval: { id: 'approval-warm', approvedBy: ['tester'], at: 1, note: 'test' },
    });
    for (let i = first; i < first + live; i++) fake.publishBar(symbol, series.t[i]!);
    await until(() => bot.runner.lastBarTime === series.t[first + live - 1], 'the live bars traded');
    expect(log).toContain(`warmed up on ${history} bars of ${symbol} before the first live bar`);

    // The backtest over the history and the live bars, trading from the first live bar on.
    const bars = sliceBars(series, first - history, first + live);
    const versions = Array.from({ length: history + live }, (_, k) => (k < history ? 0 : 1));
    const expectation = liveExpectation(
      { bars, versions, equity: new Float64Array(history + live).fill(10_000), fills: bot.runner.fills },
      { sets: new Map([[1, set]]), catalogue: STRATEGIES, matchBars: 0 },
    );
    const { matched, missed, extra } = expectation.reconciliation;
    expect({ missed, extra }).toEqual({ missed: [], extra: [] });
    // A cold bot could not decide before its slow average had 30 live bars.
    expect(matched.some((fill) => fill.liveTime < series.t[first + 30]!)).toBe(true);
    for (const fill of matched) expect(fill.livePrice).toBe(fill.shadowPrice);
  } finally {
    await bot.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

it('in alpaca-paper mode status and reports are the paper account’s: its position, cash, equity and fills, each with the version that decided it', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'regimen-alpaca-book-'));
  const log: string[] = [];
  const symbol = 'PAPR';
  const minutes = expectedBars(fake, symbol, '1Min', Date.UTC(2024, 3, 2), Date.UTC(2024, 3, 3)).t;
  const bot = await liveBot(symbol, join(folder, 'bot.json'), log, true, 0);
  try {
    const client = new BotClient(bot.url, SECRET);
    await client.apply({
      changeId: 'paper-1',
      version: 1,
      set: smaCross(3, 8),
      policy: 'adopt',
      approval: { id: 'approval-paper', approvedBy: ['tester'], at: 1, note: 'test' },
    });
    for (let i = 0; i < 80; i++) fake.publishBar(symbol, minutes[i]!);
    await until(() => bot.runner.lastBarTime === minutes[79], '80 bars traded');
    await until(() => fake.trading.position(symbol) === bot.runner.position, 'the account to follow');

    const account = await trading().account();
    const status = await client.status();
    const held = fake.trading.position(symbol);
    expect(status.positions).toEqual(
      held === 0 ? [] : [{ symbol, units: held, averageEntryPrice: expect.any(Number) as number }],
    );
    expect([status.cash, status.equity]).toEqual([account.cash, account.equity]);

    const reports = await client.reports();
    const paperPrices = new Set(
      [...fake.trading.orders.values()].filter((o) => o.symbol === symbol).map((o) => o.filled_avg_price),
    );
    expect(reports.fills.length).toBeGreaterThan(2);
    expect(reports.nextFill).toBe(reports.fills.length);
    for (const fill of reports.fills) {
      expect(paperPrices.has(fill.price)).toBe(true);
      expect(fill.version).toBe(1);
    }
    // The account's position is what the reported fills add up to, entries opening and exits closing.
    const signed = (f: { side: string; units: number }) => (f.side === 'buy' ? f.units : -f.units);
    expect(reports.fills.reduce((sum, f) => sum + signed(f), 0)).toBe(held);
    expect(reports.fills.filter((f) => f.kind === 'exit').length).toBeGreaterThan(0);
    // Paper fills are at the close the order met, the book's at the next open: not the same prices.
    expect(reports.fills.map((f) => f.price)).not.toEqual(bot.runner.fills.map((f) => f.price));
  } finally {
    await bot.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

it('trades Alpaca stream bars, follows the book on the paper account, and trades no bar twice after a reconnect or a restart', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'regimen-alpaca-bot-'));
  const statePath = join(folder, 'bot.json');
  const log: string[] = [];
  const symbol = 'SYNX';
  const minutes = expectedBars(fake, symbol, '1Min', Date.UTC(2024, 3, 2), Date.UTC(2024, 3, 3)).t;
  let bot = await liveBot(symbol, statePath, log, true, 0);
  try {
    const set = smaCross(3, 8);
    await new BotClient(bot.url, SECRET).apply({
      changeId: 'change-1',
      version: 1,
      set,
      policy: 'adopt',
      approval: { id: 'approval-1', approvedBy: ['tester'], at: 1, note: 'test' },
    });
    for (let i = 0; i < 60; i++) fake.publishBar(symbol, minutes[i]!);
    await until(() => bot.runner.barsSeen === 60, '60 bars traded');
    fake.dropStreamClients();
    await until(() => log.some((l) => l.includes('reconnecting')), 'the reconnect');
    await until(() => fake.subscribers(symbol) === 1, 'the new subscription');
    // The minute before the drop again (a repeat), then new ones.
    for (let i = 59; i < 90; i++) fake.publishBar(symbol, minutes[i]!);
    await until(() => bot.runner.barsSeen === 90, '90 bars traded');
    const times = Array.from(bot.runner.bars.t.subarray(0, 90));
    expect(times).toEqual(Array.from(minutes.subarray(0, 90)));
    expect(bot.runner.fills.length).toBeGreaterThan(0);
    await until(() => fake.trading.position(symbol) === bot.runner.position, 'the account to follow');
    await bot.close();

    // A restarted bot whose feed sends its last bar again trades it once, not twice.
    bot = await liveBot(symbol, statePath, log, true, 0);
    await until(() => fake.subscribers(symbol) === 1, 'the restarted bot to subscribe');
    fake.publishBar(symbol, minutes[89]!);
    fake.publishBar(symbol, minutes[90]!);
    await until(() => bot.runner.barsSeen === 91, 'bar 91');
    expect(bot.repeatsSkipped()).toBe(1);
    expect(bot.runner.lastBarTime).toBe(minutes[90]);
    expect(fake.trading.position(symbol)).toBe(bot.runner.position);
    const orders = fake.trading.orderRequests.filter((o) => o.status === 200).length;
    expect(orders).toBeGreaterThan(0);
    expect(log.some((l) => l.startsWith('paper fill:'))).toBe(true);
    expect(log.join('\n')).not.toContain(fake.secretKey);
  } finally {
    await bot.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

it('the paper port sizes, rests, cancels and protects orders on the account, one order per intent', async () => {
  const symbol = 'ALFA';
  const minutes = expectedBars(fake, symbol, '1Min', Date.UTC(2024, 3, 2), Date.UTC(2024, 3, 3));
  fake.publishBar(symbol, minutes.t[0]!);
  const port = new AlpacaPaperPort(trading(), symbol, 'port');
  await port.refresh();
  port.mark({ h: minutes.h[0]!, l: minutes.l[0]!, c: minutes.c[0]! });
  const cash = port.cash;

  // A tenth of the equity, in whole units at the last close.
  const entry = port.submit(1, OrderType.Market, Sizing.EquityFraction, 0.1);
  const stopDistance = minutes.c[0]! / 2;
  port.attachExits(entry, stopDistance, NaN, NaN);
  await port.flush();
  const units = Math.floor((0.1 * cash) / minutes.c[0]!);
  expect(port.position).toBe(units);
  expect(port.averageEntryPrice).toBe(minutes.c[0]);
  expect(port.fills.held).toEqual([{ orderId: entry, side: 'buy', units, price: minutes.c[0] }]);
  // Its stop rests on the account at the distance from the fill.
  const resting = () => fake.trading.open(symbol).map((o) => [o.type, o.side, o.qty, o.stop_price]);
  expect(resting()).toEqual([['stop', 'sell', units, minutes.c[0]! - stopDistance]]);

  // A limit far below rests; cancelled, it never fills.
  const limit = port.submit(1, OrderType.Limit, Sizing.Units, 5, minutes.c[0]! / 2);
  await port.flush();
  expect(port.cancel(limit)).toBe(true);
  await port.flush();
  fake.publishBar(symbol, minutes.t[1]!);
  await port.refresh();
  expect(port.position).toBe(units);

  // A stop loss moved above the price replaces the resting stop (not a second one); the next bar
  // reaches it, at its open.
  port.setStopLoss(minutes.c[1]! * 2);
  await port.flush();
  expect(resting()).toEqual([['stop', 'sell', units, minutes.c[1]! * 2]]);
  expect(fake.trading.actions.filter((a) => a.type === 'stop').map((a) => a.action)).toEqual([
    'submit',
    'replace',
  ]);
  fake.publishBar(symbol, minutes.t[2]!);
  await port.refresh();
  expect(port.position).toBe(0);
  expect(fake.trading.position(symbol)).toBe(0);
  expect(port.fills.held.at(-1)).toMatchObject({
    side: 'sell',
    units,
    price: minutes.o[2],
    reason: 'StopLoss',
  });

  // Every order is closed now (filled or cancelled): the port keeps none and asks about none.
  const lookups = fake.trading.orderLookups;
  await port.refresh();
  expect(fake.trading.orderLookups).toBe(lookups);
  expect(port.cancel(limit)).toBe(false);

  // The same order sent twice (its first answer lost) is one order.
  const client = trading();
  const order = {
    symbol,
    side: 'buy',
    type: 'market',
    qty: '1',
    time_in_force: 'day',
    client_order_id: 'regimen-twice-1',
  } as const;
  const first = await client.submit(order);
  const second = await client.submit(order);
  expect(second.id).toBe(first.id);
  expect(fake.trading.position(symbol)).toBe(1);
});

it('names what the trading API refused, without the keys', async () => {
  const client = new AlpacaTradingClient({
    credentials: new AlpacaCredentials('WRONGKEY', 'WRONGSECRET-xyz', 'explicit'),
    baseUrl: fake.url,
  });
  const error = await client.account().then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(error?.message).toMatch(
    /Alpaca trading refused GET \/v2\/account \(HTTP 401\): request is not authorized/,
  );
  expect(error?.message).not.toContain('WRONGSECRET');
});

it('regimen bot --source alpaca --broker alpaca-paper subscribes to the symbol, keys never printed', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'regimen-alpaca-cli-'));
  const saved = { ...process.env };
  Object.assign(process.env, {
    APCA_API_KEY_ID: fake.keyId,
    APCA_API_SECRET_KEY: fake.secretKey,
    REGIMEN_BOT_SECRET: SECRET,
  });
  const symbol = 'BRVO';
  const io = captureIO();
  const exited = main(
    [
      'bot',
      '--source',
      'alpaca',
      '--broker',
      'alpaca-paper',
      '--symbol',
      symbol,
      '--alpaca-base-url',
      fake.url,
      '--alpaca-trading-url',
      fake.url,
      '--state',
      join(folder, 'bot.json'),
    ],
    io,
  );
  try {
    await until(() => io.stdout.includes('Bot listening on') || io.stderr.includes('Error'), 'the bot');
    expect(io.stderr).toContain(
      `live 1-minute bars of ${symbol} from Alpaca, regular hours, executed on the Alpaca paper account`,
    );
    await until(() => fake.subscribers(symbol) === 1, 'the subscription');
    expect(io.stderr).not.toContain(fake.secretKey);
  } finally {
    process.emit('SIGINT');
    expect(await exited).toBe(0);
    process.env = saved;
    rmSync(folder, { recursive: true, force: true });
  }
});

it('regimen bot --source alpaca without a symbol says what is missing', async () => {
  const io = captureIO();
  expect(await main(['bot', '--source', 'alpaca'], io)).not.toBe(0);
  expect(io.stderr).toContain('--source alpaca needs --symbol SYM');
});
