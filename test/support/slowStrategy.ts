/**
 * Test strategies for the distributed tests, registered by importing this module (in the test and, with
 * `--import`, in its workers and their sandboxes, so both compute the same engine hash):
 * `test-slow-sma` is sma-cross that first spends `SLOW_TRIAL_MS` of CPU, so a chunk is still running
 * when a test kills its worker; with fast = RUNAWAY_FAST it never ends (a runaway trial).
 */
import { getStrategy, STRATEGIES, type StrategyDefinition } from '../../src/core/strategy/index.ts';

export const SLOW_TRIAL_MS = 40;
export const RUNAWAY_FAST = 15;

const sma = getStrategy('sma-cross');

export const SLOW_SMA: StrategyDefinition = {
  ...sma,
  name: 'test-slow-sma',
  create: (params) => {
    const until = Date.now() + SLOW_TRIAL_MS;
    while (Date.now() < until || params['fast'] === RUNAWAY_FAST) {
      // Busy on purpose: the sandbox's time limit, not a timer, must stop it.
    }
    return sma.create(params);
  },
};

(STRATEGIES as Record<string, StrategyDefinition>)[SLOW_SMA.name] = SLOW_SMA;
