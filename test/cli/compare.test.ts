/**
 * `regimen compare list | add | remove | show` (issue 15 item 5): the compare set from the CLI, through
 * the same requests as the app's Compare tab (the owner's when one holds the folder). Two trials of a
 * study pinned, listed, shown side by side with each metric marked better or worse than the reference
 * by its direction, written as CSV; bad pins refused naming what is wrong; unpinned one by one and all.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricDifference } from '../../src/shared/metricDifference.ts';
import { runCli, SMA_GRID, SMALL_WALK_FORWARD } from '../support/runCli.ts';
import { dailyWaveCsv } from '../support/dailyWave.ts';
import { readCsv } from '../support/csvRows.ts';

const cleanups: (() => unknown)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

interface Shown {
  reference: string;
  pins: { id: string; label: string; ok: boolean }[];
  rows: { metric: string; values: { value: number | null; delta: number | null; verdict: string }[] }[];
}

async function listPins(
  d: string[],
): Promise<
  { id: string; result: { ok: boolean; params?: Record<string, number>; metrics?: Record<string, number> } }[]
> {
  const listed = await runCli(['compare', 'list', '--json', ...d]);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as Awaited<ReturnType<typeof listPins>>;
}

describe('the compare set from the CLI', () => {
  it('pins two trials, shows them side by side marked against the reference, writes CSV and unpins', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-compare-cli-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const csv = join(dataDir, 'WAVE.csv');
    writeFileSync(csv, dailyWaveCsv());
    const d = ['--data-dir', dataDir];
    const ran = await runCli([
      'optimize',
      '--csv',
      csv,
      ...SMA_GRID,
      '--objective',
      'finalEquity',
      '--workers',
      '1',
      '--json',
      ...d,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const { studyId } = JSON.parse(ran.stdout) as { studyId: string };

    const both = await runCli(['compare', 'add', '--study', studyId, '--trial', '0', '--symbol', 'X', ...d]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      'give one of --study ID --trial N, --walk-forward RUN_ID or --symbol SYM --strategy NAME',
    );
    const missing = await runCli(['compare', 'add', '--study', studyId, '--trial', '99', ...d]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`study ${studyId} has no trial 99`);

    // A backtest pin runs as `regimen backtest` would: parameters not given at their defaults; a symbol
    // with no bars is refused, not stored to fail on every read.
    const unknown = await runCli(['compare', 'add', '--symbol', 'NOPE', '--strategy', 'sma-cross', ...d]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No bars stored for symbol "NOPE"');
    expect((await runCli(['data', 'import', csv, ...d])).code).toBe(0);
    const wave = ['--symbol', 'WAVE', '--timeframe', '1d', '--strategy', 'sma-cross', '--json', ...d];
    const defaults = await runCli(['compare', 'add', ...wave]);
    expect(defaults.code, defaults.stderr).toBe(0);
    const backtest = await runCli(['backtest', ...wave]);
    const backtestJson = JSON.parse(backtest.stdout) as {
      params: Record<string, number>;
      metrics: { finalEquity: number };
    };
    const pinnedBacktest = (await listPins(d)).find(
      (pin) => pin.id === (JSON.parse(defaults.stdout) as { id: string }).id,
    )!;
    expect(pinnedBacktest.result).toMatchObject({ ok: true, params: backtestJson.params });
    expect(pinnedBacktest.result.metrics?.['finalEquity']).toBe(backtestJson.metrics.finalEquity);
    expect((await runCli(['compare', 'remove', pinnedBacktest.id, ...d])).code).toBe(0);

    const pinned: string[] = [];
    for (const trial of ['0', '3']) {
      const added = await runCli(['compare', 'add', '--study', studyId, '--trial', trial, '--json', ...d]);
      expect(added.code, added.stderr).toBe(0);
      pinned.push((JSON.parse(added.stdout) as { id: string }).id);
    }
    const listed = await runCli(['compare', 'list', ...d]);
    expect(listed.stdout).toContain(`trial 0 of study ${studyId}`);
    expect(listed.stdout).toContain(`trial 3 of study ${studyId}`);

    const out = join(dataDir, 'compare.csv');
    const json = await runCli(['compare', 'show', '--json', '--out', out, ...d]);
    expect(json.code, json.stderr).toBe(0);
    const shown = JSON.parse(json.stdout) as Shown;
    expect(shown.reference).toBe(pinned[0]);
    expect(shown.pins.map((p) => p.ok)).toEqual([true, true]);
    const final = shown.rows.find((row) => row.metric === 'finalEquity')!;
    const [reference, other] = final.values;
    // The two trials end with different equity: the second is marked by how it compares, higher is better.
    expect(other!.value).not.toBe(reference!.value);
    expect(other!.delta).toBeCloseTo(other!.value! - reference!.value!, 9);
    expect(other!.verdict).toBe(other!.value! > reference!.value! ? 'better' : 'worse');
    const drawdown = shown.rows.find((row) => row.metric === 'maxDrawdown')!.values;
    expect(drawdown[1]!.verdict).toBe(
      metricDifference('maxDrawdown', drawdown[1]!.value, drawdown[0]!.value).verdict,
    );
    // The CSV holds the same figures: each pin's value, its difference and its verdict.
    const [header, ...rows] = readCsv(readFileSync(out, 'utf8'));
    const finalRow = rows.find((row) => row[0] === 'finalEquity')!;
    const column = (name: string): string => finalRow[header!.indexOf(name)]!;
    const otherLabel = shown.pins[1]!.label;
    expect(column(`${otherLabel} verdict`)).toBe(other!.verdict);
    expect(Number(column(`${otherLabel} delta`))).toBe(other!.delta);
    expect(Number(column(shown.pins[0]!.label))).toBe(reference!.value);

    // Against the second pin, the first is marked the other way round.
    const table = await runCli(['compare', 'show', '--reference', pinned[1]!, ...d]);
    expect(table.code, table.stderr).toBe(0);
    const line = table.stdout.split('\n').find((l) => l.startsWith('Final equity'))!;
    expect(line).toContain(other!.verdict === 'better' ? '▼ -' : '▲ +');
    // A difference of two returns is in percentage points, not a relative change in %.
    const [returnAgainst, returnReference] = shown.rows.find((row) => row.metric === 'totalReturn')!.values;
    const points = (returnAgainst!.value! - returnReference!.value!) * 100;
    expect(points).not.toBe(0);
    const returnLine = table.stdout.split('\n').find((l) => l.startsWith('Total return'))!;
    expect(returnLine).toContain(`${points > 0 ? '+' : '-'}${Math.abs(points).toFixed(2)} pp`);
    expect(returnLine).not.toMatch(/[▲▼] [+-][\d.]+%/);
    expect(table.stdout).toContain(`${otherLabel} (reference)`);

    expect((await runCli(['compare', 'remove', pinned[0]!, ...d])).stdout).toContain(
      `Unpinned ${pinned[0]}.`,
    );
    expect((await runCli(['compare', 'remove', '--all', ...d])).stdout).toContain('Unpinned 1 pins.');
  }, 60_000);

  it("pins a backtest at `regimen backtest`'s costs: the pin is that run, cost flags and all", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-compare-costs-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const csv = join(dataDir, 'WAVE.csv');
    writeFileSync(csv, dailyWaveCsv());
    const d = ['--data-dir', dataDir];
    expect((await runCli(['data', 'import', csv, ...d])).code).toBe(0);
    const run = ['--symbol', 'WAVE', '--timeframe', '1d', '--strategy', 'sma-cross', '--json', ...d];
    const costs = [
      ['--commission', '0.3', '--spread-bps', '40', '--slippage-bps', '15', '--fees', 'none'],
      ['--costs', 'none', '--commission', '0.1', '--risk-free', '4', '--close-at-end', '--cash', '25000'],
    ];
    const expected = new Map<string, Record<string, number>>();
    for (const flags of [...costs, []]) {
      const backtest = await runCli(['backtest', ...run, ...flags]);
      expect(backtest.code, backtest.stderr).toBe(0);
      const added = await runCli(['compare', 'add', ...run, ...flags]);
      expect(added.code, added.stderr).toBe(0);
      const { id } = JSON.parse(added.stdout) as { id: string };
      expected.set(id, (JSON.parse(backtest.stdout) as { metrics: Record<string, number> }).metrics);
    }
    // Pins are derived again on every read: one read derives all three.
    const pins = await listPins(d);
    expect(pins.map((pin) => pin.id)).toEqual([...expected.keys()]);
    for (const pin of pins) {
      expect(pin.result.ok).toBe(true);
      for (const metric of ['finalEquity', 'totalReturn', 'sharpeRatio', 'maxDrawdown', 'trades'])
        expect(pin.result.metrics?.[metric], metric).toBe(expected.get(pin.id)![metric]);
    }
    // The flags changed the run: the pins differ from each other and from one at the default costs.
    expect(new Set(pins.map((pin) => pin.result.metrics?.['finalEquity'])).size).toBe(3);

    // A trial or a run keeps its own costs: cost flags typed with them are refused, naming the flag.
    const withTrial = await runCli([
      'compare',
      'add',
      '--study',
      's',
      '--trial',
      '0',
      '--spread-bps',
      '5',
      ...d,
    ]);
    expect(withTrial.code).toBe(2);
    expect(withTrial.stderr).toContain("--spread-bps describes a backtest, not a study's trial");
    const badCost = await runCli(['compare', 'add', ...run, '--fees', 'maybe']);
    expect(badCost.code).toBe(2);
    expect(badCost.stderr).toContain('--fees must be us-equity, alpaca-crypto, none, got "maybe"');
  }, 240_000);

  it('pins a several-symbol walk-forward run by the id it printed: its combined and per-symbol figures', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-compare-wf-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const d = ['--data-dir', dataDir];
    for (const [symbol, phase] of [
      ['AAA', 0],
      ['BBB', 2],
    ] as const) {
      const file = join(dataDir, `${symbol}.csv`);
      writeFileSync(file, dailyWaveCsv(phase));
      expect((await runCli(['data', 'import', file, '--symbol', symbol, ...d])).code).toBe(0);
    }
    const ran = await runCli([
      'walk-forward',
      '--symbol',
      'AAA,BBB',
      '--aggregate',
      'mean',
      '--timeframe',
      '1d',
      ...SMA_GRID,
      ...SMALL_WALK_FORWARD,
      '--workers',
      '1',
      ...d,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    const runId = /Run (\S+): `regimen compare add --walk-forward \1`/.exec(ran.stdout)?.[1];
    expect(runId, ran.stdout).toBeDefined();

    const added = await runCli(['compare', 'add', '--walk-forward', runId!, ...d]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('sma-cross AAA+BBB 1d walk-forward');
    const stray = await runCli(['compare', 'add', '--walk-forward', runId!, '--trial', '1', ...d]);
    expect(stray.stderr).toContain('--trial does not go with --walk-forward');

    const shown = JSON.parse((await runCli(['compare', 'show', '--json', ...d])).stdout) as Shown;
    expect(shown.pins.map((p) => p.ok)).toEqual([true]);
    const value = (metric: string): number | null =>
      shown.rows.find((row) => row.metric === metric)!.values[0]!.value;
    // The walk-forward's own table: the combined (mean) column, then each symbol's, then the
    // windows' in-sample mean.
    const printed = ran.stdout
      .split('\n')
      .find((l) => l.startsWith('Total return'))!
      .trim()
      .split(/\s+/);
    expect(printed.slice(-4, -1)).toEqual(
      ['totalReturn', 'totalReturn@AAA', 'totalReturn@BBB'].map((k) => `${(value(k)! * 100).toFixed(2)}%`),
    );
    const table = await runCli(['compare', 'show', ...d]);
    expect(table.stdout).toContain('Sharpe ratio @ BBB');
  }, 60_000);
});
