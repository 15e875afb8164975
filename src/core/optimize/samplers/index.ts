import type { Sampler, SamplerConfig } from '../sampler.ts';
import { GeneticSampler } from './ga.ts';
import { GridSampler } from './grid.ts';
import { Nsga2Sampler } from './nsga2.ts';
import { RandomSampler } from './random.ts';
import { TpeSampler } from './tpe.ts';

export { GeneticSampler, GridSampler, Nsga2Sampler, RandomSampler, TpeSampler };

/** Rebuilds a sampler from its persisted configuration (or the CLI's `--sampler` choice). */
export function createSampler(config: SamplerConfig): Sampler {
  switch (config.kind) {
    case 'grid':
      return new GridSampler(config);
    case 'random':
      return new RandomSampler();
    case 'tpe':
      return new TpeSampler(config);
    case 'ga':
      return new GeneticSampler(config);
    case 'nsga2':
      return new Nsga2Sampler(config);
  }
}

export const SAMPLER_KINDS = ['grid', 'random', 'tpe', 'ga', 'nsga2'] as const;

/** Parses a sampler name; the error lists the valid ones. */
export function parseSamplerKind(text: string): SamplerConfig['kind'] {
  const kind = SAMPLER_KINDS.find((k) => k === text.trim().toLowerCase());
  if (kind === undefined)
    throw new Error(`sampler "${text}" is unknown (use one of: ${SAMPLER_KINDS.join(', ')})`);
  return kind;
}
