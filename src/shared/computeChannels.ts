import type { DomainChannels } from './domain.ts';

/** Where studies compute: this machine or workers over Redis, and the workers connected (computeContract.ts). */
export const COMPUTE_CHANNELS = {
  requests: ['compute:status', 'compute:choose', 'compute:test'],
  events: [],
} as const satisfies DomainChannels;
