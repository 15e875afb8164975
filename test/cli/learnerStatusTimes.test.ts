/**
 * `regimen learner status` prints when each learner was saved in --tz, as every other command prints its
 * times (it printed ISO UTC whatever --tz said); --json keeps the instant.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/core/ml/learner/ledger.ts';
import { main } from '../../src/main/cli/main.ts';
import { LedgerLearner } from '../../src/main/ml/ledgerLearner.ts';
import { LedgerRepository } from '../../src/main/store/ledgerRepository.ts';
import { timeFormat } from '../../src/shared/timeZone.ts';
import { tempDir } from '../marketdata/helpers.ts';
import { captureIO } from '../support/captureIO.ts';
import { testServices } from '../support/serviceHost.ts';

/** A few scored test windows of sma-cross: enough for its learner to learn and be saved. */
const rows: LedgerEntry[] = Array.from({ length: 6 }, (_, i) => ({
  kind: 'window-test',
  sourceId: 'run-1',
  item: i,
  symbol: 'DEMO',
  timeframe: '1d',
  strategy: 'sma-cross',
  startTime: i * 86_400_000,
  endTime: (i + 1) * 86_400_000,
  params: { fast: 5 + i, slow: 40 },
  features: { 'param.fast': 5 + i, 'param.slow': 40 },
  outcomes: { sharpeRatio: i / 10 },
  score: i / 10,
  regime: null,
  session: null,
  recordedAt: i,
}));

let dir: { path: string; remove(): void };
let savedAt = 0;
beforeAll(async () => {
  dir = tempDir('regimen-learner-status-');
  const services = await testServices(dir.path);
  try {
    const ledger = new LedgerRepository(services.db);
    await ledger.append(rows);
    await new LedgerLearner(ledger).updateAll();
    savedAt = (await ledger.latestState('sma-cross'))!.savedAt;
  } finally {
    await services.close();
  }
}, 60_000);
afterAll(() => dir?.remove());

async function status(...flags: string[]): Promise<string> {
  const io = captureIO();
  expect(await main(['learner', 'status', '--data-dir', dir.path, ...flags], io), io.stderr).toBe(0);
  return io.stdout;
}

it('prints when each learner was saved in --tz, named in the header; --json keeps the instant', async () => {
  for (const zone of ['Asia/Tokyo', 'UTC', 'America/New_York']) {
    const out = await status('--tz', zone);
    expect(out).toContain(`saved (${zone})`);
    const row = out.split('\n').find((line) => line.startsWith('sma-cross'));
    expect(row?.trimEnd().endsWith(timeFormat(zone).dateTime(savedAt)), out).toBe(true);
  }
  // The default is the exchange's zone, as everywhere else.
  expect(await status()).toContain(timeFormat('America/New_York').dateTime(savedAt));
  const json = JSON.parse(await status('--json')) as { learners: { savedAt: number }[] };
  expect(json.learners[0]!.savedAt).toBe(savedAt);
});
