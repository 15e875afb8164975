import { describe, expect, it } from 'vitest';
import {
  COMPUTE_PROTOCOL_VERSION,
  decodeSchedule,
  encodeSchedule,
  trialChunkSchema,
} from './computeProtocol.ts';

const chunk = {
  version: COMPUTE_PROTOCOL_VERSION,
  studyKey: 's1',
  datasets: ['a'.repeat(64)],
  strategy: { name: 'sma-cross', version: '1', params: { slow: 40 } },
  options: {},
  trials: [{ number: 0, params: { fast: 5 } }],
  trialTimeLimitMs: 1_000,
};

describe('a chunk of trials names its strategy by ref', () => {
  it('carries name, version and shared parameters', () => {
    expect(trialChunkSchema.parse(chunk).strategy).toEqual(chunk.strategy);
  });

  it('refuses a bare name, as version 1 of the protocol sent it, and a version-1 chunk', () => {
    const bare = trialChunkSchema.safeParse({ ...chunk, strategy: 'sma-cross' });
    expect(bare.success).toBe(false);
    expect(bare.error?.issues[0]?.path).toEqual(['strategy']);
    expect(trialChunkSchema.safeParse({ ...chunk, version: 1 }).success).toBe(false);
  });

  it('refuses a version-5 chunk, whose user strategy hash had 8 hex digits, by its version', () => {
    const userStrategy = { file: 'mine.ts', code: 'x', mappings: '', hash: 'a'.repeat(64) };
    expect(trialChunkSchema.safeParse({ ...chunk, userStrategy }).success).toBe(true);
    const v5 = { ...chunk, version: 5, userStrategy: { ...userStrategy, hash: 'a'.repeat(8) } };
    const refused = trialChunkSchema.safeParse(v5);
    expect(refused.error?.issues.map((i) => i.path.join('.'))).toContain('version');
  });

  it('refuses a ref without a version or with a parameter that is not a finite number', () => {
    const noVersion = { name: 'sma-cross', params: {} };
    expect(trialChunkSchema.safeParse({ ...chunk, strategy: noVersion }).success).toBe(false);
    const nan = { ...chunk.strategy, params: { slow: Number.NaN } };
    expect(trialChunkSchema.safeParse({ ...chunk, strategy: nan }).success).toBe(false);
  });
});

describe('a regime schedule in a chunk', () => {
  it('travels run-length encoded and comes back bar for bar; one of another length is refused', () => {
    const schedule = Int8Array.from([-1, -1, 0, 0, 0, 2, 2, 1, 1, 1, 1]);
    const runs = encodeSchedule(schedule);
    expect(runs).toEqual([
      [-1, 2],
      [0, 3],
      [2, 2],
      [1, 4],
    ]);
    expect(trialChunkSchema.parse({ ...chunk, regimeSchedules: [runs] }).regimeSchedules).toEqual([runs]);
    expect(decodeSchedule(runs, schedule.length)).toEqual(schedule);
    expect(() => decodeSchedule(runs, 12)).toThrow('a regime schedule of 11 bars for a dataset of 12 bars');
  });
});
