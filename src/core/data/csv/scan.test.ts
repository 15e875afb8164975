import { describe, expect, it } from 'vitest';
import { parseDecimal, parseTimestamp, Scanner } from './scan.ts';

const ts = (text: string, naiveNewYork = false): number => parseTimestamp(text, 0, text.length, naiveNewYork);
const iso = (t: number): string => new Date(t).toISOString();

describe('timestamps and numbers', () => {
  it('reads the documented forms', () => {
    expect(iso(ts('2024-02-20T04:00:00-05:00'))).toBe('2024-02-20T09:00:00.000Z');
    expect(iso(ts('2024-02-20 04:00:00-0500'))).toBe('2024-02-20T09:00:00.000Z');
    expect(iso(ts('2024-02-20T09:00:00Z'))).toBe('2024-02-20T09:00:00.000Z');
    expect(iso(ts('2024-02-20T09:00:00.25Z'))).toBe('2024-02-20T09:00:00.250Z');
    expect(iso(ts('2024-02-20 09:00:00'))).toBe('2024-02-20T09:00:00.000Z');
    expect(iso(ts('2024-02-20 09:00'))).toBe('2024-02-20T09:00:00.000Z');
    expect(iso(ts('2024-02-20 09:30:00', true))).toBe('2024-02-20T14:30:00.000Z');
    expect(iso(ts('2024-07-01 09:30:00', true))).toBe('2024-07-01T13:30:00.000Z');
    expect(iso(ts('2024-02-20'))).toBe('2024-02-20T05:00:00.000Z');
    expect(iso(ts('2024-07-01'))).toBe('2024-07-01T04:00:00.000Z');
    expect(iso(ts('20240701'))).toBe('2024-07-01T04:00:00.000Z');
    expect(iso(ts('07/01/2024'))).toBe('2024-07-01T04:00:00.000Z');
    expect(iso(ts('7/1/2024 3:59 PM', true))).toBe('2024-07-01T19:59:00.000Z');
    expect(iso(ts('1708419600'))).toBe('2024-02-20T09:00:00.000Z');
    expect(iso(ts('1708419600000'))).toBe('2024-02-20T09:00:00.000Z');
    expect(iso(ts('1708419600000000000'))).toBe('2024-02-20T09:00:00.000Z');
    for (const bad of [
      '',
      'yesterday',
      '2024-02-30',
      '2024-13-01',
      '2024-02-20X09:00',
      '2024-02-20 25:00',
      '2024-02-20T09:00:00+5',
    ]) {
      expect(ts(bad)).toBeNaN();
    }
  });

  it('reads numbers like Number()', () => {
    for (const text of [
      '0',
      '1',
      '498.33',
      '1.07219',
      '-3.5',
      '0.000123',
      '123456789.123456',
      '1e5',
      '2012.25343589',
    ]) {
      expect(parseDecimal(text, 0, text.length)).toBe(Number(text));
    }
    expect(parseDecimal('$12.50', 0, 6)).toBe(12.5);
    expect(parseDecimal('abc', 0, 3)).toBeNaN();
    expect(parseDecimal('', 0, 0)).toBeNaN();
    expect(parseDecimal('.', 0, 1)).toBeNaN();
  });
});

describe('Scanner', () => {
  it('tells whether the last timestamp was a plain date', () => {
    const scanner = new Scanner();
    const read = (text: string): number => scanner.timestamp(text, 0, text.length);
    read('2024-07-01');
    expect(scanner.dateOnly).toBe(true);
    read('2024-07-01 09:30');
    expect(scanner.dateOnly).toBe(false);
    read('20240701');
    expect(scanner.dateOnly).toBe(true);
  });

  it('fast scans stop at the field end, and refuse shapes they do not read', () => {
    const scanner = new Scanner();
    const line = '2024-07-01T13:30:00Z,498.33,-1.5,x';
    expect(scanner.fastIsoTime(line, 0, line.length)).toBe(ts('2024-07-01T13:30:00Z'));
    expect(scanner.stop).toBe(20);
    expect(scanner.fastDecimal(line, 21, line.length)).toBe(498.33);
    expect(scanner.stop).toBe(27);
    expect(scanner.fastDecimal(line, 28, line.length)).toBe(-1.5);
    expect(scanner.stop).toBe(32);
    expect(scanner.fastDecimal(line, 33, line.length)).toBeNaN();
    expect(scanner.stop).toBe(-1);
    // Another day after a cached one, and a date the ISO scanner leaves to `timestamp`.
    expect(scanner.fastIsoTime('2024-07-02 09:00+02:00', 0, 22)).toBe(ts('2024-07-02 09:00+02:00'));
    expect(scanner.fastIsoTime('2024-07-02', 0, 10)).toBeNaN();
    expect(scanner.stop).toBe(-1);
  });

  it('leaves naive date-times to `timestamp` when they are New York time', () => {
    const scanner = new Scanner(true);
    expect(scanner.fastIsoTime('2024-07-01 09:30', 0, 16)).toBeNaN();
    expect(scanner.timestamp('2024-07-01 09:30', 0, 16)).toBe(ts('2024-07-01 09:30', true));
  });
});
