/** The halt modes and position policies as data (zod-free), for the renderer's forms. */
export { HALT_MODES, POSITION_POLICIES, type HaltMode, type PositionPolicy } from '../core/live/modes.ts';
/** The regime-update settings' choices, for the Live view's form. */
export { REGIME_UPDATE_AXES } from '../core/live/regimeUpdates.ts';
export { DETECTOR_NAMES } from '../core/regime/detector.ts';
