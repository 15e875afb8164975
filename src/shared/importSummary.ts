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
