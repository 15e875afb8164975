/**
 * Random search: independent uniform (log-uniform for log parameters) draws, rejecting constraint
 * violations and, where the space allows, parameter sets the study already has. Each trial uses only
 * its own stream (seed, trial number), so it needs no history and never waits for tells.
 */
import { proposeUnique, type SampleContext, type Sampler, type SamplerConfig } from '../sampler.ts';
import { sampleUniform, type Params } from '../space.ts';

export class RandomSampler implements Sampler {
  readonly name = 'random' as const;
  readonly generationSize = Infinity;
  readonly config: SamplerConfig = { kind: 'random' };

  sample(ctx: SampleContext): Params {
    return proposeUnique(ctx, () => sampleUniform(ctx.space, ctx.rng), 50);
  }
}
