import type { DomainChannels } from './domain.ts';

/**
 * The one settings record main owns (settingsContract.ts): read, changed, the data folder moved or
 * switched; every change is pushed to every window and the CLI reads the same record.
 */
export const SETTINGS_CHANNELS = {
  requests: ['settings:get', 'settings:set', 'settings:data-folder'],
  events: ['settings:changed'],
} as const satisfies DomainChannels;
