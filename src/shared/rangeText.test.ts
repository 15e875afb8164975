import { expect, it } from 'vitest';
import { cachedSpanText, rangeText } from './rangeText.ts';

it('says a range as typed: UTC dates, the end day included; other instants with their time', () => {
  // The forms send the midnight after the last day picked: that day is the end a person typed.
  expect(rangeText(Date.UTC(2024, 0, 2), Date.UTC(2024, 1, 1))).toBe('from 2024-01-02 through 2024-01-31');
  expect(rangeText(Date.UTC(2024, 0, 2), undefined)).toBe('from 2024-01-02 on');
  expect(rangeText(undefined, Date.UTC(2024, 1, 1))).toBe('through 2024-01-31');
  expect(rangeText(undefined, undefined)).toBe('in all');
  expect(rangeText(Date.UTC(2024, 0, 2, 14, 30), Date.UTC(2024, 0, 2, 20))).toBe(
    'from 2024-01-02 14:30 UTC until 2024-01-02 20:00 UTC',
  );
});

it('says what is cached by dates, a day bar by its session date', () => {
  // GOOG's day bars are stamped at 00:00 New York, 04:00 or 05:00 UTC.
  const span = { start: Date.UTC(2004, 7, 19, 4), end: Date.UTC(2024, 2, 1, 5) };
  expect(cachedSpanText('GOOG 1d', '1d', span)).toBe('GOOG 1d is cached from 2004-08-19 to 2024-03-01');
  expect(cachedSpanText('GOOG 1d', '1d', null)).toMatch(/^nothing of GOOG 1d is cached: fetch it or import/);
});
