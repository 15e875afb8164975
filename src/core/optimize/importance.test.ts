import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../math/random.ts';
import { paramImportance, type ScoredParams } from './importance.ts';
import { parseSpace, type Params } from './space.ts';

/** Twelve parameters of every kind: ints, a log int, continuous and stepped floats, a categorical. */
const SPACE_SPECS = [
  'p0=0:100',
  'p1=1:200:log',
  'p2=0:1',
  'p3=-5:5:0.5',
  'p4=fast|slow|medium',
  'p5=0:10',
  'p6=0.01:1:log',
  'p7=2:50:2',
  'p8=0:1',
  'p9=true|false',
  'p10=-1:1',
  'p11=10:20',
];
const space = parseSpace(SPACE_SPECS);

function randomTrials(count: number, seed: number, objective: (p: Params) => number): ScoredParams[] {
  const rng = createRng(seed);
  const out: ScoredParams[] = [];
  for (let i = 0; i < count; i++) {
    const params: Record<string, string | number | boolean> = {};
    for (const p of space.params) {
      if (p.kind === 'categorical') params[p.name] = p.choices[rng.int(p.choices.length)]!;
      else if (p.kind === 'int' && p.log)
        params[p.name] = Math.round(Math.exp(Math.log(p.low) + rng.float() * Math.log(p.high / p.low)));
      else if (p.step !== null)
        params[p.name] = p.low + p.step * rng.int(Math.floor((p.high - p.low) / p.step) + 1);
      else params[p.name] = p.low + rng.float() * (p.high - p.low);
    }
    out.push({ params, value: objective(params) });
  }
  return out;
}

const num = (p: Params, k: string): number => p[k] as number;

describe('parameter importance (fANOVA on a random forest)', () => {
  it('ranks the only two parameters that matter first, whichever two they are', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 1, max: 1000 }),
        (a, b, seed) => {
          fc.pre(a !== b);
          const [na, nb] = [`p${a}`, `p${b}`];
          // Each planted parameter's effect spans the whole range; the others add noise only.
          const effect = (name: string, p: Params): number => {
            const d = space.params.find((x) => x.name === name)!;
            if (d.kind === 'categorical') return d.choices.indexOf(p[name]!) / (d.choices.length - 1);
            const v = num(p, name);
            return d.log ? Math.log(v / d.low) / Math.log(d.high / d.low) : (v - d.low) / (d.high - d.low);
          };
          const noise = createRng(seed + 7);
          const trials = randomTrials(
            300,
            seed,
            (p) => 2 * effect(na, p) + Math.sin(4 * effect(nb, p)) + 0.01 * noise.normal(),
          );
          const result = paramImportance(space, trials, { trees: 16, seed });
          expect(result.note).toBeNull();
          expect(new Set(result.params.slice(0, 2).map((x) => x.name))).toEqual(new Set([na, nb]));
          const planted = result.params[0]!.importance + result.params[1]!.importance;
          expect(planted).toBeGreaterThan(0.8);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('splits an additive linear objective by its coefficients squared, as the variance decomposition does', () => {
    // y = 3 u + v with u, v uniform on a fine grid: the first-order shares are 9/10 and 1/10.
    const grid = parseSpace(['u=0:39', 'v=0:39']);
    const trials: ScoredParams[] = [];
    for (let u = 0; u < 40; u++)
      for (let v = 0; v < 40; v++) trials.push({ params: { u, v }, value: 3 * u + v });
    const result = paramImportance(grid, trials, { trees: 16, seed: 3 });
    expect(result.params.map((p) => p.name)).toEqual(['u', 'v']);
    expect(result.params[0]!.importance).toBeCloseTo(0.9, 1);
    expect(result.params[1]!.importance).toBeCloseTo(0.1, 1);
    expect(result.params[0]!.importance + result.params[1]!.importance).toBeCloseTo(1, 12);
  });

  it('is reproducible for a seed and does not depend on the order of the trials', () => {
    const trials = randomTrials(200, 5, (p) => num(p, 'p0') * num(p, 'p2'));
    const once = paramImportance(space, trials, { trees: 8, seed: 9 });
    expect(paramImportance(space, trials, { trees: 8, seed: 9 })).toEqual(once);
    const names = (r: typeof once) =>
      r.params
        .slice(0, 2)
        .map((p) => p.name)
        .sort();
    expect(names(paramImportance(space, [...trials].reverse(), { trees: 8, seed: 9 }))).toEqual(names(once));
  });

  it('says why every importance is 0 when nothing can be explained, and leaves out non-finite values', () => {
    const flat = randomTrials(50, 1, () => 1);
    expect(paramImportance(space, flat).note).toMatch(/same value/);
    const one = randomTrials(3, 1, (p) => num(p, 'p0'));
    one[1] = { ...one[1]!, value: Number.NaN };
    one[2] = { ...one[2]!, value: Number.NEGATIVE_INFINITY };
    const result = paramImportance(space, one);
    expect(result.trialsUsed).toBe(1);
    expect(result.note).toMatch(/at least 2 trials.*have 1/);
    expect(result.params.every((p) => p.importance === 0)).toBe(true);
    const fixed = parseSpace(['a=3', 'b=1.5']);
    expect(paramImportance(fixed, [{ params: { a: 3, b: 1.5 }, value: 1 }]).note).toMatch(/no parameter/);
  });

  it('gives a parameter the forest never splits on no importance', () => {
    const trials = randomTrials(200, 2, (p) => (num(p, 'p0') > 50 ? 1 : 0));
    const result = paramImportance(space, trials, { trees: 8 });
    expect(result.params[0]).toMatchObject({ name: 'p0', importance: 1 });
    expect(result.params.slice(1).every((p) => p.importance === 0)).toBe(true);
  });
});
