import { sha256Hex } from '../math/sha256.ts';
import { canonicalJson } from './canonical.ts';
import type { LearnerBasis } from './learnerBasis.ts';

/**
 * The parameter-set artifact: what an approval approves and a push delivers. Parameters are data, never
 * code (the bot resolves the strategy by name and version from its own build, the trader's own one from
 * its strategies folder, by the source hash the set records too), and the artifact is
 * content-addressed: `hash` is SHA-256 over the canonical JSON of everything else, so export, import and
 * re-hash give the same hash, and a bot can prove which set it runs.
 */
export const PARAMETER_SET_SCHEMA_VERSION = 1;

/** Pre-trade limits the bot enforces whatever the strategy asks for. */
export interface PreTradeLimits {
  /** Largest position, as a fraction of equity (0, 1]. */
  readonly maxPositionFraction: number;
  /** Halt new entries for the day after this fractional loss from the day's opening equity. */
  readonly maxDailyLoss: number;
  /** Orders per UTC day; past it only orders that reduce the position pass (and still count). */
  readonly maxOrdersPerDay: number;
}

export type Provenance =
  | {
      readonly kind: 'study';
      readonly studyId: string;
      readonly trial: number;
      readonly seed: number;
      readonly dataFingerprint: string;
      readonly engineVersion: string;
      /** The backtest's metrics for this set (what the live bot is watched against). */
      readonly expected: Readonly<Record<string, number>>;
      /** Their spread (e.g. across walk-forward windows), same keys where known. */
      readonly spread?: Readonly<Record<string, number>>;
    }
  | {
      readonly kind: 'learner';
      readonly modelVersion: string;
      readonly regime?: string;
      readonly confidence: number;
      readonly engineVersion: string;
      readonly expected: Readonly<Record<string, number>>;
      /**
       * The learner that answered and the skill its answer was gated on, inside the hash so an approver
       * approves them with the set. Absent on sets recorded before sets carried it: read as unknown.
       */
      readonly learner?: LearnerBasis;
    }
  | { readonly kind: 'manual'; readonly note: string; readonly engineVersion: string };

/**
 * A strategy as a set names it and a bot declares it runs it: a user strategy also by its source's
 * SHA-256, since the trader's file is not part of the build that the version names.
 */
export interface StrategyIdentity {
  readonly name: string;
  readonly version: string;
  readonly sourceHash?: string;
}

export interface ParameterSetBody {
  readonly schemaVersion: number;
  readonly strategy: StrategyIdentity;
  readonly parameters: Readonly<Record<string, number>>;
  readonly limits: PreTradeLimits;
  readonly provenance: Provenance;
}

export interface ParameterSet extends ParameterSetBody {
  /** Hex SHA-256 of canonicalJson(body). */
  readonly hash: string;
}

export function hashParameterSet(body: ParameterSetBody): string {
  const { schemaVersion, strategy, parameters, limits, provenance } = body;
  return sha256Hex(canonicalJson({ schemaVersion, strategy, parameters, limits, provenance }));
}

/** Checks the limits and seals a body into an artifact with its hash. */
export function sealParameterSet(body: ParameterSetBody): ParameterSet {
  const problems = limitProblems(body.limits);
  if (problems.length > 0) throw new RangeError(`parameter set limits: ${problems.join('; ')}`);
  for (const [name, value] of Object.entries(body.parameters)) {
    if (!Number.isFinite(value)) throw new RangeError(`parameter set: parameters.${name} is ${value}`);
  }
  return { ...body, hash: hashParameterSet(body) };
}

/** True when the artifact's hash is the hash of its content (nothing was edited after sealing). */
export function verifyParameterSet(set: ParameterSet): boolean {
  return hashParameterSet(set) === set.hash;
}

function limitProblems(limits: PreTradeLimits): string[] {
  const problems: string[] = [];
  if (!(limits.maxPositionFraction > 0 && limits.maxPositionFraction <= 1))
    problems.push(`maxPositionFraction must be in (0, 1], got ${limits.maxPositionFraction}`);
  if (!(limits.maxDailyLoss > 0 && limits.maxDailyLoss < 1))
    problems.push(`maxDailyLoss must be in (0, 1), got ${limits.maxDailyLoss}`);
  if (!(Number.isInteger(limits.maxOrdersPerDay) && limits.maxOrdersPerDay >= 1))
    problems.push(`maxOrdersPerDay must be a positive integer, got ${limits.maxOrdersPerDay}`);
  return problems;
}

export interface ParameterChange {
  readonly name: string;
  readonly from: number | undefined;
  readonly to: number | undefined;
}

/** What approving `next` over `current` changes, parameter by parameter (shown before approval). */
export function diffParameterSets(
  current: ParameterSetBody | undefined,
  next: ParameterSetBody,
): ParameterChange[] {
  const names = new Set([...Object.keys(current?.parameters ?? {}), ...Object.keys(next.parameters)]);
  const changes: ParameterChange[] = [];
  for (const name of [...names].sort()) {
    const from = current?.parameters[name];
    const to = next.parameters[name];
    if (from !== to) changes.push({ name, from, to });
  }
  return changes;
}

/** `definition` as a set names it and a bot's status lists it. */
export function strategyIdentity(definition: StrategyIdentity): StrategyIdentity {
  const { name, version, sourceHash } = definition;
  return sourceHash === undefined ? { name, version } : { name, version, sourceHash };
}

/**
 * The trader's own strategy as the workstation loads it from its file's text `source`: the declared
 * version suffixed with the first 8 digits of the text's SHA-256, the whole hash its sourceHash. A
 * bot of the kit that imports the file itself declares it so, and takes the sets approved on it.
 */
export function ownStrategy<T extends StrategyIdentity>(definition: T, source: string): T {
  const sourceHash = sha256Hex(source);
  return { ...definition, version: `${definition.version}+${sourceHash.slice(0, 8)}`, sourceHash };
}
