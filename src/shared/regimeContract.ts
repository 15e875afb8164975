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

export const detectorSchema = z.enum(DETECTOR_NAMES, {
  error: `must be one of ${DETECTOR_NAMES.join(', ')}`,
});

/** A detector's persistence settings (core's DetectorSettings); absent ones keep the detector's default. */
export const DetectorSettingsSchema = z.strictObject({
  hysteresis: z.number().min(0, 'must be at least 0').lt(1, 'must be below 1').optional(),
  minDwell: z.number().int('must be a whole number of bars').min(1, 'must be at least 1 bar').optional(),
  jumpPenalty: z.number().min(0, 'must be at least 0').max(1e6, 'must be at most 1,000,000').optional(),
});

/** The jump penalty is the jump model's own persistence; on another detector it would be silently ignored. */
export function jumpPenaltyOnJumpOnly(query: {
  detector: string;
  settings?: { jumpPenalty?: number | undefined } | undefined;
}): boolean {
  return query.settings?.jumpPenalty === undefined || query.detector === 'jump';
}
export const JUMP_PENALTY_ON_JUMP_ONLY = {
  message: 'applies to the jump detector only',
  path: ['settings', 'jumpPenalty'],
};

export const RegimesQuery = z
  .strictObject({
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    detector: detectorSchema,
    settings: DetectorSettingsSchema.optional(),
    /** Bars returned from here (inclusive); the labels are always computed over every stored bar. */
    start: epochMsSchema.optional(),
    end: epochMsSchema.optional(),
  })
  .refine(endAfterStart, END_AFTER_START)
  .refine(jumpPenaltyOnJumpOnly, JUMP_PENALTY_ON_JUMP_ONLY);

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
  settings: DetectorSettingsSchema,
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
export type RegimesQuery = z.input<typeof RegimesQuery>;
export type DetectorSettingsInput = z.output<typeof DetectorSettingsSchema>;
