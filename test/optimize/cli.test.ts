import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket } from '../../src/core/data/synthetic.ts';
import { databasePath } from '../../src/main/paths.ts';
import { DEMO_MARKET } from '../../src/main/services/demoMarket.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { studyRecords } from '../../src/main/services/optimize/studyRecords.ts';
import { runCli } from '../support/runCli.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');
const spy = sharedDataFile('SPY_1min.csv');
const BIN = fileURLToPath(new URL('../../bin/regimen.js', import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-opt-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!spy.present)(
  `optimize: kill -9 in the middle of a study, then --resume${spy.skipReason}`,
  () => {
    it(
      'loses no finished trial, runs none twice and completes the study',
      async () => {
        const dataDir = tempDir();
        // Killed at 100 stored trials with 400 left: CI's 2-core machine ran ~2,900 of these trials in 14 s
        // with 1,500 a study, and progress is printed every 200 ms, so the kill lands over a second early.
        const total = 500;
        const args = [
          'optimize',
          '--csv',
          spy.path,
          '--strategy',
          'sma-cross',
          '--space',
          'fast=2:60',
          '--space',
          'slow=5:400',
          '--constraint',
          'fast<slow',
          '--sampler',
          'random',
          '--trials',
          String(total),
          '--seed',
          '99',
          '--workers',
          '2',
          '--data-dir',
          dataDir,
        ];
        const child = spawn(process.execPath, [BIN, ...args, '--progress', 'lines'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        let studyId = '';
        const killed = new Promise<void>((resolve, reject) => {
          child.on('exit', () => resolve());
          child.on('error', reject);
          child.stderr.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            studyId ||= /study (\S+) running/.exec(stderr)?.[1] ?? '';
            // Kill once a good number of trials is stored but far from all of them.
            const done = [...stderr.matchAll(/progress running (\d+)\//g)].map((m) => Number(m[1]));
            if (done.some((d) => d >= 100) && child.exitCode === null) child.kill('SIGKILL');
          });
        });
        await killed;
        expect(child.signalCode, stderr).toBe('SIGKILL');
        expect(studyId).not.toBe('');

        const db = await Database.open(databasePath(dataDir));
        const before = await studyRecords(db).loadTrials(studyId);
        db.close();
        const finishedBefore = before.filter((t) => t.status !== 'running');
        expect(finishedBefore.length).toBeGreaterThanOrEqual(100);
        expect(finishedBefore.length).toBeLessThan(total);

        const resumed = await runCli([
          'optimize',
          '--resume',
          studyId,
          '--workers',
          '2',
          '--data-dir',
          dataDir,
          '--json',
        ]);
        expect(resumed.code, resumed.stderr).toBe(0);
        const report = JSON.parse(resumed.stdout) as {
          state: string;
          trials: {
            number: number;
            status: string;
            params: Record<string, number>;
            finishedAt: number;
            values: number[];
          }[];
          overfitting: { pbo: { pbo: number } | null; deflatedSharpe: { trials: number } };
        };
        expect(report.state).toBe('complete');
        expect(report.trials.map((t) => t.number)).toEqual(Array.from({ length: total }, (_, i) => i));
        expect(report.trials.every((t) => t.status === 'complete')).toBe(true);
        for (const t of finishedBefore) {
          const after = report.trials[t.number]!;
          expect(after.params).toEqual(t.params);
          // Kept as it was stored before the kill (same finish time): not run a second time.
          expect(after.finishedAt).toBe(t.finishedAt);
        }
        expect(report.overfitting.pbo).not.toBeNull();

        // The same seed uninterrupted gives the same trials.
        const fresh = await runCli([...args.slice(0, -2), '--data-dir', tempDir(), '--json']);
        expect(fresh.code, fresh.stderr).toBe(0);
        const reference = JSON.parse(fresh.stdout) as typeof report;
        expect(reference.trials.map((t) => [t.params, t.values])).toEqual(
          report.trials.map((t) => [t.params, t.values]),
        );
      },
      // Three studies of 500 SPY-minute trials (killed, resumed, fresh, the last two with their
      // statistics): seconds on CI's quiet 2-core machine, past the default 60 s when other processes
      // share the cores.
      180_000,
    );
  },
);

describe.skipIf(!spy.present)(`walk-forward on SPY_1min.csv${spy.skipReason}`, () => {
  it('runs end to end with a short window setting (train 10 days, test 2, step 2)', async () => {
    const args = [
      'walk-forward',
      '--csv',
      spy.path,
      '--strategy',
      'sma-cross',
      '--space',
      'fast=5:30:5',
      '--space',
      'slow=20:120:20',
      '--constraint',
      'fast<slow',
      '--sampler',
      'tpe',
      '--trials',
      '12',
      '--seed',
      '5',
      '--train',
      '10',
      '--test',
      '2',
      '--step',
      '2',
      '--end',
      '2024-03-20T00:00:00Z',
    ];
    const { code, stdout, stderr } = await runCli([...args, '--json']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as {
      windows: {
        index: number;
        params: Record<string, number>;
        outOfSample: Record<string, number | null>;
        test: { startTime: number };
      }[];
      equity: { t: number[]; value: number[] };
      outOfSample: Record<string, number | null>;
      efficiency: number | null;
      parameterPath: { params: Record<string, number> }[];
      stability: { name: string; changes: number }[];
    };
    expect(result.windows.length).toBeGreaterThanOrEqual(5);
    for (const w of result.windows) expect(w.params['fast']!).toBeLessThan(w.params['slow']!);
    expect(result.parameterPath.map((p) => p.params)).toEqual(result.windows.map((w) => w.params));
    expect(result.stability.map((s) => s.name)).toEqual(['fast', 'slow']);
    // The stitched curve spans the test windows, in time order, starting at the first test window.
    expect(result.equity.t[0]).toBeGreaterThanOrEqual(result.windows[0]!.test.startTime);
    for (let i = 1; i < result.equity.t.length; i++)
      expect(result.equity.t[i]!).toBeGreaterThan(result.equity.t[i - 1]!);
    expect(typeof result.outOfSample['totalReturn']).toBe('number');
    expect(result.equity.value.every((v) => v > 0)).toBe(true);
    expect('efficiency' in result).toBe(true);

    // Seeded: the same command gives the same parameter path.
    const again = await runCli([...args, '--anchored', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const anchored = JSON.parse(again.stdout) as typeof result & { windowSettings: { mode: string } };
    expect(anchored.windowSettings.mode).toBe('anchored');
    expect(anchored.windows.length).toBe(result.windows.length);
  });
});

describe('walk-forward on the demo market', () => {
  it('runs end to end on a short range of a demo symbol from the cache', async () => {
    const dataDir = tempDir();
    const db = await Database.open(databasePath(dataDir));
    const series = createSyntheticMarket(DEMO_MARKET).generate(0);
    await new BarsRepository(db).write(series.symbol, '1m', series.bars, 'demo');
    db.close();
    const { code, stdout, stderr } = await runCli([
      'walk-forward',
      '--symbol',
      series.symbol,
      '--timeframe',
      '5m',
      '--start',
      '2023-03-01',
      '--end',
      '2023-04-15',
      '--strategy',
      'confluence',
      '--sampler',
      'random',
      '--trials',
      '6',
      '--seed',
      '11',
      '--objective',
      'totalReturn',
      '--train',
      '14',
      '--test',
      '7',
      '--step',
      '7',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as {
      symbol: string;
      windows: { params: Record<string, number> }[];
      stability: { name: string }[];
      equity: { value: number[] };
    };
    expect(result.symbol).toBe(series.symbol);
    expect(result.windows.length).toBeGreaterThanOrEqual(3);
    // Without --space the strategy's own parameters are the space: confluence's twelve.
    expect(result.stability).toHaveLength(12);
    expect(Object.keys(result.windows[0]!.params)).toHaveLength(12);
    expect(result.equity.value.every((v) => v > 0)).toBe(true);
  });
});

const several = ['GOOG', 'ORCL', 'NVDA'].map((s) => ({ symbol: s, file: sharedDataFile(`${s}.csv`) }));
const severalMissing = several.find((s) => !s.file.present)?.file.skipReason ?? '';

describe(`optimize on several symbols (GOOG, ORCL, NVDA daily)${severalMissing}`, () => {
  it.skipIf(severalMissing !== '')(
    'scores each trial on every symbol, prints the winner per symbol, and refuses what cannot be scored',
    async () => {
      const dataDir = tempDir();
      for (const { symbol, file } of several) {
        const imported = await runCli([
          'data',
          'import',
          file.path,
          '--symbol',
          symbol,
          '--data-dir',
          dataDir,
        ]);
        expect(imported.code, imported.stderr).toBe(0);
      }
      const study = [
        ...['optimize', '--symbol', 'GOOG,ORCL,NVDA', '--timeframe', '1d', '--strategy', 'sma-cross'],
        ...['--space', 'fast=5:15:5', '--space', 'slow=20:40:20', '--constraint', 'fast<slow'],
        ...['--sampler', 'grid', '--start', '2006-01-01', '--end', '2013-01-01', '--data-dir', dataDir],
      ];
      const printed = await runCli([...study, '--aggregate', 'weighted', '--weights', '0.5,0.3,0.2']);
      expect(printed.code, printed.stderr).toBe(0);
      // The printed winner: the combined value (what was optimised) beside each symbol's, each row
      // saying how it was combined.
      const lines = printed.stdout.split('\n');
      expect(
        lines.some((line) => /^metric\s+combined\s+GOOG\s+ORCL\s+NVDA\s*$/.test(line)),
        printed.stdout,
      ).toBe(true);
      const sharpeRow = lines.find((line) => line.startsWith('Sharpe ratio (weighted mean)'))!;
      const [combined, goog, orcl, nvda] = sharpeRow
        .trim()
        .split(/\s{2,}/)
        .slice(1)
        .map(Number);
      expect(combined).toBeCloseTo(0.5 * goog! + 0.3 * orcl! + 0.2 * nvda!, 1);

      const refused: [string[], RegExp][] = [
        [
          ['--aggregate', 'weighted', '--weights', '0.5,0.5'],
          /--weights has 2 weights for 3 symbols \(GOOG, ORCL, NVDA\)/,
        ],
        [
          ['--aggregate', 'weighted', '--weights', '0.5,0,0.5'],
          /--weights: the weight of ORCL must be a number above 0, got "0"/,
        ],
        [['--aggregate', 'weighted'], /--aggregate weighted needs --weights, one per symbol/],
        [['--aggregate', 'best'], /--aggregate must be worst, mean or weighted/],
      ];
      for (const [extra, message] of refused) {
        const { code, stderr } = await runCli([...study, ...extra]);
        expect(code).toBe(2);
        expect(stderr.split('\n')[0]).toMatch(message);
      }
      const unknown = await runCli(study.map((a) => (a === 'GOOG,ORCL,NVDA' ? 'GOOG,NOPE' : a)));
      expect(unknown.code).toBe(2);
      expect(unknown.stderr.split('\n')[0]).toMatch(/^regimen optimize: --symbol: .*NOPE/);
      const hourly = await runCli(study.map((a) => (a === '1d' ? '1h' : a)));
      expect(hourly.code).toBe(2);
      expect(hourly.stderr.split('\n')[0]).toMatch(/GOOG.*1h/);
      // One study ran; the refused ones stored nothing.
      const listed = await runCli(['studies', '--json', '--data-dir', dataDir]);
      expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(1);

      // Walk-forward on two of them: windows on their shared dates, the combined column beside each one's.
      const walked = await runCli([
        ...['walk-forward', '--symbol', 'GOOG,ORCL', '--aggregate', 'mean', '--timeframe', '1d'],
        ...['--strategy', 'sma-cross', '--space', 'fast=5:15:5', '--space', 'slow=20:40:20'],
        ...['--constraint', 'fast<slow', '--sampler', 'grid', '--trials', '6', '--seed', '1'],
        ...[
          '--train',
          '730',
          '--test',
          '365',
          '--step',
          '365',
          '--start',
          '2006-01-01',
          '--end',
          '2010-01-01',
        ],
        ...['--data-dir', dataDir],
      ]);
      expect(walked.code, walked.stderr).toBe(0);
      expect(walked.stdout).toMatch(/^Walk-forward sma-cross on GOOG\+ORCL .*2 windows/m);
      expect(walked.stdout).toMatch(/^metric\s+combined\s+GOOG\s+ORCL\s+in sample \(window mean\)\s*$/m);
      expect(walked.stdout).toMatch(
        /^Combined: GOOG, ORCL scored together: every figure is the mean of the symbols' \(each symbol's own are listed\)/m,
      );
      expect(walked.stdout).toMatch(/^Sharpe ratio \(mean\)\s/m);
    },
    120_000,
  );
});

describe('optimize and walk-forward: bad arguments exit 2 with one line naming the problem', () => {
  const csv = goog.present ? goog.path : '/nonexistent.csv';
  const cases: [string[], RegExp][] = [
    [['optimize', '--csv', csv], /--strategy is required/],
    [['optimize', '--csv', csv, '--strategy', 'nope'], /nope/],
    [['optimize', '--strategy', 'sma-cross'], /exactly one of --csv FILE or --symbol SYM/],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--space', 'fast=5:x'],
      /space "fast=5:x".*max "x"/,
    ],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--space', 'bogus=1:5'],
      /"bogus" is not a parameter of sma-cross/,
    ],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--constraint', 'fast<nope'],
      /unknown parameter "nope"/,
    ],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--sampler', 'annealing'],
      /--sampler: sampler "annealing" is unknown/,
    ],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--objective', 'profit'],
      /unknown metric "profit"/,
    ],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--objective', 'sharpeRatio:up'],
      /direction "up" must be max or min/,
    ],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--trials', '0'],
      /--trials must be an integer >= 1/,
    ],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--mode', 'pareto'],
      /needs at least two objectives/,
    ],
    [
      ['optimize', '--csv', csv, '--strategy', 'sma-cross', '--timeframe', '2m'],
      /--timeframe must be one or more of/,
    ],
    [
      ['optimize', '--resume', 'no-such-study', '--data-dir', '@tmp'],
      /--resume: no study with id "no-such-study"/,
    ],
    [['optimize', '--symbol', 'GOOG,ORCL,GOOG', '--strategy', 'sma-cross'], /--symbol lists GOOG twice/],
    [
      // With --timeframe, as without it the cache is read first for its finest timeframe.
      ['optimize', '--symbol', 'GOOG', '--timeframe', '1d', '--strategy', 'sma-cross', '--weights', '1'],
      /--weights weighs several symbols/,
    ],
    [
      [
        ...['walk-forward', '--symbol', 'GOOG,ORCL', '--timeframe', '1d', '--strategy', 'sma-cross'],
        ...['--aggregate', 'weighted'],
      ],
      /--aggregate weighted needs --weights, one per symbol/,
    ],
    [['walk-forward', '--csv', csv, '--strategy', 'sma-cross', '--train', '0'], /--train must be positive/],
    [
      ['walk-forward', '--csv', csv, '--strategy', 'sma-cross', '--unit', 'weeks'],
      /--unit must be days or bars/,
    ],
  ];
  for (const [argv, message] of cases) {
    it(argv.slice(1).join(' '), async () => {
      const args = argv.map((a) => (a === '@tmp' ? tempDir() : a));
      const { code, stdout, stderr } = await runCli(args);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const first = stderr.split('\n')[0]!;
      expect(first).toMatch(new RegExp(`^regimen ${argv[0]}: `));
      expect(first).toMatch(message);
    });
  }
});
