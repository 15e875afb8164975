/**
 * The regime part of the contract: a detector's labels over a cached symbol and timeframe, as stored
 * (recomputed when the bars changed), and the per-regime table the CLI's `regimen regimes` prints.
 */
import { z } from 'zod';
import { DETECTOR_NAMES } from '../core/regime/detector.ts';
import { REGIME_AXES } from '../core/regime/labels.ts';
import type { DomainContract } from './domain.ts';
import type { REGIME_CHANNELS } from './regimeChannels.ts';
import { END_AFTER_START, endAfterStart, epochMsSchema, symbolSchema, timeframeSchema } from './schemas.ts';

export const RegimesQuery = z
  .strictObject({
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    detector: z.enum(DETECTOR_NAMES, { error: `must be one of ${DETECTOR_NAMES.join(', ')}` }),
    /** Bars returned from here (inclusive); the labels are always computed over every stored bar. */
    start: epochMsSchema.optional(),
    end: epochMsSchema.optional(),
  })
  .refine(endAfterStart, END_AFTER_START);

/** NaN (an empty regime, no spell) travels as null. */
const statistic = z.number().nullable();

export const RegimeLabelRow = z.object({
  label: z.string(),
  share: statistic,
  meanReturn: statistic,
  volatility: statistic,
  typicalDuration: statistic,
  spells: z.number(),
});

export const RegimeAxisResult = z.object({
  /** Label names in code order. */
  names: z.array(z.string()),
  /** Label code per returned bar (index into names); null during warm-up. */
  labels: z.array(z.number().nullable()),
  /** Over every stored bar, not only the returned range. */
  summary: z.array(RegimeLabelRow),
  /** transitions[a][b]: share of bars labelled a whose next bar is labelled b. */
  transitions: z.array(z.array(statistic)),
});

export const RegimesResult = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  detector: z.enum(DETECTOR_NAMES),
  /** Content fingerprint of the bars the labels were computed on. */
  datasetId: z.string(),
  warmup: z.number(),
  /** False when the stored labels were served as they were. */
  recomputed: z.boolean(),
  t: z.array(z.number()),
  axes: z.object(
    Object.fromEntries(REGIME_AXES.map((axis) => [axis, RegimeAxisResult])) as Record<
      (typeof REGIME_AXES)[number],
      typeof RegimeAxisResult
    >,
  ),
});

export const regimeContract = {
  requests: {
    'regimes:get': { input: RegimesQuery, output: RegimesResult },
  },
  events: {},
} as const satisfies DomainContract<typeof REGIME_CHANNELS>;

export type RegimesResult = z.output<typeof RegimesResult>;
export type RegimeAxisResult = z.output<typeof RegimeAxisResult>;
