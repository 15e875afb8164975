import type { DomainChannels } from './domain.ts';

/**
 * The parameter learner (learnerContract.ts): the ledger's learners, a learner's saved state, the ledger's
 * backfill, the prequential evaluation on a symbol, the recommendation per regime and the scorecard of
 * the four policies; the scorecard's progress (learner:scorecard-progress).
 */
export const LEARNER_CHANNELS = {
  requests: [
    'learner:status',
    'learner:state',
    'learner:backfill',
    'learner:evaluate',
    'learner:recommend',
    'learner:scorecard',
  ],
  events: ['learner:scorecard-progress'],
} as const satisfies DomainChannels;
