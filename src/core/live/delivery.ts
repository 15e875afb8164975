/**
 * Delivery that cannot double-apply. Every push carries a change id (unique per approved change) and a
 * version that grows by one per bot; the bot keeps a ledger of what it applied. A push it has already
 * applied (same change id, version and hash) is a no-op answered as a duplicate, so a retry after a lost
 * ack is harmless; anything at or below the applied version that is not that same push is refused, so a
 * delayed or reordered push can never take the bot back to an older set (a rollback is a new, higher
 * version carrying the old set).
 */
export interface DeliveredChange {
  readonly changeId: string;
  readonly version: number;
  /** The parameter set's content hash. */
  readonly hash: string;
}

export interface DeliveryLedger {
  /** Highest version applied (0 before the first push). */
  readonly version: number;
  /** The most recent applied changes, newest last (bounded: see LEDGER_HISTORY). */
  readonly applied: readonly DeliveredChange[];
}

/** Applied changes remembered for duplicate detection; an older retry is refused as stale instead. */
export const LEDGER_HISTORY = 256;

export const EMPTY_LEDGER: DeliveryLedger = { version: 0, applied: [] };

export type DeliveryRefusal = 'stale-version' | 'version-conflict' | 'change-id-conflict';

export type DeliveryDecision =
  | { readonly kind: 'apply' }
  | { readonly kind: 'duplicate'; readonly version: number }
  | { readonly kind: 'refused'; readonly reason: DeliveryRefusal; readonly message: string };

export function decideDelivery(ledger: DeliveryLedger, push: DeliveredChange): DeliveryDecision {
  if (!Number.isInteger(push.version) || push.version < 1) {
    return {
      kind: 'refused',
      reason: 'stale-version',
      message: `version must be an integer >= 1, got ${push.version}`,
    };
  }
  const known = ledger.applied.find((c) => c.changeId === push.changeId);
  if (known !== undefined) {
    if (known.version === push.version && known.hash === push.hash)
      return { kind: 'duplicate', version: known.version };
    return {
      kind: 'refused',
      reason: 'change-id-conflict',
      message: `change ${push.changeId} was applied as version ${known.version} with another content`,
    };
  }
  if (push.version === ledger.version) {
    return {
      kind: 'refused',
      reason: 'version-conflict',
      message: `version ${push.version} is already applied by another change`,
    };
  }
  if (push.version < ledger.version) {
    return {
      kind: 'refused',
      reason: 'stale-version',
      message: `version ${push.version} is older than the applied version ${ledger.version}`,
    };
  }
  return { kind: 'apply' };
}

/** The ledger after applying `push` (which decideDelivery accepted). */
export function recordDelivery(ledger: DeliveryLedger, push: DeliveredChange): DeliveryLedger {
  const entry = { changeId: push.changeId, version: push.version, hash: push.hash };
  return { version: push.version, applied: [...ledger.applied, entry].slice(-LEDGER_HISTORY) };
}
