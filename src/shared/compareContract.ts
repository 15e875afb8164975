import { z } from 'zod';
import { BacktestRequest } from './backtestContract.ts';
import type { COMPARE_CHANNELS } from './compareChannels.ts';
import { MAX_PINS } from './compareChoices.ts';
import type { DomainContract } from './domain.ts';
import { StudyId, WalkForwardRequest } from './optimizeContract.ts';
import { metricValue } from './schemas.ts';

/**
 * What a pin stands for: a backtest by its request (run again to compare), a study's trial by its
 * number (run again with the study's own evaluator settings, its stored metrics shown), or a
 * walk-forward run by its id and the request it ran (each stored window's parameters run again on its
 * test bars and stitched).
 */
const BacktestPinSource = z.strictObject({ kind: z.literal('backtest'), request: BacktestRequest });
const TrialPinSource = z.strictObject({
  kind: z.literal('trial'),
  studyId: StudyId,
  trial: z.number().int().min(0),
});
const WalkForwardPinSource = z.strictObject({
  kind: z.literal('walkforward'),
  runId: z.string().min(1).max(64),
  request: WalkForwardRequest,
});
export const PinSource = z.discriminatedUnion('kind', [
  BacktestPinSource,
  TrialPinSource,
  WalkForwardPinSource,
]);

/** What is asked to be pinned: a walk-forward run may be named by its id alone (its stored request is used). */
export const PinSourceRequest = z.discriminatedUnion('kind', [
  BacktestPinSource,
  TrialPinSource,
  WalkForwardPinSource.extend({ request: WalkForwardRequest.optional() }),
]);

export const ComparePinRequest = z.strictObject({
  source: PinSourceRequest,
  /** How the column and the curve are labelled (absent: made from the source). */
  label: z.string().trim().min(1, 'a pin label cannot be empty').max(80).optional(),
});

export const ComparePin = z.object({
  id: z.string(),
  label: z.string(),
  source: PinSource,
  pinnedAt: z.number(),
});

/** A pin's curve and metrics as derived now, or why it could not be (the study was deleted, no bars). */
export const ComparedResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    symbol: z.string(),
    timeframe: z.string(),
    strategy: z.string(),
    params: z.record(z.string(), z.number()),
    /** The starting capital its equity starts from (the compare view rescales every curve to one). */
    cash: z.number(),
    /** Equity over the bars it ran on, thinned for display. */
    equity: z.object({ t: z.array(z.number()), value: z.array(z.number()) }),
    metrics: z.record(z.string(), metricValue),
    /**
     * How the figures were obtained where it matters (a multi-timeframe trial's curve is its first
     * timeframe's; a walk-forward's parameters change window by window).
     */
    notes: z.array(z.string()),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

export const ComparedPin = ComparePin.extend({ result: ComparedResult });

export const compareContract = {
  requests: {
    'compare:pin': { input: ComparePinRequest, output: ComparePin, refused: 'Not pinned to Compare' },
    'compare:list': {
      input: z.strictObject({}),
      output: z.array(ComparedPin).max(MAX_PINS),
      refused: 'Compare list not read',
    },
    'compare:unpin': {
      input: z.strictObject({ pinId: z.string().min(1) }),
      output: z.object({ pinId: z.string(), removed: z.literal(true) }),
      refused: 'Not unpinned from Compare',
    },
    'compare:clear': {
      input: z.strictObject({}),
      output: z.object({ removed: z.number() }),
      refused: 'Compare not cleared',
    },
  },
  events: {},
} as const satisfies DomainContract<typeof COMPARE_CHANNELS>;

export type PinSource = z.output<typeof PinSource>;
export type PinSourceRequest = z.output<typeof PinSourceRequest>;
export type ComparePinRequest = z.output<typeof ComparePinRequest>;
export type ComparePin = z.output<typeof ComparePin>;
export type ComparedResult = z.output<typeof ComparedResult>;
export type ComparedPin = z.output<typeof ComparedPin>;
