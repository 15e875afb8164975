import { CALENDAR_HOURS } from '../core/data/assetCalendar.ts';
import type { DataImportResult } from './dataContract.ts';

/**
 * Which zone an import read date-times without an offset in, and why, in one sentence: the CLI and the
 * Data view say it alike (the CLI adds how to choose).
 */
export function timeZoneSentence({ zone, source, basis }: DataImportResult['timeZone']): string {
  switch (source) {
    case 'not-needed':
      return `time zone: ${basis}`;
    case 'chosen':
      return `times without an offset read as ${zone} (chosen)`;
    case 'inferred':
      return `times without an offset read as ${zone}, inferred: ${basis}`;
    case 'default':
      return `times without an offset read as ${zone}: ${basis}`;
  }
}

/** The calendar an import stored, and whether it was inferred. */
export function calendarSentence(result: Pick<DataImportResult, 'calendar' | 'calendarInferred'>): string {
  return `calendar ${result.calendar}${result.calendarInferred ? ' (inferred from the timestamps)' : ''}`;
}

/**
 * When that calendar trades, and for crypto day (week, month) bars where they were stamped and which
 * stored bars of the same dates they replaced: the CLI and the Data view say it after calendarSentence.
 */
export function calendarDetail(result: Pick<DataImportResult, 'calendar' | 'timeframe' | 'utcDays'>): string {
  const hours = CALENDAR_HOURS[result.calendar];
  if (result.utcDays === null) return hours;
  const { replaced } = result.utcDays;
  const stamped = `${hours}; its ${result.timeframe} bars are stamped at 00:00 UTC of their dates`;
  return replaced === 0
    ? stamped
    : `${stamped}, replacing ${replaced} stored ${result.timeframe} bar${replaced === 1 ? '' : 's'} of the same dates at another hour (00:00 New York, from an earlier import)`;
}
