import { describe, expect, it } from 'vitest';
import { createRng } from '../../math/random.ts';
import { Adwin } from './adwin.ts';
import { PythonRandom } from './pythonRandom.test-util.ts';

function detections(adwin: Adwin, stream: readonly number[]): number[] {
  const found: number[] = [];
  stream.forEach((x, i) => {
    adwin.update(x);
    if (adwin.driftDetected) found.push(i);
  });
  return found;
}

describe('PythonRandom (the replay of River streams)', () => {
  it("reproduces CPython's Random(12345).random() and Random(42).choices", () => {
    // Printed by CPython 3.11: random.Random(12345).random() x3; random.Random(42).choices([0, 1], k=10).
    const r = new PythonRandom(12345);
    expect([r.random(), r.random(), r.random()]).toEqual([
      0.41661987254534116, 0.010169169457068361, 0.8252065092537432,
    ]);
    expect(new PythonRandom(42).choices([0, 1], 10)).toEqual([1, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
  });
});

describe('Adwin flags drift where River does', () => {
  it("River's docstring: Random(12345), 1000 of {0,1} then 1000 of 4..7, drift at index 1023", () => {
    const rng = new PythonRandom(12345);
    const stream = [...rng.choices([0, 1], 1000), ...rng.choices([4, 5, 6, 7], 1000)];
    expect(detections(new Adwin(), stream)).toEqual([1023]);
  });

  it("River's regression test: four segments from Random(42) give [1023, 2015, 3007]", () => {
    const rng = new PythonRandom(42);
    const stream = [
      ...rng.choices([0, 1], 1000),
      ...rng.choices([4, 5, 6, 7], 1000),
      ...rng.choices([0, 1], 1000),
      ...rng.choices([4, 5, 6, 7], 1000),
    ];
    expect(detections(new Adwin(), stream)).toEqual([1023, 2015, 3007]);
  });

  it('keeps exact window statistics (total, Welford variance as a sum of squares)', () => {
    const adwin = new Adwin({ clock: 1_000_000 });
    const values = Array.from({ length: 200 }, (_, i) => i % 7);
    for (const v of values) adwin.update(v);
    const mean = values.reduce((a, b) => a + b, 0) / 200;
    expect(adwin.windowWidth).toBe(200);
    expect(adwin.windowTotal).toBeCloseTo(mean * 200, 9);
    const sumSquares = values.reduce((a, v) => a + (v - mean) ** 2, 0);
    expect(adwin.windowVariance / sumSquares).toBeCloseTo(1, 9);
  });

  it('finds nothing in a constant stream and restarts its window after a detection', () => {
    const constant = new Adwin();
    expect(detections(constant, new Array(5000).fill(1))).toEqual([]);
    const shifted = new Adwin({ clock: 1 });
    const stream = [...new Array(500).fill(0), ...new Array(500).fill(100)];
    const found = detections(shifted, stream);
    expect(found.length).toBeGreaterThan(0);
    const at = found[0]!;
    expect(at).toBeGreaterThanOrEqual(500);
    // River: the update after a detection starts a fresh window.
    const fresh = new Adwin({ clock: 1 });
    for (let i = 0; i <= at; i++) fresh.update(stream[i]!);
    expect(fresh.driftDetected).toBe(true);
    fresh.update(50);
    expect(fresh.windowWidth).toBe(1);
  });

  it('respects the grace period', () => {
    const adwin = new Adwin({ gracePeriod: 100, clock: 1 });
    expect(detections(adwin, [...new Array(50).fill(0), ...new Array(50).fill(1000)])).toEqual([]);
  });

  it('false alarms on a stationary Gaussian stream stay rare', () => {
    const rng = createRng(123);
    const adwin = new Adwin();
    expect(
      detections(
        adwin,
        Array.from({ length: 5000 }, () => rng.normal()),
      ).length,
    ).toBeLessThanOrEqual(2);
  });

  it('refuses bad options and non-finite values, naming them', () => {
    expect(() => new Adwin({ delta: 0 })).toThrow(/delta/);
    expect(() => new Adwin({ clock: 0 })).toThrow(/clock/);
    expect(() => new Adwin().update(Number.NaN)).toThrow(/finite/);
  });
});
