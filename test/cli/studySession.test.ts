/**
 * `regimen optimize` and `regimen walk-forward` take `--session` as a backtest does (issue 10 item 4):
 * the study keeps it (so `studies ID` shows it and a resume reads the same bars) and the walk-forward
 * windows start where the session does, whether the command runs here or in a `regimen serve` that
 * holds the data folder. Bars: a week of 1-minute equity bars from 08:00 New York, 90 minutes of them
 * before the 09:30 open.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, SMA_GRID } from '../support/runCli.ts';
import { serve } from '../support/serveProcess.ts';

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** 2024-03-04 is a Monday in EST (UTC-5): 08:00 New York is 13:00 UTC, the 09:30 open 14:30 UTC. */
const FIRST_DAY_MS = Date.UTC(2024, 2, 4);
const PRE_MARKET_START_MS = FIRST_DAY_MS + 13 * 3_600_000;
const OPEN_MS = FIRST_DAY_MS + 14.5 * 3_600_000;

/** Five weekdays of 1-minute bars, 08:00 to 16:00 New York, prices on a slow wave so SMAs cross. */
function oneMinuteCsv(): string {
  const lines = ['timestamp,open,high,low,close,volume'];
  let i = 0;
  for (let day = 0; day < 5; day++) {
    for (let minute = 0; minute < 8 * 60; minute++, i++) {
      const t = PRE_MARKET_START_MS + day * 86_400_000 + minute * 60_000;
      const close = 100 + 5 * Math.sin(i / 40) + i * 0.001;
      lines.push(
        `${new Date(t).toISOString()},${close},${close + 0.2},${close - 0.2},${close},${1000 + (i % 7)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const SEARCH = [
  '--symbol',
  'PREMK',
  '--timeframe',
  '1m',
  ...SMA_GRID,
  '--objective',
  'finalEquity',
  '--workers',
  '1',
  '--json',
];
const WINDOWS = ['--unit', 'bars', '--train', '600', '--test', '300', '--step', '600'];

interface StudySummaryJson {
  summary: { session?: string };
}
interface WalkForwardJson {
  session?: string;
  windows: { train: { startTime: number } }[];
}

/** A study and a walk-forward run in `session` (the default if null): what the study kept, where windows start. */
async function runIn(
  dataDir: string,
  session: 'extended' | null,
): Promise<{ study?: string; firstBar: number }> {
  const d = ['--data-dir', dataDir];
  const flag = session === null ? [] : ['--session', session];
  const study = await runCli(['optimize', ...SEARCH, ...flag, ...d]);
  expect(study.code, study.stderr).toBe(0);
  const { studyId } = JSON.parse(study.stdout) as { studyId: string };
  const shown = await runCli(['studies', studyId, '--json', ...d]);
  const kept = (JSON.parse(shown.stdout) as StudySummaryJson).summary.session;
  const run = await runCli(['walk-forward', ...SEARCH, ...WINDOWS, ...flag, ...d]);
  expect(run.code, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as WalkForwardJson;
  expect(result.session).toBe(kept);
  return { ...(kept === undefined ? {} : { study: kept }), firstBar: result.windows[0]!.train.startTime };
}

describe('--session on optimize and walk-forward', () => {
  it('is kept with the study and read by the windows, in-process and through a running serve', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-study-session-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const csv = join(dataDir, 'PREMK.csv');
    writeFileSync(csv, oneMinuteCsv());
    const d = ['--data-dir', dataDir];
    const imported = await runCli([
      'data',
      'import',
      csv,
      '--symbol',
      'PREMK',
      '--calendar',
      'equities',
      ...d,
    ]);
    expect(imported.code, imported.stderr).toBe(0);

    for (const command of ['optimize', 'walk-forward']) {
      const bad = await runCli([command, ...SEARCH, '--session', 'overnight', ...d]);
      expect(bad.code, command).toBe(2);
      expect(bad.stderr).toContain('--session must be regular or extended, got "overnight"');
    }

    // Regular hours unless asked, here as in a backtest; extended asked of the serve that holds the folder.
    expect(await runIn(dataDir, null)).toEqual({ study: 'regular', firstBar: OPEN_MS });
    await serve(dataDir, cleanups);
    expect(await runIn(dataDir, 'extended')).toEqual({ study: 'extended', firstBar: PRE_MARKET_START_MS });
  }, 120_000);
});
