import { describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS, METRIC_KEYS } from '../metrics/definitions.ts';
import { naturalObjective, objectiveValues, parseObjective, toLosses } from './objectives.ts';

describe('objectives take their direction from the metric catalogue', () => {
  it.each(METRIC_KEYS)('%s goes the catalogue’s direction, parsed or built', (metric) => {
    const definition = METRIC_DEFINITIONS[metric];
    for (const objective of [naturalObjective(metric), parseObjective(metric)]) {
      expect(objective.direction).toBe(definition.direction);
      expect(objective.absolute === true).toBe(definition.magnitude === true);
    }
  });

  it('an explicit direction still wins, and a magnitude metric stays a magnitude', () => {
    expect(parseObjective('kurtosis:max').direction).toBe('maximize');
    expect(parseObjective('maxDrawdown:min:2')).toEqual({
      metric: 'maxDrawdown',
      direction: 'minimize',
      weight: 2,
      absolute: true,
    });
  });

  it('ranks the shallower drawdown better, as the catalogue says', () => {
    const objective = naturalObjective('maxDrawdown');
    const [shallow] = toLosses([objective], objectiveValues([objective], { maxDrawdown: -0.1 }));
    const [deep] = toLosses([objective], objectiveValues([objective], { maxDrawdown: -0.3 }));
    expect(shallow!).toBeLessThan(deep!);
  });

  it('maximises a value the catalogue does not describe', () => {
    expect(naturalObjective('score')).toEqual({ metric: 'score', direction: 'maximize' });
  });
});
