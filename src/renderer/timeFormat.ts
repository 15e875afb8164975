import { timeFormat, zoneOf, type TimeFormat } from '../shared/timeZone.ts';
import { useApp } from './store/context.tsx';

/** The formatter of the time zone chosen in Settings: every time the views print goes through it. */
export function useTimeFormat(): TimeFormat {
  return timeFormat(zoneOf(useApp((s) => s.timeZone)));
}
