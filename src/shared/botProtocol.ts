/**
 * The bot protocol, version 1: what the workstation and a trading bot (the reference bot or a trader's
 * own) say to each other over HTTP. docs/bot-protocol.yaml is the OpenAPI 3.1 document of it, generated
 * from these schemas (botProtocolOpenApi.ts) and checked against them by a test. Every request carries
 * the signature headers of core/live/signing.ts; a bot refuses unsigned, forged, stale, replayed or
 * altered requests with 401 and the refusal's code.
 */
import { z } from 'zod';
import { SIGNATURE_HEADERS } from '../core/live/signing.ts';
import { BOT_PROTOCOL } from '../core/live/kit/status.ts';
import { BOT_STATE_CHANGE_KINDS, HALT_MODES, POSITION_POLICIES } from '../core/live/modes.ts';
import { PARAMETER_SET_SCHEMA_VERSION } from '../core/live/parameterSet.ts';
import { MAX_REPORT_BARS, MAX_REPORT_FILLS } from '../core/live/kit/reports.ts';
import { sessionSchema } from './schemas.ts';
import { SHORT_SALES, UNIT_RULES } from '../core/engine/assetCosts.ts';

export { BOT_PROTOCOL, SIGNATURE_HEADERS };

export const BOT_PATHS = {
  apply: '/v1/apply',
  status: '/v1/status',
  reports: '/v1/reports',
  heartbeat: '/v1/heartbeat',
  halt: '/v1/halt',
  resume: '/v1/resume',
} as const;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (SHA-256)');
const fraction = (open: 'exclusive' | 'inclusive') =>
  open === 'inclusive' ? z.number().gt(0).lte(1) : z.number().gt(0).lt(1);

export const PreTradeLimitsSchema = z
  .object({
    maxPositionFraction: fraction('inclusive'),
    maxDailyLoss: fraction('exclusive'),
    maxOrdersPerDay: z.int().min(1),
  })
  .strict();

const metrics = z.record(z.string(), finite);

export const ProvenanceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('study'),
      studyId: z.string().min(1),
      trial: z.int().min(0),
      seed: z.int(),
      dataFingerprint: z.string(),
      engineVersion: z.string(),
      expected: metrics,
      spread: metrics.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('learner'),
      modelVersion: z.string(),
      regime: z.string().optional(),
      confidence: z.number().min(0).max(1),
      engineVersion: z.string(),
      expected: metrics,
      /** The learner that answered and its skill (null: not measured); absent on sets recorded before. */
      learner: z
        .object({
          name: z.string().min(1),
          learned: z.int().min(0),
          skill: z.object({ mean: finite, t: finite.nullable() }).strict().nullable(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  z.object({ kind: z.literal('manual'), note: z.string(), engineVersion: z.string() }).strict(),
]);

/** A strategy by name and version, and a user strategy's file by its SHA-256 (core's StrategyIdentity). */
const StrategyIdentitySchema = z
  .object({ name: z.string().min(1), version: z.string().min(1), sourceHash: sha256Hex.optional() })
  .strict();

/** The sealed artifact of core/live/parameterSet.ts; the bot re-hashes it before anything else. */
export const ParameterSetSchema = z
  .object({
    schemaVersion: z
      .int()
      .refine(
        (v): boolean => v === PARAMETER_SET_SCHEMA_VERSION,
        `only schema version ${PARAMETER_SET_SCHEMA_VERSION} is known`,
      ),
    strategy: StrategyIdentitySchema,
    parameters: z.record(z.string(), finite),
    limits: PreTradeLimitsSchema,
    provenance: ProvenanceSchema,
    hash: sha256Hex,
  })
  .strict();

export const RampPlanSchema = z
  .object({
    steps: z.array(fraction('inclusive')).min(1).max(20),
    barsPerStep: z.int().min(1),
    guardrails: z
      .object({
        maxDrawdown: fraction('exclusive'),
        maxLoss: fraction('exclusive'),
        maxSlippageBps: z.number().gt(0),
      })
      .strict(),
  })
  .strict();

export const HaltModeSchema = z.enum(HALT_MODES);
export const PositionPolicySchema = z.enum(POSITION_POLICIES);

/** Who approved the change (the workstation sends nothing without an approval record). */
export const ApprovalSchema = z
  .object({
    id: z.string().min(1).max(128),
    approvedBy: z.array(z.string().min(1).max(128)).min(1).max(2),
    at: z.int(),
    note: z.string().max(2000),
  })
  .strict();

export const ApplyRequestSchema = z
  .object({
    changeId: z.string().min(1).max(128),
    version: z.int().min(1),
    set: ParameterSetSchema,
    policy: PositionPolicySchema.default('keep'),
    ramp: RampPlanSchema.optional(),
    approval: ApprovalSchema,
  })
  .strict();

export const ApplyResponseSchema = z
  .object({
    result: z.enum(['accepted', 'duplicate']),
    version: z.int(),
    /** Accepted sets take over at the next bar boundary. */
    effective: z.literal('next-bar'),
  })
  .strict();

const VersionRefSchema = z.object({ version: z.int(), changeId: z.string(), hash: sha256Hex }).strict();

export const RampStatusSchema = z
  .object({
    phase: z.enum(['ramping', 'complete', 'rolled-back']),
    step: z.int(),
    steps: z.array(z.number()),
    budget: z.number(),
    barsInStep: z.int(),
    barsPerStep: z.int(),
    reason: z.string().optional(),
  })
  .strict();

export const HaltStateSchema = z.object({ mode: HaltModeSchema, reason: z.string(), at: z.int() }).strict();

/** A change the bot made on its own; `id` is what the workstation audits it under, once. */
export const StateChangeSchema = z
  .object({
    seq: z.int().min(1),
    id: z.string().min(1).max(300),
    kind: z.enum(BOT_STATE_CHANGE_KINDS),
    at: z.int(),
    version: z.int(),
    changeId: z.string(),
    step: z.int().optional(),
    budget: z.number().optional(),
    reason: z.string(),
  })
  .strict();

export const StatusSchema = z
  .object({
    protocol: z.literal(BOT_PROTOCOL),
    symbol: z.string(),
    /**
     * The hours of the symbol's bars the bot trades: regular (the exchange's session, 09:30-16:00 New
     * York) or extended (its pre- and after-market bars too). The workstation scores the bot's
     * candidates and reads their standing in this session. Optional: for a bot that does not say, it
     * uses the session its Settings name, and says so.
     */
    session: sessionSchema.optional(),
    /**
     * Whether the bot may sell short: allowed, or none (long only: a signal to go short leaves it flat,
     * as a cash account or an asset its broker does not lend requires). The workstation's shadow
     * backtest trades as the bot does. Optional: a bot that does not say may sell short.
     */
    shortSales: z.enum(SHORT_SALES).optional(),
    /**
     * Whether the bot's orders are for whole units or fractions (crypto at Alpaca trades to a
     * ten-thousandth of a coin); the shadow backtest sizes alike. Optional: a bot that does not say
     * trades whole units.
     */
    units: z.enum(UNIT_RULES).optional(),
    strategy: StrategyIdentitySchema.nullable(),
    /**
     * Every strategy the bot can run, a user strategy with its source's hash: the workstation says
     * "the bot lacks strategy X" before a push. Optional: a bot that does not list them is checked on
     * the push itself.
     */
    strategies: z.array(StrategyIdentitySchema).optional(),
    active: VersionRefSchema.nullable(),
    pending: VersionRefSchema.nullable(),
    /** Highest version the bot ever accepted (a push at or below it is a duplicate or refused). */
    acceptedVersion: z.int(),
    positions: z.array(
      z.object({ symbol: z.string(), units: z.number(), averageEntryPrice: z.number() }).strict(),
    ),
    equity: z.number(),
    cash: z.number(),
    ramp: RampStatusSchema.nullable(),
    halt: HaltStateSchema.nullable(),
    /**
     * The day's realised + unrealised loss passed the set's maxDailyLoss at bar `at`: no new entries
     * until the next UTC day. Optional: a bot that does not report it is not alarmed on it.
     */
    dailyLoss: z.object({ day: z.int(), at: z.int(), reason: z.string() }).strict().nullable().optional(),
    /**
     * The bot's own recent state changes (ramp steps, completion, guardrail rollbacks, heartbeat halts),
     * oldest first, a bounded list. Optional: a bot that does not report them is not audited on them.
     */
    changes: z.array(StateChangeSchema).optional(),
    barsSeen: z.int(),
    lastBarTime: z.int().nullable(),
    heartbeat: z
      .object({ lastAt: z.int().nullable(), timeoutMs: z.int(), onTimeout: HaltModeSchema })
      .strict(),
  })
  .strict();

export const FillSchema = z
  .object({
    time: z.int(),
    side: z.enum(['buy', 'sell']),
    units: z.number(),
    price: z.number(),
    kind: z.enum(['entry', 'exit']),
    /** The parameter-set version that decided this fill. */
    version: z.int(),
    reason: z.string(),
  })
  .strict();

/** The page sizes of a reports answer (the kit's report builder pages by them). */
export { MAX_REPORT_BARS, MAX_REPORT_FILLS };

export const ReportsSchema = z
  .object({
    /**
     * Fills numbered `fillsFrom` on (from the oldest the bot still holds, when older ones are gone), at
     * most MAX_REPORT_FILLS.
     */
    fills: z.array(FillSchema),
    /** The number to ask from next: `fills` ran up to it (fewer than the bot has when capped). */
    nextFill: z.int(),
    /**
     * The number of `fills[0]` (of the next fill when none is sent): later than asked when the bot
     * dropped older fills. Optional for bots written before it; without it a caller can only count.
     */
    firstFill: z.int().nonnegative().optional(),
    /** The number of `equity[0]` and `bars[0]` (of the next bar when none is sent), as firstFill. */
    firstBar: z.int().nonnegative().optional(),
    /** Equity at each bar's close, from bar `barsFrom` on, at most MAX_REPORT_BARS. */
    equity: z.array(z.object({ time: z.int(), equity: z.number() }).strict()),
    /**
     * The bars themselves from bar `since` on, each with the set version active at it (0: none), so the
     * workstation can run a shadow backtest of what the bot ran. Optional: without it a bot is still
     * watched, but not reconciled against a backtest.
     */
    bars: z
      .array(
        z
          .object({
            time: z.int(),
            o: finite,
            h: finite,
            l: finite,
            c: finite,
            v: finite,
            version: z.int(),
            /** The active set's ramp budget at this bar, (0, 1] (absent: 1, no ramp). */
            budget: z.number().gt(0).lte(1).optional(),
            /**
             * Units held at this bar's close (negative: short). Optional: with it a shadow that starts
             * after bars the bot dropped resumes from the bot's position instead of flat.
             */
            position: finite.optional(),
          })
          .strict(),
      )
      .optional(),
    barsSeen: z.int(),
  })
  .strict();

export const HeartbeatRequestSchema = z.object({ at: z.int() }).strict();
export const HeartbeatResponseSchema = z.object({ at: z.int(), timeoutMs: z.int() }).strict();
export const HaltRequestSchema = z
  .object({ mode: HaltModeSchema, reason: z.string().min(1).max(500) })
  .strict();
export const ResumeRequestSchema = z.object({ reason: z.string().min(1).max(500) }).strict();

/** Every refusal and failure: a stable code and a message that names what was wrong. */
export const BotErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }).strict() })
  .strict();

export type ApplyRequest = z.output<typeof ApplyRequestSchema>;
export type ApplyResponse = z.output<typeof ApplyResponseSchema>;
export type BotStatus = z.output<typeof StatusSchema>;
export type BotReports = z.output<typeof ReportsSchema>;
export type BotFill = z.output<typeof FillSchema>;
export type BotError = z.output<typeof BotErrorSchema>;
