import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import {
  allocateRegimeOutput,
  createDetector,
  LEVEL_LABELS,
  NO_LABEL,
  orderNote,
  summariseRegimes,
  TREND_LABELS,
  type RegimeDetector,
} from '../../src/core/regime/index.ts';
import { main } from '../../src/main/cli/main.ts';
import { captureIO } from '../support/captureIO.ts';
import { sharedDataFile } from '../support/sharedData.ts';

const goog = sharedDataFile('GOOG.csv');

/** `--json`'s shape: a flat label array per axis; probabilities and raw inputs by axis, then by name. */
interface RegimesJson {
  t: number[];
  warmup: number;
  timeframe: string;
  settings: unknown;
  trend: (string | null)[];
  volatility: (string | null)[];
  volume: (string | null)[];
  probabilities: Record<string, Record<string, (number | null)[]>>;
  inputs: Record<string, Record<string, (number | null)[]>>;
}

describe.skipIf(!goog.present)(`regimen regimes on GOOG.csv${goog.skipReason}`, () => {
  it('--json: arrays as long as the input, null in warm-up, the core detector labels and probabilities', async () => {
    const io = captureIO();
    expect(await main(['regimes', '--csv', goog.path, '--detector', 'rules', '--json'], io)).toBe(0);
    const json = JSON.parse(io.stdout) as RegimesJson;
    const bars = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
    const detector = createDetector('rules', '1d');
    const out = allocateRegimeOutput(detector.inputs, bars.t.length);
    detector.label(bars, out);
    expect(json.timeframe).toBe('1d');
    expect(json.t).toEqual(Array.from(bars.t));
    expect(json.warmup).toBe(detector.warmup);
    const orNull = (x: number) => (Number.isNaN(x) ? null : x);
    for (const axis of ['trend', 'volatility', 'volume'] as const) {
      expect(json[axis]).toHaveLength(bars.t.length);
      expect(Object.keys(json.inputs[axis]!)).toEqual(detector.inputs[axis]);
      for (const column of Object.values(json.probabilities[axis]!))
        expect(column).toHaveLength(bars.t.length);
    }
    const bearProbability = json.probabilities['trend']!['bear']!;
    const firstTrendInput = json.inputs['trend']![detector.inputs.trend[0]!]!;
    for (let i = 0; i < bars.t.length; i++) {
      const code = out.trend.label[i]!;
      expect(json.trend[i]).toBe(code === NO_LABEL ? null : TREND_LABELS[code]);
      expect(bearProbability[i]).toBe(orNull(out.trend.probability[1][i]!));
      expect(firstTrendInput[i]).toBe(orNull(out.trend.inputs[0]![i]!));
    }
    expect(json.trend.slice(0, detector.warmup).every((x) => x === null)).toBe(true);
    expect(json.trend.slice(detector.warmup).every((x) => x !== null)).toBe(true);
  });

  it('without --json prints the per-regime table of each axis; the default detector is the HMM', async () => {
    const io = captureIO();
    expect(await main(['regimes', '--csv', goog.path], io)).toBe(0);
    expect(io.stdout).toContain('detector hmm');
    for (const heading of [
      '\ntrend\n',
      '\nvolatility\n',
      '\nvolume\n',
      'time share',
      // Labelled as what it is, a mean log return, per bar as the volatility beside it.
      'mean log return/bar',
      'volatility/bar',
      'typical bars',
      '-> sideways',
      '-> high',
    ]) {
      expect(io.stdout).toContain(heading);
    }
  });

  it('under a table whose figures run against its labels (GOOG, rules: "bull" days returned less than "sideways" ones), a note says so and why', async () => {
    const io = captureIO();
    expect(await main(['regimes', '--csv', goog.path, '--detector', 'rules'], io)).toBe(0);
    const bars = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
    const detector = createDetector('rules', '1d');
    const out = allocateRegimeOutput(detector.inputs, bars.t.length);
    detector.label(bars, out);
    const [trend, volatility] = summariseRegimes(bars, out);
    const row = (label: string) => trend!.labels.find((r) => r.label === label)!;
    // The planted fact the note is about: the table itself is out of order here.
    expect(row('sideways').meanReturn).toBeGreaterThan(row('bull').meanReturn);
    const note = orderNote(trend!)!;
    expect(note).toContain(`"sideways" bars returned more than "bull" bars`);
    expect(note).toContain(`${row('sideways').bars} and ${row('bull').bars} bars`);
    // Printed right under the trend table, before the volatility table (whose figures are in order).
    const trendSection = io.stdout.slice(io.stdout.indexOf('\ntrend\n'), io.stdout.indexOf('\nvolatility\n'));
    expect(trendSection).toContain(note);
    expect(orderNote(volatility!)).toBeNull();
    expect(io.stdout.match(/Out of order/g)).toHaveLength(1);
  });

  it("--halflife, --jump-penalty and --hysteresis: the jump detector's labels as core gives them with those settings", async () => {
    const io = captureIO();
    const flags = ['--halflife', '2', '--jump-penalty', '5', '--hysteresis', '0.55'];
    expect(await main(['regimes', '--csv', goog.path, '--detector', 'jump', ...flags, '--json'], io)).toBe(0);
    const json = JSON.parse(io.stdout) as RegimesJson;
    const bars = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
    const settings = { halflife: 2, jumpPenalty: 5, hysteresis: 0.55 };
    expect(json.settings).toEqual(settings);
    const volatility = (detector: RegimeDetector) => {
      const out = allocateRegimeOutput(detector.inputs, bars.t.length);
      detector.label(bars, out);
      return Array.from(out.volatility.label, (code) => (code === NO_LABEL ? null : LEVEL_LABELS[code]));
    };
    const labels = json.volatility;
    expect(labels).toEqual(volatility(createDetector('jump', '1d', settings)));
    expect(labels.some((label) => label !== null)).toBe(true);
    expect(labels).not.toEqual(volatility(createDetector('jump', '1d')));
  });

  it('a jump-only setting on another detector, or one out of range, is a usage error naming the flag', async () => {
    for (const [detector, flags, message] of [
      ['rules', ['--halflife', '2'], '--halflife applies to the jump detector only, not rules, got 2'],
      ['hmm', ['--jump-penalty', '5'], '--jump-penalty applies to the jump detector only, not hmm, got 5'],
      ['jump', ['--halflife', '0'], '--halflife must be more than 0 bars, got 0'],
      ['jump', ['--hysteresis', 'x'], '--hysteresis must be a number, got "x"'],
    ] as const) {
      const io = captureIO();
      expect(await main(['regimes', '--csv', goog.path, '--detector', detector, ...flags], io)).toBe(2);
      expect(io.stderr).toContain(message);
      expect(io.stdout).toBe('');
    }
  });

  it('an unknown detector is a usage error that lists the choices', async () => {
    const io = captureIO();
    expect(await main(['regimes', '--csv', goog.path, '--detector', 'magic'], io)).toBe(2);
    expect(io.stderr).toContain('--detector must be one of rules, hmm, jump, bocpd, got "magic"');
    expect(io.stdout).toBe('');
  });
});

it('regimen regimes --help lists the detectors, marks the default and why, and the settings', async () => {
  const io = captureIO();
  expect(await main(['regimes', '--help'], io)).toBe(0);
  for (const name of ['rules', 'hmm', 'jump', 'bocpd']) expect(io.stdout).toContain(`        ${name}`);
  expect(io.stdout).toMatch(/hmm .*\(default: the best volatility accuracy on planted regimes\)/);
  for (const flag of ['--hysteresis P', '--min-dwell BARS', '--jump-penalty X', '--halflife BARS'])
    expect(io.stdout).toContain(flag);
});

it.each(['regimes compare', 'optimize'])(
  "regimen %s --help tells the regime sets' --min-dwell from the detector's",
  async (command) => {
    const io = captureIO();
    expect(await main([...command.split(' '), '--help'], io)).toBe(0);
    expect(io.stdout).toContain(
      "[--min-dwell BARS: bars a regime's parameter set stays in force once switched to (default 5);",
    );
    expect(io.stdout).toContain('[--detector-min-dwell BARS: bars the detector holds a label at least]');
    // One --min-dwell per help, the sets': a bare "[--min-dwell 5]" left the trader to guess whose it was.
    expect(io.stdout.match(/--min-dwell /g)).toHaveLength(1);
  },
);
