/** The halt modes and position policies as data (zod-free), for the renderer's forms. */
export { HALT_MODES, POSITION_POLICIES, type HaltMode, type PositionPolicy } from '../core/live/modes.ts';
