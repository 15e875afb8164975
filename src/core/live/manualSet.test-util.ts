import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  type ParameterSet,
  type PreTradeLimits,
  type StrategyIdentity,
} from './parameterSet.ts';
import { STRATEGIES } from '../strategy/registry.ts';
import type { LearnerBasis } from './learnerBasis.ts';

/** Limits no test trade reaches: the whole account, half of it lost in a day, 10,000 orders a day. */
export const LOOSE_LIMITS: PreTradeLimits = {
  maxPositionFraction: 1,
  maxDailyLoss: 0.5,
  maxOrdersPerDay: 10_000,
};

/** A trader's manual set of `strategy` at `parameters`, sealed, as the live tests push it. */
export function manualSet(
  strategy: StrategyIdentity,
  parameters: Record<string, number>,
  limits: PreTradeLimits = LOOSE_LIMITS,
): ParameterSet {
  return sealParameterSet({
    schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
    strategy,
    parameters,
    limits,
    provenance: { kind: 'manual', note: 'test', engineVersion: 'test' },
  });
}

/** {@link manualSet} of the built-in sma-cross at `fast`/`slow`. */
export function smaCrossSet(fast: number, slow: number, limits: PreTradeLimits = LOOSE_LIMITS): ParameterSet {
  return manualSet({ name: 'sma-cross', version: STRATEGIES['sma-cross'].version }, { fast, slow }, limits);
}

/** The ledger's learner as a live set records it: its skill not measured. */
export const LEDGER_LEARNER: LearnerBasis = { name: "the ledger's learner", learned: 1_200, skill: null };

/**
 * An sma-cross set at `fast`/`slow` as a learner proposes it, recording `learner` (undefined: a set from
 * before sets recorded their learner).
 */
export function learnerSet(fast: number, slow: number, learner: LearnerBasis | undefined): ParameterSet {
  return sealParameterSet({
    schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
    strategy: { name: 'sma-cross', version: STRATEGIES['sma-cross'].version },
    parameters: { fast, slow },
    limits: LOOSE_LIMITS,
    provenance: {
      kind: 'learner',
      modelVersion: 'sma-cross learner v3',
      regime: 'up/low',
      confidence: 0.62,
      engineVersion: 'test',
      expected: { score: 0.4 },
      ...(learner === undefined ? {} : { learner }),
    },
  });
}
