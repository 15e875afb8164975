import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bars, Timeframe } from '../../../core/data/bars.ts';
import {
  allocateRegimeOutput,
  createDetector,
  NO_LABEL,
  orderNote,
  REGIME_AXES,
  summariseRegimes,
  type DetectorName,
  type DetectorSettings,
  type RegimeOutput,
} from '../../../core/regime/index.ts';
import type { RegimesResult } from '../../../shared/contract.ts';
import { HOST_SYMBOL, startServiceHost, type ServiceHost } from '../../../../test/support/serviceHost.ts';
import { extendedMinutes } from '../../../../test/support/extendedMinutes.ts';
import { syntheticSeries } from '../../../../test/support/regimeData.ts';
import { resampleBars } from '../../../core/data/resample.ts';
import { datasetFingerprint } from '../../compute/fingerprint.ts';

let h: ServiceHost;
beforeAll(async () => {
  h = await startServiceHost();
});
afterAll(async () => h?.close());

/** What `regimen regimes` computes: the detector run over the bars as core runs it. */
function coreOutput(
  name: DetectorName,
  bars: Bars,
  settings: DetectorSettings = {},
  timeframe: Timeframe = '1m',
): RegimeOutput {
  const detector = createDetector(name, timeframe, settings);
  const out = allocateRegimeOutput(detector.inputs, bars.t.length);
  detector.label(bars, out);
  return out;
}

/** The labels `regimen regimes` prints. */
function coreLabels(...args: Parameters<typeof coreOutput>) {
  const out = coreOutput(...args);
  return Object.fromEntries(
    REGIME_AXES.map((axis) => [axis, Array.from(out[axis].label, (c) => (c === NO_LABEL ? null : c))]),
  );
}

async function regimes(detector: DetectorName, settings?: DetectorSettings): Promise<RegimesResult> {
  const answer = await h.post('regimes:get', { symbol: HOST_SYMBOL, timeframe: '1m', detector, settings });
  expect(answer.status).toBe(200);
  return answer.body as RegimesResult;
}

describe('regimes:get', () => {
  it('stores the labels core computes and serves them stored until the bars change', async () => {
    const bars = await h.services.bars.read(HOST_SYMBOL, '1m');
    const first = await regimes('rules');
    expect(first.recomputed).toBe(true);
    expect(first.datasetId).toBe(datasetFingerprint(bars));
    expect(first.t).toEqual(Array.from(bars.t));
    const expected = coreLabels('rules', bars);
    for (const axis of REGIME_AXES) expect(first.axes[axis].labels).toEqual(expected[axis]);
    // Some bars are past the warm-up, so the comparison covers real labels, not only nulls.
    expect(first.axes.volatility.labels.some((label) => label !== null)).toBe(true);
    // The note under each table is core's on the same summary (null where the figures are in order).
    const notes = summariseRegimes(bars, coreOutput('rules', bars)).map(orderNote);
    // The host's minutes have one (trend), so the comparison covers a note, not only nulls.
    expect(notes.some((note) => note !== null)).toBe(true);
    REGIME_AXES.forEach((axis, k) => expect(first.axes[axis].orderNote).toBe(notes[k]));
    const shares = first.axes.trend.summary.map((row) => row.share ?? 0);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);

    const again = await regimes('rules');
    expect(again.recomputed).toBe(false);
    expect(again.axes).toEqual(first.axes);

    // One 1m close moved: the bars' fingerprint changes, so the labels are computed again.
    const minute = await h.services.bars.read(HOST_SYMBOL, '1m');
    const i = minute.t.length - 10;
    const one: Bars = {
      t: minute.t.slice(i, i + 1),
      o: minute.o.slice(i, i + 1),
      h: Float64Array.of(minute.h[i]! * 1.5),
      l: minute.l.slice(i, i + 1),
      c: Float64Array.of(minute.h[i]! * 1.5),
      v: minute.v.slice(i, i + 1),
    };
    await h.services.bars.write(HOST_SYMBOL, '1m', one, 'test');
    const changedBars = await h.services.bars.read(HOST_SYMBOL, '1m');
    const changed = await regimes('rules');
    expect(changed.recomputed).toBe(true);
    expect(changed.datasetId).not.toBe(first.datasetId);
    expect(changed.datasetId).toBe(datasetFingerprint(changedBars));
    const recomputed = coreLabels('rules', changedBars);
    for (const axis of REGIME_AXES) expect(changed.axes[axis].labels).toEqual(recomputed[axis]);
    expect((await regimes('rules')).recomputed).toBe(false);
  });

  it('keeps each detector apart', async () => {
    const jump = await regimes('jump');
    expect(jump.detector).toBe('jump');
    expect(jump.recomputed).toBe(true);
    const bars = await h.services.bars.read(HOST_SYMBOL, '1m');
    expect(jump.axes.trend.labels).toEqual(coreLabels('jump', bars).trend);
    expect((await regimes('rules')).recomputed).toBe(false);
  });

  it('labels with the persistence settings given, stored apart from the defaults', async () => {
    const bars = await h.services.bars.read(HOST_SYMBOL, '1m');
    const settings = { hysteresis: 0.5, minDwell: 120 };
    const held = await regimes('rules', settings);
    expect(held.recomputed).toBe(true);
    expect(held.settings).toEqual(settings);
    const expected = coreLabels('rules', bars, settings);
    for (const axis of REGIME_AXES) expect(held.axes[axis].labels).toEqual(expected[axis]);
    // The settings matter: a two-hour dwell and a wide lead do not label as the defaults do.
    expect(held.axes.volatility.labels.some((label) => label !== null)).toBe(true);
    expect(held.axes.volatility.labels).not.toEqual(coreLabels('rules', bars).volatility);
    expect((await regimes('rules', settings)).recomputed).toBe(false);
    const defaults = await regimes('rules');
    expect(defaults.recomputed).toBe(false);
    expect(defaults.axes.volatility.labels).toEqual(coreLabels('rules', bars).volatility);
  });

  it("labels with the jump detector's half-life and hysteresis as core does, apart from its defaults", async () => {
    // Years of days: the host's month of minutes is shorter than the jump model's warm-up.
    await h.services.bars.write('DAYS', '1d', resampleBars(syntheticSeries().bars, '1d'), 'test');
    const bars = await h.services.bars.read('DAYS', '1d');
    const settings = { halflife: 2, jumpPenalty: 5, hysteresis: 0.55 };
    const answer = await h.post('regimes:get', {
      symbol: 'DAYS',
      timeframe: '1d',
      detector: 'jump',
      settings,
    });
    expect(answer.status).toBe(200);
    const weighted = answer.body as RegimesResult;
    expect(weighted.recomputed).toBe(true);
    expect(weighted.settings).toEqual(settings);
    const expected = coreLabels('jump', bars, settings, '1d');
    for (const axis of REGIME_AXES) expect(weighted.axes[axis].labels).toEqual(expected[axis]);
    expect(weighted.axes.volatility.labels.some((label) => label !== null)).toBe(true);
    expect(weighted.axes.volatility.labels).not.toEqual(coreLabels('jump', bars, {}, '1d').volatility);
  });

  it('labels the bars of the session asked for, as backtest:run reads them, each stored apart', async () => {
    await h.services.bars.write('SESS', '1m', extendedMinutes(), 'test');
    const read = (session: 'regular' | 'extended') =>
      h.post('regimes:get', { symbol: 'SESS', timeframe: '1m', detector: 'rules', session });
    for (const session of ['regular', 'extended', 'regular', 'extended'] as const) {
      const answer = await read(session);
      expect(answer.status).toBe(200);
      const body = answer.body as RegimesResult;
      const bars = await h.services.bars.read('SESS', '1m', { session });
      expect(body.session).toBe(session);
      expect(body.t).toEqual(Array.from(bars.t));
      expect(body.datasetId).toBe(datasetFingerprint(bars));
      expect(body.axes.volume.labels).toEqual(coreLabels('rules', bars).volume);
    }
    // Both sessions were stored apart: asked again, neither is recomputed.
    expect(((await read('regular')).body as RegimesResult).recomputed).toBe(false);
    expect(((await read('extended')).body as RegimesResult).t).toHaveLength(3 * 960);
    expect(((await read('extended')).body as RegimesResult).recomputed).toBe(false);
  });

  it('refuses a jump penalty on a detector without one, naming the field', async () => {
    const answer = await h.post('regimes:get', {
      symbol: HOST_SYMBOL,
      timeframe: '1m',
      detector: 'rules',
      settings: { jumpPenalty: 3 },
    });
    expect(answer.status).toBe(400);
    const error = (answer.body as { error: { message: string; field?: string } }).error;
    expect(error.field).toBe('settings.jumpPenalty');
    expect(error.message).toContain('jump detector only');
  });

  it('refuses a half-life on a detector without one, or one that is not a positive number of bars, naming the field', async () => {
    for (const [detector, halflife, message] of [
      ['rules', 2, 'jump detector only'],
      ['jump', 0, 'must be more than 0 bars'],
    ] as const) {
      const answer = await h.post('regimes:get', {
        symbol: HOST_SYMBOL,
        timeframe: '1m',
        detector,
        settings: { halflife },
      });
      expect(answer.status).toBe(400);
      const error = (answer.body as { error: { message: string; field?: string } }).error;
      expect(error.field).toBe('settings.halflife');
      expect(error.message).toContain(message);
    }
  });

  it('answers an unknown detector with 400 naming the field', async () => {
    const answer = await h.post('regimes:get', { symbol: HOST_SYMBOL, timeframe: '1m', detector: 'magic' });
    expect(answer.status).toBe(400);
    const error = (answer.body as { error: { message: string; field?: string } }).error;
    expect(error.field).toBe('detector');
    expect(error.message).toContain('rules, hmm, jump, bocpd');
  });
});
