import { describe, expect, it } from 'vitest';
import { STRATEGIES } from '../../../core/strategy/index.ts';
import { listStrategies } from './strategyCatalog.ts';

describe('the strategy catalogue', () => {
  it("lists each strategy's version, so a client can name the exact strategy it ran", () => {
    const listed = listStrategies();
    expect(listed.map((s) => s.name)).toEqual(Object.values(STRATEGIES).map((d) => d.name));
    for (const info of listed) {
      const definition = Object.values(STRATEGIES).find((d) => d.name === info.name)!;
      expect(info.version).toBe(definition.version);
    }
  });
});
