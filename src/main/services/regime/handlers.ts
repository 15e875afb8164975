import { firstIndexAtOrAfter, type Bars } from '../../../core/data/bars.ts';
import {
  AXIS_LABELS,
  NO_LABEL,
  orderNote,
  REGIME_AXES,
  summariseRegimes,
  type RegimeOutput,
} from '../../../core/regime/index.ts';
import type { DomainHandlers, RegimesResult } from '../../../shared/contract.ts';
import type { REGIME_CHANNELS } from '../../../shared/regimeChannels.ts';
import { datasetFingerprint } from '../../compute/fingerprint.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { Database } from '../../store/database.ts';
import { RegimeRepository, type StoredRegimeLabels } from '../../store/regimeRepository.ts';
import type { JobContext } from '../jobs.ts';
import { cancelAsOutcome } from '../jobs.ts';
import { finiteOrNull } from '../payloads.ts';
import { runRegimeCompare, runRegimeStudy } from './regimeJobs.ts';

export interface RegimeHandlersDeps {
  readonly db: Database;
  readonly bars: BarsRepository;
  readonly pool: ComputePool;
  readonly jobs: JobContext;
  /** The settings' annual risk-free rate in %, for the per-regime scores and the comparison. */
  readonly riskFreePercent?: () => number;
}

/**
 * `regimes:get`: a detector's labels over every stored bar of a symbol and timeframe. They are computed
 * once and stored; a request whose bars no longer have the stored fingerprint (an import, a fetch, a
 * repair changed them) computes them again, since a detector's label at a bar depends on all bars before.
 */
export function createRegimeHandlers(deps: RegimeHandlersDeps): DomainHandlers<typeof REGIME_CHANNELS> {
  const store = new RegimeRepository(deps.db);

  return {
    'regimes:winners': (request) => cancelAsOutcome(runRegimeStudy(request, deps)),
    'regimes:compare': (request) => cancelAsOutcome(runRegimeCompare(request, deps)),
    'regimes:get': async (query) => {
      // The session as backtest:run reads it: absent, derived timeframes keep to regular hours and 1m
      // bars are read as stored.
      const bars = await deps.bars.read(query.symbol, query.timeframe, { session: query.session });
      const datasetId = datasetFingerprint(bars);
      const key = { detector: query.detector, settings: query.settings, session: query.session };
      let labels = await store.current(query.symbol, query.timeframe, key, datasetId);
      const recomputed = labels === undefined;
      if (labels === undefined) {
        // On the pool: the HMM over a year of minutes refits for seconds, and other requests must not wait.
        const computed = await deps.pool.run({
          kind: 'regime-labels',
          bars,
          timeframe: query.timeframe,
          detector: query.detector,
          settings: query.settings ?? {},
        });
        labels = { datasetId, ...computed };
        await store.put(query.symbol, query.timeframe, key, labels);
      }
      const from = query.start === undefined ? 0 : firstIndexAtOrAfter(bars.t, query.start);
      const to = query.end === undefined ? bars.t.length : firstIndexAtOrAfter(bars.t, query.end);
      return {
        symbol: query.symbol,
        timeframe: query.timeframe,
        detector: query.detector,
        settings: query.settings ?? {},
        ...(query.session !== undefined ? { session: query.session } : {}),
        datasetId,
        warmup: labels.warmup,
        recomputed,
        t: Array.from(bars.t.subarray(from, to)),
        axes: axesResult(bars, labels, from, to),
      };
    },
  };
}

function axesResult(bars: Bars, stored: StoredRegimeLabels, from: number, to: number): RegimesResult['axes'] {
  // The summary reads labels only; the probabilities and inputs are not stored, so they stay empty.
  const empty = new Float64Array(0);
  const out = Object.fromEntries(
    REGIME_AXES.map((axis) => [
      axis,
      { label: stored.labels[axis], probability: [empty, empty, empty], inputs: [] },
    ]),
  ) as unknown as RegimeOutput;
  const summaries = summariseRegimes(bars, out);
  return Object.fromEntries(
    summaries.map((summary) => [
      summary.axis,
      {
        names: [...AXIS_LABELS[summary.axis]],
        labels: Array.from(stored.labels[summary.axis].subarray(from, to), (code) =>
          code === NO_LABEL ? null : code,
        ),
        summary: summary.labels.map((row) => ({
          label: row.label,
          share: finiteOrNull(row.share),
          meanReturn: finiteOrNull(row.meanReturn),
          volatility: finiteOrNull(row.volatility),
          typicalDuration: finiteOrNull(row.typicalDuration),
          spells: row.spells,
        })),
        transitions: summary.transitions.map((row) => row.map(finiteOrNull)),
        orderNote: orderNote(summary),
      },
    ]),
  ) as RegimesResult['axes'];
}
