import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { version } from '../../../../package.json';
import type { Timeframe } from '../../../core/data/bars.ts';
import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  type ParameterSet,
  type PreTradeLimits,
  type StrategyIdentity,
} from '../../../core/live/parameterSet.ts';
import type { SearchDimension } from '../../../core/optimize/space.ts';
import type { TrialRecord } from '../../../core/optimize/study.ts';
import { STRATEGIES } from '../../../core/strategy/registry.ts';
import { InputError } from '../../../shared/errors.ts';
import { combinedFingerprint, datasetFingerprint } from '../../compute/fingerprint.ts';
import { userStrategySource } from '../../compute/userStrategies.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { StoredStudy, StudyDefinition, StudyRecords } from '../optimize/studyRecords.ts';
import { studySymbols } from '../optimize/studySetup.ts';

/** What the engine is: a recorded metric is reproduced by the same engine on the same data. */
export const ENGINE_VERSION = `regimen ${version}`;

export const DEFAULT_LIMITS: PreTradeLimits = {
  maxPositionFraction: 1,
  maxDailyLoss: 0.05,
  maxOrdersPerDay: 50,
};

/** Trials next to the chosen one in parameter space whose metrics give its spread. */
const NEIGHBOURS = 8;

/**
 * The parameter set a study trial becomes, with its provenance: study and trial, the trial's seed, a
 * fingerprint of the bars the study ran on, the engine version, the trial's metrics (what the live bot
 * is held to) and their spread over the trial and its nearest complete neighbours in the search space
 * (how far those figures move for a nearby set, so one lucky trial does not set a narrow expectation).
 */
export async function proposalFromTrial(
  records: StudyRecords,
  bars: BarsRepository,
  studyId: string,
  trialNumber: number,
  limits: PreTradeLimits = DEFAULT_LIMITS,
): Promise<ParameterSet> {
  // A person clicked Propose and waits: the study's row and trials (one short read each) go ahead of
  // the Optimize view's queued bar reads, as an approval does. The bars' fingerprint below, read only
  // for a study saved without one, is a long bar read and keeps its turn.
  const [study, trials] = await records.promptly(
    async () => [await records.get(studyId), await records.loadTrials(studyId)] as const,
  );
  const trial = trials.find((t) => t.number === trialNumber);
  if (trial === undefined || trial.status !== 'complete')
    throw new InputError(`study ${studyId} has no complete trial ${trialNumber}`, 'trialNumber');
  const strategy = studyStrategy(study);
  const parameters: Record<string, number> = {};
  for (const [name, value] of Object.entries(trial.params)) {
    if (typeof value !== 'number')
      throw new InputError(
        `trial ${trialNumber}'s parameter ${name} is ${JSON.stringify(value)}: a live set takes numbers only`,
        'trialNumber',
      );
    parameters[name] = value;
  }
  const expected = finiteMetrics(trial.metrics);
  try {
    return sealParameterSet({
      schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
      strategy,
      parameters,
      limits,
      provenance: {
        kind: 'study',
        studyId,
        trial: trialNumber,
        seed: trial.seed,
        dataFingerprint: study.data.dataFingerprint ?? (await studyFingerprint(study.data.definition, bars)),
        engineVersion: ENGINE_VERSION,
        expected,
        spread: metricSpread(trial, trials, study.config.space.params, Object.keys(expected)),
      },
    });
  } catch (error) {
    throw new InputError((error as Error).message, 'limits');
  }
}

/**
 * The strategy a study's set runs: a built-in by this build's version; the trader's own by the version
 * the study ran and the hash of that file's source (a bot must hold the same file to take the set).
 */
export function studyStrategy(study: StoredStudy): StrategyIdentity {
  const { name, version } = study.data.definition.strategy;
  const builtIn = STRATEGIES[name as keyof typeof STRATEGIES];
  if (builtIn !== undefined) return { name, version: builtIn.version };
  const source = userStrategySource(name, version);
  if (source === undefined) {
    const now = userStrategySource(name);
    throw new InputError(
      `study ${study.id} ran strategy ${name} version ${version}, whose file is not loaded ` +
        (now === undefined
          ? `(no strategy ${name} in the data folder's strategies folder)`
          : `(${now.file} holds another version now: put the file back as it was, or run a study on it)`),
      'studyId',
    );
  }
  return { name, version, sourceHash: source.hash };
}

function finiteMetrics(metrics: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(metrics ?? {})) if (Number.isFinite(value)) out[name] = value;
  return out;
}

/**
 * SHA-256 of the bars the study read: every symbol at every timeframe, symbols outermost as its slices
 * are (or of its CSV files). One symbol's is what it always was; a second symbol's bars count too, so a
 * change to them is a change of the data the trial's figures came from.
 */
export async function studyFingerprint(
  definition: Pick<StudyDefinition, 'source' | 'timeframes' | 'start' | 'end' | 'session'>,
  bars: BarsRepository,
): Promise<string> {
  const source = definition.source;
  if (source.kind === 'file') {
    const paths = source.files?.map((file) => file.path) ?? [source.path];
    const digests = paths.map((path) => {
      try {
        return createHash('sha256').update(readFileSync(path)).digest('hex');
      } catch (error) {
        throw new InputError(`the study's file ${path} cannot be read: ${(error as Error).message}`);
      }
    });
    return digests.length === 1 ? digests[0]! : combinedFingerprint(digests);
  }
  // Read as the study read them (loadStudyDatasets), session included.
  const range = {
    start: definition.start ?? undefined,
    end: definition.end ?? undefined,
    ...(definition.session === undefined ? {} : { session: definition.session }),
  };
  const parts: string[] = [];
  for (const symbol of studySymbols(source))
    for (const timeframe of definition.timeframes)
      parts.push(datasetFingerprint(await bars.read(symbol, timeframe as Timeframe, range)));
  return combinedFingerprint(parts);
}

/** Sample standard deviation of each metric over the trial and its nearest complete neighbours. */
function metricSpread(
  trial: TrialRecord,
  trials: readonly TrialRecord[],
  space: readonly SearchDimension[],
  metrics: readonly string[],
): Record<string, number> {
  const numeric = space.filter((d) => d.kind !== 'categorical');
  const distance = (other: TrialRecord): number => {
    let sum = 0;
    for (const d of numeric) {
      const range = d.high - d.low || 1;
      sum += ((Number(other.params[d.name]) - Number(trial.params[d.name])) / range) ** 2;
    }
    return sum;
  };
  const near = trials
    .filter((t) => t.status === 'complete' && t.metrics !== undefined)
    .map((t) => ({ t, d: distance(t) }))
    .sort((a, b) => a.d - b.d || a.t.number - b.t.number)
    .slice(0, NEIGHBOURS + 1)
    .map(({ t }) => t);
  const spread: Record<string, number> = {};
  for (const name of metrics) {
    const values = near.map((t) => t.metrics?.[name]).filter((v): v is number => Number.isFinite(v));
    if (values.length < 2) continue;
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    spread[name] = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  }
  return spread;
}
