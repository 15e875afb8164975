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
