/**
 * Most pins a compare set holds: beyond this many overlaid curves and table columns a chart stops being
 * readable (and every list re-runs each pin).
 */
export const MAX_PINS = 8;
