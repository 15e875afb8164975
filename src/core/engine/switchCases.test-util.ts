import { defaultParams } from '../strategy-api/params.ts';
import { STRATEGIES } from '../strategy/registry.ts';

/**
 * A parameter change for each kind of strategy, shared by the engine's reparameterize tests and the live
 * runner's, which must give the engine's answer: sma-cross enters on every cross whatever it holds,
 * confluence only when flat, so the two exercise both ways a switch takes over.
 */
export const SWITCH_CASES = [
  ['sma-cross', { fast: 10, slow: 30 }, { fast: 4, slow: 12 }],
  [
    'confluence',
    defaultParams(STRATEGIES.confluence),
    { ...defaultParams(STRATEGIES.confluence), fast_ma_period: 6, slow_ma_period: 18 },
  ],
] as const;
