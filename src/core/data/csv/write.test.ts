import { describe, expect, it } from 'vitest';
import { parseBarsCsv } from './read.ts';
import { formatBarsCsv } from './write.ts';

describe('formatBarsCsv', () => {
  it('round-trips through formatBarsCsv', () => {
    const original = parseBarsCsv(
      'datetime,open,high,low,close,volume,vwap,transactions\n' +
        '2024-02-20 09:30:00-05:00,498.33,498.42,498.3,498.39,3952.0,498.3398,72\n' +
        '2024-02-20 09:31:00-05:00,0.1,0.30000000000000004,0.1,0.2,1e3,0.15,3\n',
      { source: 'r.csv' },
    );
    for (const time of ['iso', 'epochMs'] as const) {
      const again = parseBarsCsv(formatBarsCsv(original.bars, original.extra, { time }), {
        source: 'r2.csv',
      });
      expect(again.bars).toEqual(original.bars);
      expect(again.extra).toEqual(original.extra);
    }
    const daily = parseBarsCsv('date,open,high,low,close,volume\n2024-07-01,1,1,1,1,1\n', {
      source: 'd.csv',
    });
    const text = formatBarsCsv(daily.bars, undefined, { time: 'date' });
    expect(text).toBe('timestamp,open,high,low,close,volume\n2024-07-01,1,1,1,1,1\n');
  });
});
