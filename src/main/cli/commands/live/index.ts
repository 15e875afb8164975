import type { CommandEntry } from '../../command.ts';

/** Live trading: the reference bot behind the signed bot protocol, and the workstation's live desk. */
export const liveCommands: readonly CommandEntry[] = [
  {
    name: 'bot',
    summary:
      'Run the reference trading bot (demo market or a replay, simulated fills) behind the signed bot protocol',
    load: async () => (await import('./bot.ts')).botCommand,
  },
  {
    name: 'bot conformance',
    summary: "Check a bot (--bot URL) against the bot protocol's mandatory behaviours",
    load: async () => (await import('./botConformance.ts')).botConformanceCommand,
  },
  {
    name: 'live approve',
    summary:
      'Approve a parameter set for a bot: the diff, the typed confirmation and a note, into the audit trail',
    load: async () => (await import('./desk.ts')).liveApproveCommand,
  },
  {
    name: 'live cosign',
    summary: 'Add a second, different approver to an approval',
    load: async () => (await import('./desk.ts')).liveCosignCommand,
  },
  {
    name: 'live push',
    summary:
      'Push an approved set to its bot as the next version (optionally ramped), recording push and ack',
    load: async () => (await import('./desk.ts')).livePushCommand,
  },
  {
    name: 'live status',
    summary: "A bot's version, position, equity, ramp and halt, and whether it runs the approved set",
    load: async () => (await import('./desk.ts')).liveStatusCommand,
  },
  {
    name: 'live rollback',
    summary: 'Push the last good version again, as a new version',
    load: async () => (await import('./desk.ts')).liveRollbackCommand,
  },
  {
    name: 'live halt',
    summary: 'Halt a bot: no-new-entries, reduce-only or flatten',
    load: async () => (await import('./desk.ts')).liveHaltCommand,
  },
  {
    name: 'live resume',
    summary: 'End a halt',
    load: async () => (await import('./desk.ts')).liveResumeCommand,
  },
  {
    name: 'live policy set',
    summary:
      "Set a bot's auto-approval policy: per-parameter bounds and steps, changes a day, minimum confidence",
    load: async () => (await import('./policy.ts')).livePolicySetCommand,
  },
  {
    name: 'live policy show',
    summary: "A bot's auto-approval policy and its version",
    load: async () => (await import('./policy.ts')).livePolicyShowCommand,
  },
  {
    name: 'live regime-updates set',
    summary: "Turn a bot's regime-driven updates on or off: detector, axis, confidence threshold, dwell",
    load: async () => (await import('./regimeUpdates.ts')).liveRegimeUpdatesSetCommand,
  },
  {
    name: 'live regime-updates show',
    summary: "A bot's regime-driven update setting",
    load: async () => (await import('./regimeUpdates.ts')).liveRegimeUpdatesShowCommand,
  },
  {
    name: 'live timeouts set',
    summary:
      'How long a request to a bot waits for its answer: --push-seconds (push, halt, resume), --read-seconds',
    load: async () => (await import('./timeouts.ts')).liveTimeoutsSetCommand,
  },
  {
    name: 'live timeouts show',
    summary: 'How long a request to a bot waits for its answer',
    load: async () => (await import('./timeouts.ts')).liveTimeoutsShowCommand,
  },
  {
    name: 'live webhook set',
    summary:
      'Post halts, drift, unapproved versions and approvals to a URL, signed with REGIMEN_WEBHOOK_SECRET or the keychain',
    load: async () => (await import('./webhook.ts')).liveWebhookSetCommand,
  },
  {
    name: 'live webhook show',
    summary: "The alarm webhook's URL and whether its signing secret is set (never the secret)",
    load: async () => (await import('./webhook.ts')).liveWebhookShowCommand,
  },
  {
    name: 'live webhook clear',
    summary: 'Stop posting alarms to the webhook',
    load: async () => (await import('./webhook.ts')).liveWebhookClearCommand,
  },
  {
    name: 'live webhook test',
    summary: 'Post a signed regimen.live.test to the webhook and print what the receiver answered',
    load: async () => (await import('./webhook.ts')).liveWebhookTestCommand,
  },
  {
    name: 'live verify-provenance',
    summary: "Re-run a set's study trial and reproduce its recorded metrics, or say exactly what differs",
    load: async () => (await import('./verifyProvenance.ts')).liveVerifyProvenanceCommand,
  },
  {
    name: 'live audit',
    summary: 'The live audit trail: list, --verify the hash chain, or export --format csv|json',
    load: async () => (await import('./desk.ts')).liveAuditCommand,
  },
];
