/**
 * `regimen bot` trades as its account could: a replay of crypto bars runs long only (Alpaca lends no
 * crypto) in fractions of a coin (as Alpaca trades it) unless --short-sales and --units say otherwise, an
 * equity replay may short, in whole shares, and the status tells the workstation which, so its shadow
 * backtest trades alike (watcherWindow.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BotClient } from '../../src/main/livebot/botClient.ts';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { BOT_SECRET as SECRET, until } from '../livebot/alpacaHarness.ts';

const folder = mkdtempSync(join(tmpdir(), 'regimen-bot-shorts-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

// Bars on every day of the week are crypto's; the same closes on weekdays only, an equity's.
const crypto = join(folder, 'COIN.csv');
writeFileSync(crypto, dailyWaveCsv());
const equity = join(folder, 'STOCK.csv');
const weekdays = dailyWaveCsv()
  .trim()
  .split('\n')
  .filter((line, k) => k === 0 || ![0, 6].includes(new Date(line.split(',')[0]!).getUTCDay()));
writeFileSync(equity, `${weekdays.join('\n')}\n`);

/** The bot's status and what it told the terminal, for these flags; the bot is stopped after. */
async function botOn(csv: string, ...flags: string[]) {
  const saved = process.env['REGIMEN_BOT_SECRET'];
  process.env['REGIMEN_BOT_SECRET'] = SECRET;
  const io = captureIO();
  const args = ['bot', '--source', 'replay', '--csv', csv, '--speed', '1e9', '--json'];
  const exited = main([...args, '--state', join(folder, 'bot.json'), '--data-dir', folder, ...flags], io);
  try {
    await until(() => io.stdout.includes('"url"') || /Error|regimen bot:/.test(io.stderr), 'the bot');
    const { url } = JSON.parse(io.stdout) as { url: string };
    return { status: await new BotClient(url, SECRET).status(), stderr: io.stderr };
  } finally {
    process.emit('SIGINT');
    expect(await exited, io.stderr).toBe(0);
    rmSync(join(folder, 'bot.json'), { force: true });
    if (saved === undefined) delete process.env['REGIMEN_BOT_SECRET'];
    else process.env['REGIMEN_BOT_SECRET'] = saved;
  }
}

it('a crypto replay is long only in fractions by default, an equity one may short in whole shares; the flags decide either', async () => {
  const coin = await botOn(crypto);
  expect(coin.status).toMatchObject({ shortSales: 'none', units: 'fractional' });
  expect(coin.stderr).toContain(
    '300 bars of COIN (replay) at 1000000000x, regular hours, long only, fractional units',
  );
  const told = await botOn(crypto, '--short-sales', 'allowed', '--units', 'whole');
  expect(told.status).toMatchObject({ shortSales: 'allowed', units: 'whole' });
  const stock = await botOn(equity);
  expect(stock.status).toMatchObject({ shortSales: 'allowed', units: 'whole' });
  expect(stock.stderr).not.toContain('long only');
  expect((await botOn(equity, '--short-sales', 'none')).status.shortSales).toBe('none');
  const io = captureIO();
  expect(await main(['bot', '--short-sales', 'never', '--data-dir', folder], io)).toBe(2);
  expect(io.stderr).toContain('--short-sales must be allowed or none, got "never"');
}, 60_000);
