import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/main/cli/args.ts';
import { holdoutFrom } from '../../src/main/cli/commands/optimize/optimize.ts';

const args = (holdout: string) => ({ values: { holdout }, positionals: [] });

describe('optimize --holdout', () => {
  it('takes a share written with % and an ISO date or date-time', () => {
    expect(holdoutFrom(args('20%'))).toEqual({ fraction: 0.2 });
    expect(holdoutFrom(args('2024-06-01'))).toEqual({ from: Date.UTC(2024, 5, 1) });
    expect(holdoutFrom(args('2024-06-01T12:00:00Z'))).toEqual({ from: Date.UTC(2024, 5, 1, 12) });
    expect(holdoutFrom({ values: {}, positionals: [] })).toBeUndefined();
  });

  it('refuses a share written without %, which Date.parse would read as a date in 2000', () => {
    expect(() => holdoutFrom(args('0.2'))).toThrow(UsageError);
    expect(() => holdoutFrom(args('0.2'))).toThrow(/--holdout .*"0\.2"/);
    expect(() => holdoutFrom(args('20'))).toThrow(/--holdout/);
  });

  it('refuses a share outside (0 %, 90 %]', () => {
    expect(() => holdoutFrom(args('0%'))).toThrow(/--holdout must be a share/);
    expect(() => holdoutFrom(args('95%'))).toThrow(/--holdout must be a share/);
  });
});
