import type { CommandEntry } from '../../command.ts';

/** Online learning: drift detection and the parameter learner. */
export const mlCommands: readonly CommandEntry[] = [
  {
    name: 'drift',
    summary: 'Run a drift detector over one numeric column of a CSV file and print where it flagged drift',
    load: async () => (await import('./drift.ts')).driftCommand,
  },
  {
    name: 'learner status',
    summary:
      "The results ledger's rows and each strategy's learner: results learned, state version, drift resets",
    load: async () => (await import('./learner.ts')).learnerStatusCommand,
  },
  {
    name: 'learner evaluate',
    summary:
      'Delayed prequential evaluation of the parameter learner on a CSV file or cached bars, beside its baseline',
    load: async () => (await import('./learner.ts')).learnerEvaluateCommand,
  },
  {
    name: 'learner recommend',
    summary: 'The parameter set the learner expects to do best next window, with interval and confidence',
    load: async () => (await import('./learner.ts')).learnerRecommendCommand,
  },
  {
    name: 'learner backfill',
    summary: "Record stored studies' trials and walk-forward windows in the results ledger, then learn them",
    load: async () => (await import('./learner.ts')).learnerBackfillCommand,
  },
  {
    name: 'scorecard',
    summary:
      "Default parameters, walk-forward optimised, regime-aware and the learner's recommendations, out of sample after costs, beside the product goals",
    load: async () => (await import('./scorecard.ts')).scorecardCommand,
  },
];
