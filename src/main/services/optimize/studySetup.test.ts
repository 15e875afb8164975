import { describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS, METRIC_KEYS } from '../../../core/metrics/definitions.ts';
import { PRODUCT_OBJECTIVE_METRICS } from '../../../shared/optimizeChoices.ts';
import { parseObjectives, resolveObjectives } from './studySetup.ts';

describe('the objectives a study is started with', () => {
  it('go the catalogue’s direction when the request names none (every product objective, every metric)', () => {
    for (const metric of [...PRODUCT_OBJECTIVE_METRICS, ...METRIC_KEYS]) {
      const definition = METRIC_DEFINITIONS[metric];
      for (const [objective] of [resolveObjectives([{ metric }]), parseObjectives([metric])]) {
        expect({ metric, direction: objective!.direction, magnitude: objective!.absolute === true }).toEqual({
          metric,
          direction: definition.direction,
          magnitude: definition.magnitude === true,
        });
      }
    }
  });

  it('refuse a metric the catalogue does not have, naming it', () => {
    expect(() => resolveObjectives([{ metric: 'sharpRatio' }])).toThrow(/unknown metric "sharpRatio"/);
  });
});
