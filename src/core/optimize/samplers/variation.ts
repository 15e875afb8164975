/**
 * Crossover and mutation operators shared by the genetic samplers. They work in the space's unit
 * coordinates (log-aware, step cells of equal width) and snap back onto the steps, so one set of rates
 * and widths suits every parameter range.
 */
import type { Rng } from '../../math/random.ts';
import { fromUnit, toUnit, type Params, type ParamValue, type SearchSpace } from '../space.ts';

/** Uniform crossover for categorical genes; BLX-alpha blend (alpha 0.25) for numeric ones. */
export function blendCrossover(
  space: SearchSpace,
  a: Params,
  b: Params,
  rng: Rng,
): Record<string, ParamValue> {
  const child: Record<string, ParamValue> = {};
  for (const p of space.params) {
    const va = a[p.name]!;
    const vb = b[p.name]!;
    if (p.kind === 'categorical') {
      child[p.name] = rng.float() < 0.5 ? va : vb;
      continue;
    }
    const ua = toUnit(p, va as number);
    const ub = toUnit(p, vb as number);
    const beta = -0.25 + 1.5 * rng.float();
    child[p.name] = fromUnit(p, ua + beta * (ub - ua));
  }
  return child;
}

/** Gaussian mutation of numeric genes (sd = scale of the unit range), uniform re-draw of categorical ones. */
export function gaussianMutation(
  space: SearchSpace,
  params: Record<string, ParamValue>,
  rate: number,
  scale: number,
  rng: Rng,
): Record<string, ParamValue> {
  const out = { ...params };
  for (const p of space.params) {
    if (rng.float() >= rate) continue;
    if (p.kind === 'categorical') out[p.name] = p.choices[rng.int(p.choices.length)]!;
    else out[p.name] = fromUnit(p, toUnit(p, out[p.name] as number) + scale * rng.normal());
  }
  return out;
}

/** Simulated binary crossover (Deb & Agrawal 1995) for numeric genes, uniform for categorical ones. */
export function sbxCrossover(
  space: SearchSpace,
  a: Params,
  b: Params,
  eta: number,
  rng: Rng,
): Record<string, ParamValue> {
  const child: Record<string, ParamValue> = {};
  for (const p of space.params) {
    const va = a[p.name]!;
    const vb = b[p.name]!;
    if (p.kind === 'categorical' || rng.float() < 0.5) {
      child[p.name] = rng.float() < 0.5 ? va : vb;
      continue;
    }
    const ua = toUnit(p, va as number);
    const ub = toUnit(p, vb as number);
    const r = rng.float();
    const beta = r <= 0.5 ? Math.pow(2 * r, 1 / (eta + 1)) : Math.pow(1 / (2 * (1 - r)), 1 / (eta + 1));
    const sign = rng.float() < 0.5 ? 1 : -1;
    child[p.name] = fromUnit(p, 0.5 * (ua + ub) + sign * 0.5 * beta * (ub - ua));
  }
  return child;
}

/** Polynomial mutation (Deb & Goyal 1996) of numeric genes, uniform re-draw of categorical ones. */
export function polynomialMutation(
  space: SearchSpace,
  params: Record<string, ParamValue>,
  rate: number,
  eta: number,
  rng: Rng,
): Record<string, ParamValue> {
  const out = { ...params };
  for (const p of space.params) {
    if (rng.float() >= rate) continue;
    if (p.kind === 'categorical') {
      out[p.name] = p.choices[rng.int(p.choices.length)]!;
      continue;
    }
    const u = toUnit(p, out[p.name] as number);
    const r = rng.float();
    const delta = r < 0.5 ? Math.pow(2 * r, 1 / (eta + 1)) - 1 : 1 - Math.pow(2 * (1 - r), 1 / (eta + 1));
    out[p.name] = fromUnit(p, u + delta);
  }
  return out;
}
