import { TIMEFRAMES, type Bars, type Timeframe } from '../../core/data/bars.ts';
import type { BarValues } from '../../core/data/validate.ts';
import type { PositionPolicy } from '../../core/live/modes.ts';
import { learnerBasisText } from '../../core/live/learnerBasis.ts';
import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  type ParameterSet,
  type PreTradeLimits,
} from '../../core/live/parameterSet.ts';
import type { RegimeUpdatePolicy, UpdateTrigger } from '../../core/live/regimeUpdates.ts';
import type { ParameterLearner } from '../../core/ml/learner/parameterLearner.ts';
import {
  learnerName,
  recommend,
  type Recommendation,
  type RecommendOptions,
} from '../../core/ml/learner/recommend.ts';
import type { ReferenceSet } from '../../core/ml/learner/standing.ts';
import { RuleDetector } from '../../core/regime/rules.ts';
import { findStrategy } from '../../core/strategy-api/ref.ts';
import { STRATEGIES } from '../../core/strategy/registry.ts';
import { ENGINE_VERSION } from '../services/live/studyProposal.ts';
import { recommend as recordRecommendation } from './autoApproval.ts';
import { push, type LiveDesk } from './liveDesk.ts';

/** A learner as a check asks it, and the model version its sets record it by. */
export interface CheckedLearner {
  readonly learner: ParameterLearner;
  readonly modelVersion: string;
}

/**
 * Regime-driven updates on the workstation: each live bar goes through the policy; when it calls for a
 * check, the learner recommends a set for the bars so far, and a switch whose confidence clears the
 * threshold is proposed (with its regime, model version and confidence in the audit trail) and judged
 * by the bot's auto-approval policy: approved by it, it is pushed at once and the time from the bar
 * that triggered the check to the bot's ack is measured; otherwise it waits for a person with the
 * checks it failed in its record, as any other proposal.
 */
export interface RegimeUpdaterOptions {
  readonly desk: LiveDesk;
  readonly bot: string;
  readonly policy: RegimeUpdatePolicy;
  /**
   * The learner a check asks, read when a check is due (never per bar): the ledger's keeps learning
   * while a bot runs for days, so each check asks the version there is then, as the Learner view does.
   */
  readonly learner: () => CheckedLearner | Promise<CheckedLearner>;
  /** The recommendation's settings; its threshold is the confidence a switch must clear. */
  readonly recommend: RecommendOptions;
  /**
   * The ledger's scored sets the candidates stand among, read when a check is due (never per bar):
   * what the ledger holds then, as the Learner view's answer at that moment reads. Left out, a check
   * reads `recommend.population`.
   */
  readonly population?: () => Promise<readonly ReferenceSet[]>;
  readonly limits: PreTradeLimits;
  readonly positionPolicy?: PositionPolicy;
  /** Wall clock (ms), for the latency measured. */
  readonly clock?: () => number;
  /**
   * Live bars a recommendation sees (default: four times the market detector's warm-up plus four
   * learner windows): older ones are dropped, so memory does not grow for the bot's life.
   */
  readonly keepBars?: number;
}

export type UpdateOutcome =
  | { readonly trigger: UpdateTrigger; readonly action: 'keep'; readonly reason: string }
  | {
      readonly trigger: UpdateTrigger;
      readonly action: 'proposed';
      readonly approvalId: string;
      readonly reason: string;
    }
  | {
      readonly trigger: UpdateTrigger;
      readonly action: 'pushed';
      readonly approvalId: string;
      readonly version: number;
      /** From the triggering bar's arrival to the bot's ack (wall clock). */
      readonly latencyMs: number;
    };

export class RegimeUpdater {
  private readonly columns = {
    t: [] as number[],
    o: [] as number[],
    h: [] as number[],
    l: [] as number[],
    c: [] as number[],
    v: [] as number[],
  };
  private active: ParameterSet | null = null;
  /**
   * The sets proposed for a person since the last push, by hash, with their approvals: daily checks
   * keep recommending the same few sets while they wait, and one waiting proposal each says it; a new
   * one each day would bury them.
   */
  private readonly waiting = new Map<string, string>();

  private readonly keepBars: number;

  constructor(private readonly options: RegimeUpdaterOptions) {
    // An unknown strategy is named now, not at the first regime change hours into a session.
    findStrategy(options.recommend.strategy, STRATEGIES);
    const { timeframe, windowBars } = options.recommend;
    const detector = new RuleDetector({
      timeframe: (TIMEFRAMES as readonly string[]).includes(timeframe) ? (timeframe as Timeframe) : '1d',
    });
    this.keepBars = options.keepBars ?? 4 * detector.warmup + 4 * windowBars;
  }

  /** The live bars a recommendation reads now (at most twice keepBars, never fewer than keepBars once seen). */
  window(): Bars {
    const { t, o, h, l, c, v } = this.columns;
    return {
      t: Float64Array.from(t),
      o: Float64Array.from(o),
      h: Float64Array.from(h),
      l: Float64Array.from(l),
      c: Float64Array.from(c),
      v: Float64Array.from(v),
    };
  }

  /**
   * A bar from before the updater started (the bars a bot reported before updates were turned on):
   * the detector and the learner's window see it, and nothing is asked about it.
   */
  warm(bar: BarValues): void {
    this.record(bar);
  }

  /** A closed live bar; resolves to what its check did, or null when it called for none. */
  async onBar(bar: BarValues): Promise<UpdateOutcome | null> {
    const arrived = this.clock();
    const trigger = this.record(bar);
    if (trigger === null) return null;
    const { desk, bot, population } = this.options;
    const asked = await this.options.learner();
    const options =
      population === undefined
        ? this.options.recommend
        : { ...this.options.recommend, population: await population() };
    const recommendation = recommend(asked.learner, this.window(), options);
    if (recommendation.action === 'keep')
      return { trigger, action: 'keep', reason: recommendation.reason ?? 'below the threshold' };
    const set = this.setOf(recommendation, asked);
    if (this.active !== null && this.active.hash === set.hash)
      return { trigger, action: 'keep', reason: 'the bot already runs the recommended set' };
    const waitingApproval = this.waiting.get(set.hash);
    if (waitingApproval !== undefined)
      return {
        trigger,
        action: 'keep',
        reason: `the recommended set already waits for a person (approval ${waitingApproval})`,
      };
    const why =
      `${trigger.kind === 'regime-change' ? `regime ${trigger.from ?? 'none'} -> ${trigger.regime}` : `daily check in ${trigger.regime}`}; ` +
      `model ${asked.modelVersion}, confidence ${recommendation.confidence.toFixed(3)}; ` +
      // Its skill beside its confidence, in the proposal's reason: the audit, the webhook and `live
      // regime-updates show` say on what the switch rests.
      learnerBasisText(set.provenance)!;
    const { proposal, policy } = await recordRecommendation(
      desk,
      bot,
      { set, confidence: recommendation.confidence, source: why },
      'regime-updates',
    );
    if (!policy.approved) {
      const failed = policy.checks.filter((c) => !c.passed).map((c) => c.detail);
      this.waiting.set(set.hash, proposal.approvalId);
      return {
        trigger,
        action: 'proposed',
        approvalId: proposal.approvalId,
        reason: `${why}; waits for a person: ${failed.join('; ')}`,
      };
    }
    const pushed = await push(desk, proposal.approvalId, {
      actor: 'policy',
      policy: this.options.positionPolicy ?? 'keep',
      approversRequired: 1,
      reason: why,
    });
    this.active = set;
    this.waiting.clear();
    this.options.policy.changed(bar.t);
    return {
      trigger,
      action: 'pushed',
      approvalId: proposal.approvalId,
      version: pushed.version,
      latencyMs: this.clock() - arrived,
    };
  }

  private record(bar: BarValues): UpdateTrigger | null {
    const keys = ['t', 'o', 'h', 'l', 'c', 'v'] as const;
    for (const key of keys) this.columns[key].push(bar[key]);
    // Dropped in halves, so the copy is paid once per keepBars bars, not every bar.
    if (this.columns.t.length >= 2 * this.keepBars)
      for (const key of keys) this.columns[key].splice(0, this.columns[key].length - this.keepBars);
    return this.options.policy.onBar(bar);
  }

  private setOf(recommendation: Recommendation, by: CheckedLearner): ParameterSet {
    const asked = this.options.recommend;
    const definition = findStrategy(asked.strategy, STRATEGIES);
    const parameters: Record<string, number> = {};
    for (const [name, value] of Object.entries(recommendation.params)) {
      if (typeof value !== 'number')
        throw new Error(
          `the learner recommended ${name} = ${JSON.stringify(value)}: a live set takes numbers only`,
        );
      parameters[name] = value;
    }
    return sealParameterSet({
      schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
      strategy: { name: definition.name, version: definition.version },
      parameters,
      limits: this.options.limits,
      provenance: {
        kind: 'learner',
        modelVersion: by.modelVersion,
        ...(recommendation.regime === null ? {} : { regime: recommendation.regime }),
        confidence: recommendation.confidence,
        engineVersion: ENGINE_VERSION,
        expected: { score: recommendation.score },
        learner: {
          name: learnerName(asked),
          learned: by.learner.count,
          // The skill the answer was gated on (recommend()), so the set says what the switch rests on.
          skill:
            asked.skill === null
              ? null
              : { mean: asked.skill.mean, t: Number.isFinite(asked.skill.t) ? asked.skill.t : null },
        },
      },
    });
  }

  private clock(): number {
    return (this.options.clock ?? performance.now.bind(performance))();
  }
}
