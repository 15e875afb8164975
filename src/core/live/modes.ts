/** How a bot stops trading on a halt (also its own policy when the workstation's heartbeats stop). */
export const HALT_MODES = ['no-new-entries', 'reduce-only', 'flatten'] as const;
export type HaltMode = (typeof HALT_MODES)[number];

/**
 * What happens to a position open when a new set takes over.
 * - keep: it keeps its entry version's exits (the old set decides its exit, protective exits stay);
 *   the new set enters once flat.
 * - adopt: the new set decides from the switch on (the engine's reparameterize).
 * - flatten: closed at the switch bar's open, then the new set trades.
 * - no-new-entries-until-flat: the new set decides exits but enters only once flat.
 */
export const POSITION_POLICIES = ['keep', 'adopt', 'flatten', 'no-new-entries-until-flat'] as const;
export type PositionPolicy = (typeof POSITION_POLICIES)[number];

/** What a bot does when a new set takes over: the reference bot, its shadow and a kit-built bot alike. */
export interface SwitchActions {
  /** The old set keeps deciding the held position's exit (exits only); the new set starts afresh. */
  readonly windDown: boolean;
  /** The orders the old set left waiting for the next open go with it, flat or not. */
  readonly cancelWaiting: boolean;
  /** The held position is closed at the next open. */
  readonly close: boolean;
  /** The new set decides exits but enters only once flat. */
  readonly waitForFlat: boolean;
}

export function switchActions(policy: PositionPolicy, held: boolean): SwitchActions {
  return {
    windDown: policy === 'keep' && held,
    cancelWaiting: policy === 'flatten',
    close: policy === 'flatten' && held,
    waitForFlat: policy === 'no-new-entries-until-flat' && held,
  };
}

/**
 * The policy a switch from `leaving` to `arriving` runs under. Versions only rise by push, so a return
 * to an older one is a guardrail rollback, which takes the leaving push's policy: its position is the
 * one to keep, flatten or wait on, not the one the old version was first pushed over.
 */
export function switchPolicy(
  arriving: { readonly version: number; readonly policy: PositionPolicy },
  leaving: { readonly version: number; readonly policy: PositionPolicy } | null,
): PositionPolicy {
  return leaving !== null && arriving.version < leaving.version ? leaving.policy : arriving.policy;
}

/**
 * What a bot changes on its own and reports so the workstation audits each exactly once: a ramp step,
 * the ramp's completion, a guardrail's rollback, and a halt of its own (no heartbeat).
 */
export const BOT_STATE_CHANGE_KINDS = ['ramp-step', 'ramp-complete', 'rollback', 'halt'] as const;
export type BotStateChangeKind = (typeof BOT_STATE_CHANGE_KINDS)[number];

/** A state change the bot made on its own (not a push and not a person's halt). */
export interface BotStateChange {
  /** 1, 2, ... for the life of the bot's state: which changes a bounded list no longer holds. */
  readonly seq: number;
  /**
   * Stable across restarts of either side: the change id of the set concerned, the kind, and the step
   * (or the halt's time). What the workstation keys its audit entry on.
   */
  readonly id: string;
  readonly kind: BotStateChangeKind;
  /** The bar's time for a ramp change, the clock's for a halt. */
  readonly at: number;
  readonly version: number;
  readonly changeId: string;
  readonly step?: number;
  readonly budget?: number;
  readonly reason: string;
}
