/**
 * The live part of the contract. The bot secret never crosses it: the renderer learns only whether one
 * is configured and where from (REGIMEN_BOT_SECRET or the OS keychain), and main signs every request to
 * a bot itself. Sets, statuses and ramp plans are the bot protocol's own schemas (botProtocol.ts).
 */
import { z } from 'zod';
import { LIVE_ALARM_KINDS } from '../core/live/alarms.ts';
import { AUDIT_KINDS } from '../core/live/audit.ts';
import { MIN_BOT_SECRET_LENGTH } from '../core/live/signing.ts';
import {
  EXCHANGE_ZONE,
  isTimeZone,
  minuteOfTimeOfDay,
  REGIME_UPDATE_AXES,
} from '../core/live/regimeUpdates.ts';
import { DETECTOR_NAMES } from '../core/regime/detector.ts';
import {
  HaltModeSchema,
  ParameterSetSchema,
  PositionPolicySchema,
  PreTradeLimitsSchema,
  RampPlanSchema,
  StatusSchema,
} from './botProtocol.ts';
import type { DomainContract } from './domain.ts';
import type { LIVE_CHANNELS } from './liveChannels.ts';
import { sessionSchema } from './schemas.ts';
import type { DeskSession } from './botSession.ts';

const botUrl = z
  .string()
  .trim()
  .max(300)
  .regex(/^https?:\/\/[^\s/?#]+\/?$/, 'must be a bot address such as http://127.0.0.1:8787');
const actor = z.string().trim().min(1).max(128).optional();
const reason = z.string().trim().min(1, 'say why').max(500);
const hash = z.string().regex(/^[0-9a-f]{64}$/);

export const LiveBotEntry = z.object({
  name: z.string(),
  url: z.string(),
  /** Halt no-new-entries on its own when ADWIN flags live returns. */
  autoPause: z.boolean(),
});

export const LiveAlarm = z.object({
  kind: z.enum(LIVE_ALARM_KINDS),
  message: z.string(),
  /** When the watcher first raised it (epoch ms); it stays until a look no longer finds it. */
  since: z.number(),
});

/**
 * Approvals that leave the app beside the alarms: a proposal left waiting for a person (the bot's
 * auto-approval policy did not pass it) and one the policy approved (a regime update's is pushed at once).
 */
export const APPROVAL_EVENT_KINDS = ['approval-waiting', 'auto-approved'] as const;
export const LiveApprovalEvent = z.object({
  kind: z.enum(APPROVAL_EVENT_KINDS),
  bot: z.string(),
  name: z.string(),
  approvalId: z.string(),
  /** Where it came from and what became of it, in words. */
  message: z.string(),
  at: z.number(),
});

const Band = z.object({
  live: z.number().nullable(),
  expected: z.number(),
  low: z.number(),
  high: z.number(),
  inside: z.boolean().nullable(),
});

const Fill = z.object({
  time: z.number(),
  side: z.enum(['buy', 'sell']),
  kind: z.enum(['entry', 'exit']),
  price: z.number(),
});

export const LiveExpectationView = z.object({
  /** Time of the first bar a set was active (null: nothing to compare yet). */
  from: z.number().nullable(),
  bars: z.number(),
  /** Live and expected equity with its band, thinned to at most a few hundred points. */
  equity: z.array(
    z.object({ time: z.number(), live: z.number(), expected: z.number(), low: z.number(), high: z.number() }),
  ),
  reconciliation: z.object({
    matched: z.number(),
    missed: z.array(Fill),
    extra: z.array(Fill),
    meanSlippageBps: z.number().nullable(),
    /** The latest matched fills with their slippage. */
    recent: z.array(Fill.extend({ shadowPrice: z.number(), slippageBps: z.number() })),
  }),
  bands: z.object({ dailyReturn: Band, tradeRate: Band, winRate: Band }),
  drift: z.object({ detectedAt: z.number().nullable(), detections: z.number() }),
});

/** One bot as the watcher last saw it. */
export const LiveBotView = LiveBotEntry.extend({
  /** Null when it did not answer (`error` says why). */
  status: StatusSchema.nullable(),
  error: z.string().nullable(),
  /** Whether it runs the last approved and acknowledged set (null: none approved yet). */
  approved: z.boolean().nullable(),
  approvedHash: hash.nullable(),
  alarms: z.array(LiveAlarm),
  expectation: LiveExpectationView.nullable(),
  /**
   * The session its candidates are read in (botSession.ts's DeskSession): the one it reports, or
   * Settings' when it reports none. Null when it did not answer.
   */
  session: (
    z.object({
      session: sessionSchema,
      from: z.enum(['bot', 'settings']),
      settings: sessionSchema,
    }) satisfies z.ZodType<DeskSession>
  ).nullable(),
  checkedAt: z.number().nullable(),
  /**
   * The last halt or resume the bot did not answer, in one sentence: what its next status read showed
   * (halted or not), or that it is not known yet. Null (or absent) when the last one was answered.
   */
  switchOutcome: z.string().nullable().optional(),
});

/**
 * How long the desk waits for a bot's answer, kept in live-bots.json with the bots: a push (and a halt
 * or resume), which the bot acts on, and a read (status, reports, heartbeat). Past it the request is
 * given up: a push's outcome is then recorded as unknown and settled by the bot's status at the next look.
 */
export const BOT_TIMEOUT_DEFAULTS = { pushSeconds: 10, readSeconds: 5 } as const;
export const BotTimeoutSettings = z.strictObject({
  pushSeconds: z
    .number()
    .min(0.1, 'must be at least 0.1 s')
    .max(120, 'must be at most 120 s')
    .default(BOT_TIMEOUT_DEFAULTS.pushSeconds),
  // At most half the longest poll (60 s): a look makes three reads.
  readSeconds: z
    .number()
    .min(0.1, 'must be at least 0.1 s')
    .max(30, 'must be at most 30 s')
    .default(BOT_TIMEOUT_DEFAULTS.readSeconds),
});

export const LiveBotsResult = z.object({
  secret: z.object({
    configured: z.boolean(),
    source: z.enum(['env', 'keychain']).nullable(),
    /** Where to put one when none is configured (never a value). */
    problem: z.string().nullable(),
  }),
  /** Seconds between two looks at each bot (the version check alarms within one). */
  pollSeconds: z.number(),
  /** How long a request to a bot waits for its answer. */
  timeouts: BotTimeoutSettings,
  bots: z.array(LiveBotView),
});

const ParameterChange = z.object({
  name: z.string(),
  from: z.number().nullable(),
  to: z.number().nullable(),
});

const PolicyCheckView = z.object({ check: z.string(), passed: z.boolean(), detail: z.string() });

export const LiveProposal = z.object({
  approvalId: z.string(),
  bot: z.string(),
  set: ParameterSetSchema,
  diff: z.array(ParameterChange),
  /** What an approver types: the first 8 hex digits of the set's hash. */
  confirmation: z.string(),
  proposer: z.string(),
  proposedAt: z.number(),
  reason: z.string(),
  approvers: z.array(z.string()),
  pushedVersion: z.number().nullable(),
  /** What the bot's auto-approval policy said (null: a person proposed it, no policy judged it). */
  policy: z
    .object({ version: z.number(), approved: z.boolean(), checks: z.array(PolicyCheckView) })
    .nullable(),
});

/** One parameter's bounds in an auto-approval policy (core/live/approvalPolicy.ts), all inclusive. */
export const ParameterBoundSchema = z
  .strictObject({
    min: z.number().optional(),
    max: z.number().optional(),
    maxStep: z.number().positive('must be above 0').optional(),
  })
  .refine((b) => b.min !== undefined || b.max !== undefined || b.maxStep !== undefined, {
    message: 'give min, max or maxStep',
  })
  .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, {
    message: 'must not be below min',
    path: ['max'],
  });

export const ApprovalPolicySchema = z.strictObject({
  bounds: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a parameter name'),
    ParameterBoundSchema,
  ),
  maxChangesPerDay: z.int().min(0).max(100),
  minConfidence: z.number().min(0).max(1).optional(),
  /** Approve a learner's set whose skill is not measured (off unless given: a person must acknowledge one). */
  approveUnmeasuredSkill: z.boolean().optional(),
});

export const LivePolicyView = z.object({
  bot: z.string(),
  /** 0 until someone sets one: the empty policy, which approves nothing automatically. */
  version: z.number(),
  policy: ApprovalPolicySchema,
  setBy: z.string().nullable(),
  setAt: z.number().nullable(),
  reason: z.string().nullable(),
});

export const LiveProposeRequest = z.strictObject({
  bot: botUrl,
  studyId: z.string().min(1).max(128),
  trialNumber: z.number().int().min(0),
  limits: PreTradeLimitsSchema.optional(),
  actor,
});

export const LiveApproveRequest = z.strictObject({
  approvalId: z.string().min(1).max(128),
  typed: z.string().max(64),
  note: z.string().max(2000),
  approver: actor,
  /**
   * The approver knows the set rests on its learner's confidence alone: required for a learner's set
   * whose skill is not measured (its provenance's learner.skill null), refused without it.
   */
  acknowledgeUnmeasuredSkill: z.boolean().optional(),
});

export const LivePushRequest = z.strictObject({
  approvalId: z.string().min(1).max(128),
  policy: PositionPolicySchema.default('keep'),
  ramp: RampPlanSchema.optional(),
  approversRequired: z.number().int().min(1).max(2).default(1),
  actor,
});

export const LivePushResult = z.object({
  version: z.number(),
  result: z.enum(['accepted', 'duplicate']),
});

export const AuditEntryView = z.object({
  seq: z.number(),
  at: z.number(),
  kind: z.enum(AUDIT_KINDS),
  actor: z.string(),
  bot: z.string(),
  fromHash: z.string().nullable(),
  toHash: z.string().nullable(),
  version: z.number().nullable(),
  reason: z.string(),
  detail: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});

export const AuditVerdictView = z.union([
  z.object({ ok: z.literal(true), entries: z.number() }),
  z.object({ ok: z.literal(false), seq: z.number(), problem: z.string() }),
]);

/** Each state change a bot reports against the audit, both ways, and the verdict in words. */
export const BotChangesView = z.object({
  bot: z.string(),
  ok: z.boolean(),
  matched: z.number(),
  missing: z.array(z.string()),
  repeated: z.array(z.string()),
  unreported: z.array(z.string()),
  older: z.number(),
  text: z.string(),
});

/** A study set's provenance re-run: what matched and, in words, exactly what did not. */
export const ProvenanceVerdict = z.object({
  ok: z.boolean(),
  hash: z.string(),
  studyId: z.string(),
  trial: z.number(),
  dataFingerprint: z.object({ recorded: z.string(), now: z.string() }),
  engineVersion: z.object({ recorded: z.string(), now: z.string() }),
  metrics: z.array(
    z.object({
      name: z.string(),
      recorded: z.number(),
      reproduced: z.number().nullable(),
      difference: z.number().nullable(),
      matches: z.boolean(),
    }),
  ),
  differences: z.array(z.string()),
});

const BotRef = z.strictObject({ bot: botUrl });

/** The alarm webhook as the renderer sees it: its address and whether a signing secret is set, never the secret. */
export const LiveWebhookView = z.object({
  url: z.string().nullable(),
  secretSet: z.boolean(),
  /** What is sent: the alarms that leave the app (halts, drift, unapproved versions) and approvals. */
  kinds: z.array(z.enum([...LIVE_ALARM_KINDS, ...APPROVAL_EVENT_KINDS])),
  lastDelivery: z
    .object({
      at: z.number(),
      /** The alarm posted, or 'test' for "send a test". */
      kind: z.enum([...LIVE_ALARM_KINDS, ...APPROVAL_EVENT_KINDS, 'test']),
      bot: z.string(),
      status: z.number().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
});

/**
 * A bot's regime-driven updates (issue 13 item 10): off by default; on, each bar the bot reports goes
 * through the detector and a regime change (of the axis watched) asks the learner for a set, which the
 * bot's auto-approval policy judges like any recommendation.
 */
export const RegimeUpdateSettings = z.strictObject({
  enabled: z.boolean(),
  detector: z.enum(DETECTOR_NAMES, { error: `must be one of ${DETECTOR_NAMES.join(', ')}` }).default('rules'),
  axis: z
    .enum(REGIME_UPDATE_AXES, { error: `must be one of ${REGIME_UPDATE_AXES.join(', ')}` })
    .default('both'),
  /** The learner's confidence a switch must clear (below it the bot keeps its set). */
  threshold: z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0.5),
  /** After a change, no other for this long (bar time). */
  minDwellHours: z
    .number()
    .min(0, 'must be >= 0 hours')
    .max(24 * 365, 'must be at most a year')
    .default(24),
  /** The daily check: at the first bar at or after this time of day ("HH:MM", 24 h) in `timeZone`. */
  dailyAt: z
    .string()
    .refine((text) => minuteOfTimeOfDay(text) !== undefined, 'must be a time of day HH:MM (24 h), e.g. 09:00')
    .default('09:00'),
  /** The market's zone (IANA): the exchange's by default, so 09:00 is before the New York open. */
  timeZone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone, e.g. America/New_York')
    .default(EXCHANGE_ZONE),
  /** Daily checks on the exchange's trading days only (none on weekends or exchange holidays). */
  tradingDaysOnly: z.boolean().default(true),
});

export const RegimeUpdatesView = z.object({
  bot: z.string(),
  settings: RegimeUpdateSettings,
  /** What the last check did (null: none since the server started or the settings changed). */
  last: z
    .object({
      at: z.number(),
      /** Null when it failed before any check (no set to start from, the bot unreachable). */
      trigger: z.enum(['regime-change', 'daily']).nullable(),
      regime: z.string().nullable(),
      action: z.enum(['keep', 'proposed', 'pushed', 'failed']),
      detail: z.string(),
    })
    .nullable(),
  /** The last regime change of the live bars that called for a check (null: none seen yet). */
  lastRegimeChange: z.object({ at: z.number(), from: z.string().nullable(), regime: z.string() }).nullable(),
  /** The last set proposed, and what became of it (pushed, or waiting for a person and why). */
  lastProposal: z
    .object({
      at: z.number(),
      approvalId: z.string(),
      action: z.enum(['proposed', 'pushed']),
      detail: z.string(),
    })
    .nullable(),
});

export const liveContract = {
  requests: {
    'live:bots': { input: z.strictObject({}), output: LiveBotsResult, refused: 'Bots not listed' },
    'live:bot-add': {
      input: z.strictObject({
        name: z.string().trim().min(1).max(80),
        url: botUrl,
        autoPause: z.boolean().default(false),
      }),
      output: LiveBotEntry,
      refused: 'Bot not added',
    },
    'live:bot-remove': {
      input: BotRef,
      output: z.object({ url: z.string(), removed: z.boolean() }),
      refused: 'Bot not removed',
    },
    /** A fresh look at one bot (status, version check, reconciliation, alarms). */
    'live:bot': { input: BotRef, output: LiveBotView, refused: 'Bot not read' },
    'live:propose': {
      input: LiveProposeRequest,
      output: LiveProposal,
      refused: 'Parameter change not proposed',
    },
    'live:proposals': {
      input: z.strictObject({ bot: botUrl.optional() }),
      output: z.array(LiveProposal),
      refused: 'Proposals not listed',
    },
    /** What pushing a proposal would change on its bot now. */
    'live:diff': {
      input: z.strictObject({ approvalId: z.string().min(1).max(128) }),
      output: z.array(ParameterChange),
      refused: 'Parameter change not compared',
    },
    'live:approve': {
      input: LiveApproveRequest,
      output: LiveProposal,
      refused: 'Parameter change not approved',
    },
    'live:push': { input: LivePushRequest, output: LivePushResult, refused: 'Parameters not pushed' },
    'live:rollback': {
      input: z.strictObject({ bot: botUrl, reason, actor }),
      output: LivePushResult,
      refused: 'Parameters not rolled back',
    },
    'live:halt': {
      input: z.strictObject({ bot: botUrl, mode: HaltModeSchema, reason, actor }),
      output: StatusSchema,
      refused: 'Bot not halted',
    },
    'live:resume': {
      input: z.strictObject({ bot: botUrl, reason, actor }),
      output: StatusSchema,
      refused: 'Bot not resumed',
    },
    'live:audit': {
      input: z.strictObject({ bot: botUrl.optional() }),
      output: z.object({ entries: z.array(AuditEntryView), verdict: AuditVerdictView }),
      refused: 'Audit trail not read',
    },
    'live:audit-export': {
      input: z.strictObject({ format: z.enum(['csv', 'json']) }),
      output: z.object({ format: z.enum(['csv', 'json']), fileName: z.string(), text: z.string() }),
      refused: 'Audit trail not exported',
    },
    /** Asks the bot for the state changes it reports and matches each with exactly one audit entry. */
    'live:audit-bot-changes': { input: BotRef, output: BotChangesView, refused: 'Bot changes not audited' },
    'live:policy': { input: BotRef, output: LivePolicyView, refused: 'Update policy not read' },
    /** Re-runs a set's study trial on the data as it is now and compares with what the set recorded. */
    'live:verify-provenance': {
      input: z.strictObject({ set: ParameterSetSchema }),
      output: ProvenanceVerdict,
      refused: 'Provenance not verified',
    },
    /** Records the bot's next policy version; recommendations are judged by it from then on. */
    'live:policy-set': {
      input: z.strictObject({ bot: botUrl, policy: ApprovalPolicySchema, reason, actor }),
      output: LivePolicyView,
      refused: 'Update policy not saved',
    },
    'live:regime-updates': { input: BotRef, output: RegimeUpdatesView, refused: 'Regime updates not read' },
    'live:regime-updates-set': {
      input: z.strictObject({ bot: botUrl, settings: RegimeUpdateSettings }),
      output: RegimeUpdatesView,
      refused: 'Regime updates not saved',
    },
    /** Sets how long a request to a bot waits for its answer (every bot; taken by the next request). */
    'live:bot-timeouts-set': {
      input: BotTimeoutSettings,
      output: BotTimeoutSettings,
      refused: 'Bot timeouts not saved',
    },
    'live:webhook': { input: z.strictObject({}), output: LiveWebhookView, refused: 'Webhook not read' },
    /** Sets (or, with url null, removes) the alarm webhook; the signing secret is kept in the keychain. */
    'live:webhook-set': {
      input: z.strictObject({
        url: z.string().trim().max(500).nullable(),
        secret: z
          .string()
          .min(MIN_BOT_SECRET_LENGTH, `a signing secret needs at least ${MIN_BOT_SECRET_LENGTH} characters`)
          .max(256)
          .optional(),
      }),
      output: LiveWebhookView,
      refused: 'Webhook not saved',
    },
    /** Posts a signed test (type regimen.live.test) to the webhook now; its outcome is the last delivery. */
    'live:webhook-test': {
      input: z.strictObject({}),
      output: LiveWebhookView,
      refused: 'Webhook not tested',
    },
  },
  events: {
    'live:status': LiveBotView,
    'live:alarm': LiveAlarm.extend({ bot: z.string(), name: z.string() }),
    'live:approval': LiveApprovalEvent,
  },
} as const satisfies DomainContract<typeof LIVE_CHANNELS>;

export type LiveBotEntry = z.output<typeof LiveBotEntry>;
export type LiveBotView = z.output<typeof LiveBotView>;
export type LiveBotsResult = z.output<typeof LiveBotsResult>;
export type LiveProposal = z.output<typeof LiveProposal>;
export type LiveExpectationView = z.output<typeof LiveExpectationView>;
export type LiveAlarmView = z.output<typeof LiveAlarm>;
export type LiveWebhookView = z.output<typeof LiveWebhookView>;
export type AuditEntryView = z.output<typeof AuditEntryView>;
export type BotChangesView = z.output<typeof BotChangesView>;
export type LivePolicyView = z.output<typeof LivePolicyView>;
export type ProvenanceVerdict = z.output<typeof ProvenanceVerdict>;
export type RegimeUpdateSettings = z.output<typeof RegimeUpdateSettings>;
export type RegimeUpdatesView = z.output<typeof RegimeUpdatesView>;
export type BotTimeoutSettings = z.output<typeof BotTimeoutSettings>;
