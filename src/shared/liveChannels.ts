import type { DomainChannels } from './domain.ts';

/**
 * Live trading from the workstation (schemas: liveContract.ts): the bots it watches, proposals from
 * study trials, each bot's auto-approval policy, approvals, pushes, rollback, halts and the audit
 * trail; `live:status` streams what the watcher sees each poll and `live:alarm` each alarm when it is
 * first raised (halts, drift and unapproved versions also leave the app: an OS notification and the
 * optional signed webhook), and `live:approval` each proposal left waiting for a person or approved by
 * the bot's policy (which leave the app the same way).
 */
export const LIVE_CHANNELS = {
  requests: [
    'live:bots',
    'live:bot-add',
    'live:bot-remove',
    'live:bot',
    'live:propose',
    'live:proposals',
    'live:diff',
    'live:approve',
    'live:push',
    'live:rollback',
    'live:halt',
    'live:resume',
    'live:audit',
    'live:audit-export',
    'live:audit-bot-changes',
    'live:policy',
    'live:policy-set',
    'live:regime-updates',
    'live:regime-updates-set',
    'live:bot-timeouts-set',
    'live:webhook',
    'live:webhook-set',
    'live:webhook-test',
    'live:verify-provenance',
  ],
  events: ['live:status', 'live:alarm', 'live:approval'],
} as const satisfies DomainChannels;
