import { useMemo, type ReactNode } from 'react';
import { formatProbability } from '../../../core/metrics/definitions.ts';
import type { OverfittingStats, StudyDetail, StudyHoldout, TrialRow } from '../../../shared/contract.ts';
import { sliceFigures } from '../../store/studySlices.ts';
import { formatMeasure, measureLabel } from '../../charts/optimizeCharts.ts';
import { formatInteger, formatNumber, formatParamValue, formatSignedPercent } from '../../format.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { useTimeFormat } from '../../timeFormat.ts';
import { bestTrialNumber, isApprovedTrial } from '../../store/optimizeStore.ts';
import { studyMeasures } from '../../store/studyMeasures.ts';
import { formatMetric, metricLabel, metricTone } from '../../metricFormat.ts';
import { ApproveButton } from './ApproveButton.tsx';
import { NeighbourhoodSection } from './NeighbourhoodSection.tsx';
import { overfittingVerdict } from './verdict.ts';
import { holdoutCoverageText } from '../../../shared/holdoutText.ts';
import { wipedOutTrialsText } from '../../../shared/wipedOutText.ts';
import { studyWarmUpText } from '../../../shared/warmupText.ts';
import { WinnersTable } from '../regime/WinnersTable.tsx';

type Tone = 'up' | 'down' | '';

/** Good news, bad news or neither, by where the value falls; no value is neither. */
function toneOf(
  value: number | null | undefined,
  isGood: (v: number) => boolean,
  isBad: (v: number) => boolean,
): Tone {
  if (value === null || value === undefined) return '';
  return isGood(value) ? 'up' : isBad(value) ? 'down' : '';
}

function Stat({
  testId,
  label,
  value,
  tone,
  children,
}: {
  testId: string;
  label: string;
  value: string;
  tone: Tone;
  children: ReactNode;
}) {
  return (
    <div className="opt-stat" data-testid={testId}>
      <div className="opt-stat-head">
        <span className="opt-stat-label">{label}</span>
        <span className={`opt-stat-value ${tone}`} data-testid={`${testId}-value`}>
          {value}
        </span>
      </div>
      <div className="opt-stat-help">{children}</div>
    </div>
  );
}

function OverfittingSection({ stats, metric }: { stats: OverfittingStats; metric: string }) {
  const dsr = stats.deflatedSharpe;
  const pbo = stats.pbo;
  const sensitivity = stats.sensitivity;
  const plateau = stats.plateau;
  const worstParam = sensitivity?.perParam.reduce<(typeof sensitivity.perParam)[number] | null>(
    (worst, p) => (p.worstDrop !== null && (worst?.worstDrop ?? -Infinity) < p.worstDrop ? p : worst),
    null,
  );
  const verdict = overfittingVerdict(stats);
  return (
    <div className="opt-stats" data-testid="opt-overfitting">
      <div className={`opt-verdict ${verdict.level}`} data-testid="opt-verdict" data-level={verdict.level}>
        <div className="opt-verdict-headline">{verdict.headline}</div>
        {verdict.caveat ? (
          <div className="opt-verdict-caveat" data-testid="opt-verdict-caveat">
            {verdict.caveat}
          </div>
        ) : null}
      </div>
      <Stat
        testId="opt-stat-dsr"
        label="Deflated Sharpe"
        value={formatProbability(dsr.deflatedSharpe)}
        tone={toneOf(
          dsr.deflatedSharpe,
          (v) => v >= 0.95,
          (v) => v < 0.5,
        )}
      >
        Chance the winner&apos;s Sharpe ({formatNumber(dsr.sharpe, 2)}) beats the best of{' '}
        {formatInteger(dsr.trials)} lucky trials; above 95% is convincing.
      </Stat>
      <Stat
        testId="opt-stat-pbo"
        label="PBO"
        value={formatProbability(pbo?.pbo)}
        tone={toneOf(
          pbo?.pbo,
          (v) => v <= 0.2,
          (v) => v >= 0.5,
        )}
      >
        Probability of backtest overfitting: how often the in-sample best lands below the median out of sample
        {pbo
          ? ` (${formatInteger(pbo.combinations)} CSCV splits of ${formatInteger(pbo.trialsUsed)} trials; loss out of sample ${formatProbability(pbo.probabilityOfLoss, 0)})`
          : ''}
        ; above 50% means the pick is noise.
      </Stat>
      <Stat
        testId="opt-stat-sensitivity"
        label="Sensitivity"
        value={
          sensitivity
            ? sensitivity.relativeWorstDrop !== null
              ? formatSignedPercent(-sensitivity.relativeWorstDrop, 1)
              : formatMetric(metric, sensitivity.worstDrop)
            : 'n/a'
        }
        tone={toneOf(
          sensitivity?.relativeWorstDrop,
          (v) => v <= 0.2,
          (v) => v >= 0.5,
        )}
      >
        Worst fall of the objective one step away from the winner
        {worstParam ? ` (along ${worstParam.name})` : ''}; small means a robust optimum
        {sensitivity && sensitivity.missing > 0 ? `, ${sensitivity.missing} neighbours not evaluated` : ''}.
      </Stat>
      <Stat
        testId="opt-stat-plateau"
        label="Plateau"
        value={plateau ? (plateau.fellBackToPeak ? `#${plateau.peak} (peak)` : `#${plateau.centre}`) : 'n/a'}
        tone=""
      >
        {plateau
          ? plateau.fellBackToPeak
            ? `No stable plateau around the peak #${plateau.peak}: it stands alone.`
            : `Centre of the most stable region (${plateau.neighbours} neighbours, smoothed ${formatNumber(plateau.smoothed, 3)}) vs raw peak #${plateau.peak}; prefer the centre.`
          : 'The centre of a stable region of good trials, preferred to an isolated peak.'}
      </Stat>
      {stats.notes.length > 0 ? (
        <ul className="opt-notes">
          {stats.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The winner, how far to trust it (overfitting statistics), and the approved parameter set. */
export function ResultsPanel() {
  const study = useOptimize((s) => s.study);
  const trials = useOptimize((s) => s.trials);
  const bestNumber = useOptimize(bestTrialNumber);
  const inspect = useOptimize((s) => s.inspect);
  const time = useTimeFormat();
  const detail = study?.detail ?? null;
  const measures = useMemo(() => (detail ? studyMeasures(detail.summary) : []), [detail]);

  const best = useMemo(
    () =>
      bestNumber === null ? null : (trials.find((t) => t.number === bestNumber) ?? detail?.best ?? null),
    [trials, bestNumber, detail],
  );
  const approved = detail?.approved ?? null;
  // The approval keeps the parameters; the trial they came from is the one that has them.
  const approvedTrial = approved ? (trials.find((t) => isApprovedTrial(detail, t)) ?? null) : null;
  // Said beside the winner: the trials that cannot win because they lost the whole account.
  const wipedOut = useMemo(() => trials.filter((t) => t.wipedOut).length, [trials]);
  const multi = (detail?.summary.objectives.length ?? 0) > 1;
  const firstMetric = detail?.summary.objectives[0]?.metric ?? '';
  // Figures shown beside the objectives so the winner reads at a glance, filling the two-column grid.
  const contextMetrics = useMemo(() => {
    const shown = new Set(detail?.summary.objectives.map((o) => o.metric) ?? []);
    const extra = ['numTrades', 'totalReturn', 'maxDrawdown', 'sharpeRatio'].filter((k) => !shown.has(k));
    return extra.slice(0, Math.min(measures.length, 4) % 2 === 0 ? 2 : 3);
  }, [detail, measures]);

  return (
    <section className="panel opt-results" data-testid="opt-results">
      <div className="panel-title">
        Best parameters
        {best ? <span className="panel-sub">trial #{best.number}</span> : null}
      </div>
      {!best ? (
        <div className="empty">{study ? 'No feasible trial yet.' : 'No study open.'}</div>
      ) : (
        <div className="opt-best" data-testid="opt-best" data-trial={best.number}>
          <div className="headline opt-best-headline">
            {measures.slice(0, 4).map((m) => (
              <div key={m.key} className="headline-cell">
                <div className="headline-label">{measureLabel(m)}</div>
                <div className="headline-value" data-testid={`opt-best-${m.key}`}>
                  {formatMeasure(m, m.value(best))}
                </div>
              </div>
            ))}
            {contextMetrics.map((key) => (
              <div key={key} className="headline-cell">
                <div className="headline-label">{metricLabel(key)}</div>
                <div className={`headline-value ${metricTone(key, best.metrics[key])}`}>
                  {formatMetric(key, best.metrics[key])}
                </div>
              </div>
            ))}
          </div>
          {detail && detail.config.slices.length > 0 ? <SliceTable detail={detail} best={best} /> : null}
          {detail ? (
            // Where the trials warmed up, as the CLI's report and a backtest's own line say it.
            <p className="hint" data-testid="opt-warm-up">
              Warm-up: {studyWarmUpText(detail.warmUp)}.
            </p>
          ) : null}
          <table className="kv-table" data-testid="opt-best-params">
            <tbody>
              {Object.entries(best.params).map(([name, value]) => (
                <tr key={name}>
                  <th>{name}</th>
                  <td data-testid={`opt-best-param-${name}`}>{formatParamValue(value, 4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="run-row opt-best-actions">
            <button
              type="button"
              className="ghost-button small"
              data-testid="opt-inspect-best"
              onClick={() => void inspect(best.number)}
            >
              Inspect backtest
            </button>
            <ApproveButton trialNumber={best.number} testId="opt-approve-best" />
          </div>
        </div>
      )}
      {wipedOut > 0 ? (
        <p className="hint opt-wiped-out" data-testid="opt-results-wiped-out" data-count={wipedOut}>
          {wipedOutTrialsText(wipedOut)}: none of them can win.
        </p>
      ) : null}

      {detail?.holdout ? (
        <HoldoutSection holdout={detail.holdout} from={time.date(detail.holdout.from)} />
      ) : null}

      <div className="panel-title opt-subtitle">Overfitting</div>
      {detail?.overfitting ? (
        <OverfittingSection stats={detail.overfitting} metric={firstMetric} />
      ) : (
        <div className="empty" data-testid="opt-overfitting-pending">
          {!study
            ? '—'
            : detail && (detail.summary.state === 'cancelled' || detail.summary.state === 'paused')
              ? 'Computed when a study runs to the end: resume it to get them.'
              : 'Computed when the study finishes.'}
        </div>
      )}

      <div className="panel-title opt-subtitle">Neighbourhood</div>
      <NeighbourhoodSection />

      {detail?.perRegime ? (
        <>
          <div className="panel-title opt-subtitle">
            Per regime ({detail.perRegime.settings.detector}, {detail.perRegime.settings.axis})
          </div>
          {detail.perRegime.result ? (
            <WinnersTable result={detail.perRegime.result} testId="opt-per-regime-sets" />
          ) : (
            <div className="empty" data-testid="opt-per-regime-pending">
              {detail.perRegime.error ?? 'Chosen when the study completes.'}
            </div>
          )}
        </>
      ) : null}

      {multi && detail ? (
        <>
          <div className="panel-title opt-subtitle">Pareto front</div>
          <table className="kv-table" data-testid="opt-front">
            <tbody>
              <tr>
                <th>non-dominated trials (all objectives)</th>
                <td data-testid="opt-front-count">{formatInteger(detail.paretoFront.length)}</td>
              </tr>
              <tr>
                <th title="volume of objective space the front dominates; larger is better">hypervolume</th>
                <td>{formatNumber(detail.hypervolume, 4)}</td>
              </tr>
            </tbody>
          </table>
        </>
      ) : null}

      <div className="panel-title opt-subtitle">Approved for live</div>
      {approved ? (
        <div className="opt-approved" data-testid="opt-approved">
          <div className="opt-approved-head">
            <span className="opt-approved-tag">✓ approved</span>
            {approvedTrial ? (
              <button
                type="button"
                className="ghost-button small"
                data-testid="opt-approved-trial"
                data-trial={approvedTrial.number}
                title="Inspect its backtest"
                onClick={() => void inspect(approvedTrial.number)}
              >
                trial #{approvedTrial.number}
              </button>
            ) : null}
            <span className="opt-muted">
              {time.dateTime(approved.approvedAt)} {time.zone}
            </span>
          </div>
          <div className="opt-approved-params">
            {Object.entries(approved.params).map(([name, value]) => (
              <code key={name}>
                {name}={formatParamValue(value, 4)}
              </code>
            ))}
          </div>
        </div>
      ) : (
        <div className="empty" data-testid="opt-approved-none">
          Nothing approved for this study. Approve the winner or any inspected trial; the live bot takes it
          from here.
        </div>
      )}
    </section>
  );
}

/** The winner on each symbol (or timeframe) it was scored on, the combined figure being made of these. */
function SliceTable({ detail, best }: { detail: StudyDetail; best: TrialRow }) {
  const figures = sliceFigures(detail);
  const metrics = [...new Set(figures.map((f) => f.metric))];
  const slices = detail.config.slices.map((s) => s.key);
  return (
    <table className="kv-table opt-best-slices" data-testid="opt-best-slices">
      <thead>
        <tr>
          <th>{detail.summary.symbols ? 'on symbol' : 'on timeframe'}</th>
          {metrics.map((metric) => (
            <th key={metric}>{metricLabel(metric)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {slices.map((slice) => (
          <tr key={slice}>
            <th>{slice}</th>
            {metrics.map((metric) => (
              <td key={metric} data-testid={`opt-best-slice-${metric}@${slice}`}>
                {formatMetric(metric, best.metrics[`${metric}@${slice}`] ?? null)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The equity metrics the holdout table compares (the services keep equity metrics for each part). */
const HOLDOUT_METRICS = [
  'totalReturn',
  'annualizedReturn',
  'sharpeRatio',
  'sortinoRatio',
  'maxDrawdown',
] as const;

/** The winner on the bars the search never saw, beside the same run on the bars it searched. */
function HoldoutSection({ holdout, from }: { holdout: StudyHoldout; from: string }) {
  const coverage = holdoutCoverageText(holdout);
  const slices = holdout.slices ?? [];
  return (
    <>
      <div className="panel-title opt-subtitle">Holdout</div>
      {coverage === null ? null : (
        <p className="hint" data-testid="opt-holdout-coverage">
          {coverage}
        </p>
      )}
      <table className="kv-table" data-testid="opt-holdout-table">
        <thead>
          <tr>
            <th>winner</th>
            <th>in sample ({holdout.searchedBars.toLocaleString('en-US')} bars)</th>
            <th>
              out of sample (from {from}, {holdout.bars.toLocaleString('en-US')} bars)
            </th>
          </tr>
        </thead>
        <tbody>
          {HOLDOUT_METRICS.map((key) => (
            <tr key={key}>
              <th>{metricLabel(key)}</th>
              <td data-testid={`opt-holdout-in-${key}`}>
                {formatMetric(key, holdout.inSample[key] ?? null)}
              </td>
              <td data-testid={`opt-holdout-out-${key}`}>
                {formatMetric(key, holdout.outOfSample[key] ?? null)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {slices.length < 2 ? null : (
        <table className="kv-table" data-testid="opt-holdout-slices">
          <thead>
            <tr>
              <th>slice</th>
              <th>held-out bars</th>
              <th>in sample return</th>
              <th>out of sample return</th>
              <th>out of sample Sharpe</th>
            </tr>
          </thead>
          <tbody>
            {slices.map((s) => (
              <tr key={s.label} data-testid="opt-holdout-slice">
                <th>{s.label}</th>
                <td>{s.bars.toLocaleString('en-US')}</td>
                <td>{formatMetric('totalReturn', s.inSample['totalReturn'] ?? null)}</td>
                <td>{formatMetric('totalReturn', s.outOfSample['totalReturn'] ?? null)}</td>
                <td>{formatMetric('sharpeRatio', s.outOfSample['sharpeRatio'] ?? null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
