import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SliceAggregation } from '../core/optimize/slices.ts';
import type { Direction, ObjectiveMode } from '../core/optimize/objectives.ts';
import type { SamplerKind } from '../core/optimize/sampler.ts';
import { createSampler } from '../core/optimize/samplers/index.ts';
import { DIRECTIONS, OBJECTIVE_MODES, SAMPLER_KINDS, SLICE_AGGREGATIONS } from './optimizeChoices.ts';

describe('the optimizer vocabulary in shared', () => {
  it('names exactly core’s kinds, modes and directions (type-checked both ways)', () => {
    expectTypeOf<(typeof SAMPLER_KINDS)[number]>().toEqualTypeOf<SamplerKind>();
    expectTypeOf<(typeof OBJECTIVE_MODES)[number]>().toEqualTypeOf<ObjectiveMode>();
    expectTypeOf<(typeof DIRECTIONS)[number]>().toEqualTypeOf<Direction>();
    expectTypeOf<(typeof SLICE_AGGREGATIONS)[number]>().toEqualTypeOf<SliceAggregation>();
    // Every kind builds a sampler in core.
    for (const kind of SAMPLER_KINDS) expect(createSampler({ kind }).name).toBeTruthy();
  });
});
