import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inferAssetCalendar, utcDayStamp } from '../../src/core/data/assetCalendar.ts';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { costOptions, defaultCostSettings } from '../../src/core/engine/index.ts';
import { randomWalkBars } from '../../src/core/engine/random-walk.ts';
import { windowPanel } from '../../src/core/ml/learner/panel.ts';
import { evaluatePrequential } from '../../src/core/ml/learner/prequential.ts';
import { parseSpace } from '../../src/core/optimize/space.ts';
import { commissionRateFromPercent } from '../../src/shared/commission.ts';
import { openBackend } from '../../src/main/cli/backend.ts';
import { main } from '../../src/main/cli/main.ts';
import type { RegimeRecommendation } from '../../src/shared/contract.ts';
import { captureIO } from '../support/captureIO.ts';
import { setPricedSettings } from '../support/runCli.ts';

describe('regimen learner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-learner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bars = randomWalkBars(500, 5, { stepMs: 86_400_000, volatility: 0.012 });
  const file = join(dir, 'walk.csv');
  const rows = Array.from(bars.t, (t, i) =>
    [new Date(t).toISOString().slice(0, 10), bars.o[i], bars.h[i], bars.l[i], bars.c[i], bars.v[i]].join(','),
  );
  writeFileSync(file, `date,open,high,low,close,volume\n${rows.join('\n')}\n`);
  // The window is given once, as each flag is: the test of too few windows asks for a longer one here.
  const panelOf = (windowBars: number) => [
    '--space',
    'fast=2:20',
    '--space',
    'slow=5:60',
    '--sets',
    '10',
    '--window-bars',
    String(windowBars),
  ];
  const panel = panelOf(30);

  it('evaluate prints every prequential figure beside its baseline and goal, as JSON too', async () => {
    const io = captureIO();
    expect(await main(['learner', 'evaluate', '--csv', file, ...panel, '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ source: 'walk.csv', strategy: 'sma-cross', windowBars: 30, sets: 10 });
    for (const key of [
      'mae',
      'baselineMae',
      'rank',
      'topQuintile',
      'coverage80',
      'coverage90',
      'pairwise',
      'regime',
    ])
      expect(report, key).toHaveProperty(key);
    expect(report['predictions']).toBe((report['windows'] as number) * 10);
    // Each share carries its 95 % interval over windows, around its point estimate.
    for (const [share, interval] of [
      ['pairwise', 'pairwiseInterval'],
      ['coverage80', 'coverage80Interval'],
      ['coverage90', 'coverage90Interval'],
    ] as const) {
      const { lower, upper } = report[interval] as { lower: number; upper: number };
      expect(lower, interval).toBeLessThanOrEqual(report[share] as number);
      expect(upper, interval).toBeGreaterThanOrEqual(report[share] as number);
    }
    const text = captureIO();
    expect(await main(['learner', 'evaluate', '--csv', file, ...panel], text)).toBe(0);
    expect(text.stdout).toMatch(/top-quintile precision .*%.*>= 30\.0 %/);
    const percentIn = String.raw`\d+\.\d % \[\d+\.\d %, \d+\.\d %\]`;
    expect(text.stdout).toMatch(new RegExp(`pairwise "A beats B" +${percentIn}`));
    expect(text.stdout).toMatch(new RegExp(`coverage 80 % / 90 % +${percentIn} / ${percentIn}`));
    expect(text.stdout).toMatch(/next regime .* stays: /);
  });

  it("evaluate runs the windows at the folder's cash, costs and risk-free rate: core's figures at those values", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'regimen-learner-costs-'));
    try {
      const d = ['--data-dir', folder];
      await setPricedSettings(folder);
      const io = captureIO();
      expect(
        await main(['learner', 'evaluate', '--csv', file, ...panel, '--json', ...d], io),
        io.stderr,
      ).toBe(0);
      const json = JSON.parse(io.stdout) as Record<string, unknown>;
      const parsed = parseBarsCsv(readFileSync(file, 'utf8'), { source: 'walk.csv' }).bars;
      // A walk of every calendar day reads as crypto: its days at 00:00 UTC, as the CLI reads such a file.
      const read = { ...parsed, t: parsed.t.map(utcDayStamp) };
      const costs = { ...defaultCostSettings(inferAssetCalendar(read.t)), spreadBps: 10 };
      const rate = commissionRateFromPercent(0.1);
      expect(json).toMatchObject({ cash: 25_000, commission: rate, costs, riskFreeRate: 0.04 });
      const core = evaluatePrequential(
        windowPanel(read, {
          strategy: 'sma-cross',
          space: parseSpace(['fast=2:20', 'slow=5:60'], ['fast<slow']),
          sets: 10,
          seed: 1,
          windowBars: 30,
          timeframe: 'native',
          session: 'regular',
          backtest: { cash: 25_000, ...costOptions(rate, costs) },
          riskFreeRate: 0.04,
        }),
        { model: 'linear', seed: 1 },
      );
      for (const key of ['mae', 'baselineMae', 'rank', 'topQuintile', 'coverage80', 'pairwise'] as const)
        expect(json[key], key).toEqual(JSON.parse(JSON.stringify(core[key])));
      // The same flags on the command line, in a fresh folder, give the same figures.
      const flags = captureIO();
      const given = ['--cash', '25000', '--commission', '0.1', '--spread-bps', '10', '--risk-free', '4'];
      expect(await main(['learner', 'evaluate', '--csv', file, ...panel, '--json', ...given], flags)).toBe(0);
      expect((JSON.parse(flags.stdout) as Record<string, unknown>)['mae']).toBe(json['mae']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('recommend answers with a set, its intervals and confidence, or keeps the current set with the reason', async () => {
    const io = captureIO();
    expect(
      await main(['learner', 'recommend', '--csv', file, ...panel, '--trials', '16', '--json'], io),
    ).toBe(0);
    const r = JSON.parse(io.stdout) as {
      action: string;
      reason: string | null;
      params: Record<string, number>;
      basis: string;
      skill: { mean: number; t: number };
    };
    expect(r.params['fast']).toBeLessThan(r.params['slow']!);
    // This walk's learner ranks its sets at chance out of sample: whatever the confidence, it keeps.
    expect(r.skill.t).toBeLessThan(2);
    expect(r.basis).toContain(`rank correlation ${r.skill.mean.toFixed(3)}, t ${r.skill.t.toFixed(1)}`);
    expect(r.action).toBe('keep');
    expect(r.reason).toMatch(
      /^the learner trained on these bars ranks sets no better than chance out of sample \(rank correlation -?0\.\d{3}, t -?\d+\.\d; a switch needs a positive one with t >= 2\)$/,
    );
    const kept = captureIO();
    expect(
      await main(
        ['learner', 'recommend', '--csv', file, ...panel, '--trials', '16', '--threshold', '1'],
        kept,
      ),
    ).toBe(0);
    // Short of both, the skill is the reason given.
    expect(kept.stdout).toMatch(
      /^Keep the current set: the learner trained on these bars ranks sets no better than chance/,
    );
  });

  it("recommend --from-ledger reads the ledger's population as the Learner view does: the same set, score and confidence", async () => {
    const d = ['--data-dir', join(dir, 'folder')];
    expect(await main(['data', 'import', file, '--symbol', 'LRNC', ...d], captureIO())).toBe(0);
    // A walk-forward run over the days: its test windows are the ledger's scored sets.
    const walk = captureIO();
    const args = ['walk-forward', '--symbol', 'LRNC', '--timeframe', '1d', '--strategy', 'sma-cross'];
    const space = ['--space', 'fast=2:12', '--space', 'slow=15:40', '--trials', '4', '--seed', '3'];
    const windows = ['--objective', 'sharpeRatio', '--unit', 'bars', '--train', '60', '--test', '30'];
    expect(await main([...args, ...space, ...windows, '--step', '30', ...d], walk), walk.stderr).toBe(0);
    expect(await main(['learner', 'backfill', '--json', ...d], captureIO())).toBe(0);
    const subject = { symbol: 'LRNC', timeframe: '1d' } as const;
    const cli = captureIO();
    const recommend = ['learner', 'recommend', '--symbol', 'LRNC', '--timeframe', '1d', '--from-ledger'];
    expect(await main([...recommend, '--trials', '12', '--threshold', '0.2', '--json', ...d], cli)).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as RegimeRecommendation;
    const backend = await openBackend({ values: { 'data-dir': d[1] }, positionals: [] });
    try {
      const { population } = await backend.request('learner:state', {
        strategy: 'sma-cross',
        population: subject,
      });
      // Standing is read against something: a candidate of an empty population stands at 0.
      expect(population.length).toBeGreaterThan(0);
      const ui = await backend.request('learner:recommend', {
        ...subject,
        trials: 12,
        threshold: 0.2,
        regimes: 1,
        // The ledger's few results would leave the view's default to the bars: asked for by name.
        learnFrom: 'ledger',
      });
      expect(ui.basis.learned).toBeGreaterThan(0);
      const [current] = ui.recommendations;
      expect(fromCli.params).toEqual(current!.params);
      expect(fromCli.score).toBe(current!.score);
      expect(fromCli.confidence).toBe(current!.confidence);
      expect(fromCli.interval80).toMatchObject(current!.interval80);
    } finally {
      await backend.close();
    }
  });

  it('refuses settings that leave too few windows, or an unknown session rule, naming the flag', async () => {
    const io = captureIO();
    expect(await main(['learner', 'evaluate', '--csv', file, ...panelOf(300)], io)).toBe(2);
    expect(io.stderr).toMatch(
      /^regimen learner evaluate: --window-bars: only \d+ windows of 300 bars fit these bars after warm-up \(10 needed\)/,
    );
    // Without --window-bars the default fits any bars that can be learned on: the bars are too few, and
    // the flag to blame is the one that gave them (it was --window-bars, which the trader had not typed).
    const short = captureIO();
    const start = new Date(bars.t[480]!).toISOString().slice(0, 10);
    expect(await main(['learner', 'evaluate', '--csv', file, '--start', start, '--sets', '10'], short)).toBe(
      2,
    );
    expect(short.stderr).toMatch(
      /^regimen learner evaluate: --csv: only \d+ windows of \d+ bars fit these bars/,
    );
    const session = captureIO();
    expect(await main(['learner', 'evaluate', '--csv', file, ...panel, '--session', 'night'], session)).toBe(
      2,
    );
    expect(session.stderr).toMatch(/--session must be regular or extended, got "night"/);
  });
});

// recommend's own options were appended after the costs' explanation, on its last line, where they read
// as part of it ("... replace one part [--threshold 0.5] [--trials 64] [--from-ledger]").
describe('regimen learner recommend --help', () => {
  it('lists its own options among the others, before the explanation of the costs', async () => {
    const io = captureIO();
    expect(await main(['learner', 'recommend', '--help'], io)).toBe(0);
    const lines = io.stdout.split('\n');
    const own = lines.findIndex((line) => line.includes('[--threshold 0.5] [--trials 64] [--from-ledger]'));
    const explained = lines.findIndex((line) => line.includes("Each set's window score is its Sharpe ratio"));
    expect(own).toBeGreaterThan(-1);
    expect(explained).toBeGreaterThan(own);
    expect(lines.some((line) => /replace one part \[/.test(line))).toBe(false);
  });
});
