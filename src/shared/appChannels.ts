import type { DomainChannels } from './domain.ts';

/** The host itself and the job lifecycle every long request shares (its schemas: appContract.ts). */
export const APP_CHANNELS = {
  requests: ['app:info', 'job:cancel'],
  events: ['job:progress', 'job:done'],
} as const satisfies DomainChannels;
