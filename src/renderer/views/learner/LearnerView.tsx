import { useEffect } from 'react';
import { formatProbability } from '../../../core/metrics/definitions.ts';
import type { Timeframe } from '../../../core/data/bars.ts';
import type {
  LearnerRecommendations,
  RegimeRecommendation,
  ScorecardPolicyName,
  ScorecardResult,
} from '../../../shared/contract.ts';
import { costsText } from '../../../shared/costsText.ts';
import { scorecardWindowsText } from '../../../shared/scorecardWindowsText.ts';
import { LEARNER_PANEL_SETS, SCORECARD_TRIALS, type LearnFrom } from '../../../shared/learnerChoices.ts';
import { EChart } from '../../charts/EChart.tsx';
import {
  accuracyChart,
  calibrationChart,
  coverageChart,
  importanceChart,
} from '../../charts/learnerCharts.ts';
import { formatInteger, formatNumber, formatPercent, formatPercentInterval } from '../../format.ts';
import { useApp } from '../../store/context.tsx';
import { useTimeFormat } from '../../timeFormat.ts';
import { TIMEFRAME_CHOICES, TIMEFRAME_MS } from '../../timeframes.ts';
import {
  scorecardKey,
  scorecardTrialsError,
  shownScorecard,
  shownSubject,
  shownScorecardRun,
  type LearnerState,
} from '../../store/learnerStore.ts';
import type { TradingSession } from '../../store/appStore.ts';
import { NumberField, SessionSelect } from '../fields.tsx';
import { RunProgressLine } from '../RunProgressLine.tsx';
import { ledgerStatusText } from './statusText.ts';
import { useLearner, useLearnerStore } from './useLearner.ts';
import './learner.css';

/**
 * The learner: what it recommends in each regime (with its interval and confidence, or "keep the current
 * set" and why), how accurate and calibrated it has been, which features it leans on, and the scorecard
 * that says whether any policy beats the default parameters out of sample.
 */
export function LearnerView() {
  const store = useLearnerStore();
  useEffect(() => {
    void store.getState().load();
  }, [store]);
  return (
    <div className="learner-layout" data-testid="learner-view">
      <SubjectBar />
      <RecommendationsPanel />
      <EvaluationPanel />
      <ScorecardPanel />
    </div>
  );
}

function SubjectBar() {
  const datasets = useApp((s) => s.datasets);
  const symbol = useLearner((s) => s.symbol);
  const timeframe = useLearner((s) => s.timeframe);
  const setSubject = useLearner((s) => s.setSubject);
  const status = useLearner((s) => s.status);
  const symbols = datasets.status === 'ready' ? [...new Set(datasets.data.map((d) => d.symbol))] : [];
  return (
    <div className="panel learner-subject">
      <label className="toolbar-select">
        Symbol{' '}
        <select
          data-testid="learner-symbol"
          value={symbol ?? ''}
          onChange={(e) => setSubject(e.target.value, timeframe)}
        >
          {symbols.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label className="toolbar-select">
        Timeframe{' '}
        <select
          data-testid="learner-timeframe"
          value={timeframe}
          onChange={(e) => symbol && setSubject(symbol, e.target.value as Timeframe)}
        >
          {TIMEFRAME_CHOICES.map((tf) => (
            <option key={tf}>{tf}</option>
          ))}
        </select>
      </label>
      {/* Day bars and coarser are whole sessions: the choice only changes intraday bars and windows. */}
      {TIMEFRAME_MS[timeframe] < TIMEFRAME_MS['1d'] ? (
        <SessionSelect testId="learner-session" className="toolbar-select" label="Session " />
      ) : null}
      <span className="panel-sub" data-testid="learner-status">
        {status.status === 'ready'
          ? ledgerStatusText(status.data)
          : status.status === 'error'
            ? status.message
            : 'Reading the ledger…'}
      </span>
    </div>
  );
}

const interval = (i: RegimeRecommendation['interval80']): string =>
  `${formatNumber(i.lower, 2)} to ${formatNumber(i.upper, 2)}`;
const paramsText = (params: Record<string, number>): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** Which learner answered and why, in words: a trader reads its intervals and confidence by it. */
function basisText({ basis, ledger }: LearnerRecommendations): string {
  const ledgerLearned = `the ledger's learner has learned ${formatInteger(ledger.learned)} result${ledger.learned === 1 ? '' : 's'}`;
  if (basis.source === 'bars')
    return (
      `${ledgerLearned}; recommending from a panel of these bars: a learner trained on ${basis.windows} windows × ` +
      `${basis.sets} sets (${formatInteger(basis.learned)} results), out of sample there rank ${formatNumber(basis.rank, 3)} ` +
      `(t ${formatNumber(basis.rankT, 1)}), ` +
      `"A beats B" ${formatPercentInterval(basis.pairwise, basis.pairwiseInterval)}`
    );
  return (
    `recommending from the ledger: learner v${basis.version}, ${formatInteger(basis.learned)} results learned, ` +
    `${basis.resets} drift resets; skill not measured (no out-of-sample ranking of its own: it switches on confidence alone)` +
    (basis.learned < ledger.calibrationWindow
      ? `; its intervals and confidence are not calibrated before ~${formatInteger(ledger.calibrationWindow)}`
      : '')
  );
}

function RecommendationsPanel() {
  const recommendations = useLearner((s) => s.recommendations);
  const opening = useLearner((s) => s.opening);
  const openError = useLearner((s) => s.openError);
  const open = useLearner((s) => s.openAsBacktest);
  const learnFrom = useLearner((s) => s.learnFrom);
  const setLearnFrom = useLearner((s) => s.setLearnFrom);
  const status = useLearner((s) => s.status);
  const answer = recommendations.status === 'ready' ? recommendations.data : null;
  // The ledger's count as the last answer read it, else as the status did (before any answer).
  const ledgerLearned =
    answer?.ledger.learned ??
    (status.status === 'ready'
      ? status.data.learners.find((l) => l.strategy === 'sma-cross')?.learned
      : undefined);
  // Left to main's default, the select shows what answered; while nothing has, it names no choice.
  const chosen: LearnFrom | '' = learnFrom ?? answer?.basis.source ?? '';
  return (
    <section className="panel learner-recommendations" data-testid="learner-recommendations">
      <div className="panel-title">
        Recommendation per regime
        <label className="learner-learn-from">
          learn from{' '}
          <select
            data-testid="learner-learn-from"
            value={chosen}
            onChange={(e) => setLearnFrom(e.target.value as LearnFrom)}
          >
            {chosen === '' ? <option value="" disabled /> : null}
            <option value="bars">these bars (a panel of {LEARNER_PANEL_SETS} sets)</option>
            <option value="ledger">
              the ledger ({ledgerLearned === undefined ? 'its' : formatInteger(ledgerLearned)} results
              learned)
            </option>
          </select>
        </label>
        <span className="panel-sub">next-window Sharpe (window-scaled)</span>
      </div>
      {answer ? (
        <div className="panel-sub learner-basis" data-testid="learner-basis">
          {basisText(answer)}
        </div>
      ) : null}
      {recommendations.status === 'loading' ? (
        <div className="empty">
          {learnFrom === 'ledger'
            ? "Searching the space against the ledger's learner…"
            : 'Training a learner on a panel of these bars (unless the ledger has enough results), then searching the space…'}
        </div>
      ) : null}
      {recommendations.status === 'error' ? (
        <div className="empty error-text" data-testid="learner-recommend-error">
          {recommendations.message}
        </div>
      ) : null}
      {openError ? (
        <div className="empty error-text" data-testid="learner-open-error">
          {openError}
        </div>
      ) : null}
      {recommendations.status === 'ready' ? (
        <table className="grid-table learner-table">
          <thead>
            <tr>
              <th>Regime</th>
              <th>Answer</th>
              <th>Set</th>
              <th className="num">Predicted</th>
              <th>80 % interval</th>
              <th>90 % interval</th>
              <th className="num">Confidence</th>
              <th>Driven by</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {recommendations.data.recommendations.map((r) => (
              <tr
                key={r.regime ?? 'warm-up'}
                data-testid="learner-recommendation"
                data-regime={r.regime ?? ''}
              >
                <td>
                  {r.regime ?? 'warm-up'}
                  {r.current ? <span className="chip">now</span> : null}
                </td>
                <td data-testid="learner-answer" title={r.reason ?? ''}>
                  {r.action === 'switch' ? 'switch to this set' : `keep the current set: ${r.reason ?? ''}`}
                </td>
                <td className="mono">{paramsText(r.params)}</td>
                <td className="num">{formatNumber(r.score, 3)}</td>
                <td className="mono" data-testid="learner-interval">
                  {interval(r.interval80)}
                </td>
                <td className="mono" data-testid="learner-interval90">
                  {interval(r.interval90)}
                </td>
                <td className="num" data-testid="learner-confidence">
                  {formatNumber(r.confidence, 2)}
                </td>
                <td className="drivers">
                  {r.drivers
                    .slice(0, 3)
                    .map((d) => `${d.feature} ${d.contribution >= 0 ? '+' : ''}${d.contribution.toFixed(2)}`)
                    .join(', ')}
                </td>
                <td>
                  <button
                    type="button"
                    className="ghost-button small"
                    data-testid="learner-open-backtest"
                    disabled={opening !== null}
                    onClick={() => void open(r)}
                  >
                    {opening === (r.regime ?? 'warm-up') ? 'Opening…' : 'Open as backtest'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function EvaluationPanel() {
  const evaluation = useLearner((s) => s.evaluation);
  const evaluate = useLearner((s) => s.evaluate);
  const status = useLearner((s) => s.status);
  const ledgerImportance =
    status.status === 'ready'
      ? (status.data.learners.find((l) => l.strategy === 'sma-cross')?.importance ?? [])
      : [];
  const e = evaluation.status === 'ready' ? evaluation.data : null;
  const importance = e?.importance ?? ledgerImportance;
  return (
    <section className="panel learner-evaluation" data-testid="learner-evaluation">
      <div className="panel-title">
        Accuracy, delayed prequential
        {e ? (
          <span className="panel-sub" data-testid="learner-figures">
            {e.windows} windows × {e.sets} sets · MAE {formatNumber(e.mae, 3)} (last score{' '}
            {formatNumber(e.baselineMae, 3)}) · rank {formatNumber(e.rank.mean, 3)} (t{' '}
            {formatNumber(e.rank.t, 1)}) · top fifth{' '}
            {formatPercentInterval(e.topQuintile.precision, e.topQuintile)} · "A beats B"{' '}
            {formatPercentInterval(e.pairwise, e.pairwiseInterval)} · coverage{' '}
            {formatPercentInterval(e.coverage80, e.coverage80Interval)} /{' '}
            {formatPercentInterval(e.coverage90, e.coverage90Interval)} ({formatPercent(e.unbounded80, 1)} /{' '}
            {formatPercent(e.unbounded90, 1)} unbounded; t and [95 %] over windows)
          </span>
        ) : null}
        <RunButton
          testId="learner-evaluate"
          loading={evaluation.status === 'loading'}
          run={evaluate}
          busy="Evaluating…"
        >
          Evaluate on these bars
        </RunButton>
      </div>
      {evaluation.status === 'error' ? <div className="empty error-text">{evaluation.message}</div> : null}
      <div className="learner-charts">
        {e ? (
          <>
            <figure>
              <figcaption>
                Rolling MAE (red), rank correlation (blue), "A beats B" (green), top fifth (gold)
              </figcaption>
              <EChart option={accuracyChart(e)} testId="learner-accuracy-chart" className="learner-chart" />
            </figure>
            <figure>
              <figcaption>Interval coverage over time against nominal (dashed)</figcaption>
              <EChart option={coverageChart(e)} testId="learner-coverage-chart" className="learner-chart" />
            </figure>
            <figure>
              <figcaption>Calibration: nominal against realised coverage</figcaption>
              <EChart
                option={calibrationChart(e)}
                testId="learner-calibration-chart"
                className="learner-chart"
              />
            </figure>
          </>
        ) : (
          <div className="empty">
            Evaluate to see the rolling accuracy, coverage and calibration on these bars.
          </div>
        )}
        {importance.length > 0 ? (
          <figure>
            <figcaption>Feature importance (linear weights on standardised features)</figcaption>
            <EChart
              option={importanceChart(importance)}
              testId="learner-importance-chart"
              className="learner-chart"
            />
          </figure>
        ) : null}
      </div>
    </section>
  );
}

/** A panel title's action at its right end, disabled and saying `busy` while its request runs. */
function RunButton({
  testId,
  loading,
  run,
  busy,
  children,
}: {
  testId: string;
  loading: boolean;
  run: () => Promise<unknown>;
  busy: string;
  children: string;
}) {
  return (
    <>
      <span className="status-spacer" />
      <button
        type="button"
        className="ghost-button small"
        data-testid={testId}
        disabled={loading}
        onClick={() => void run()}
      >
        {loading ? busy : children}
      </button>
    </>
  );
}

const POLICY_LABELS: Record<ScorecardPolicyName, string> = {
  default: 'Default parameters',
  optimised: 'Walk-forward optimised',
  regimeAware: 'Regime-aware',
  learner: "Learner's recommendation",
};
const POLICY_ORDER: ScorecardPolicyName[] = ['default', 'optimised', 'regimeAware', 'learner'];
const CHALLENGERS: ScorecardPolicyName[] = ['optimised', 'regimeAware', 'learner'];

function goalValue(
  goal: ScorecardResult['goals'][number]['goal'],
  value: number | null,
  prediction: ScorecardResult['prediction'],
): string {
  if (value === null) return 'n/a';
  if (goal === 'sharpe') return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
  if (goal === 'drawdown' || goal === 'winRate')
    return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}${goal === 'winRate' ? ' pts' : ' %'}`;
  // The learner's "A beats B" share, with its interval over the windows it predicted.
  if (goal === 'predictionAccuracy') return formatPercentInterval(value, prediction.pairwiseInterval);
  return value.toFixed(2);
}

/** "GOOG 1d", "SPY 1m, extended hours": the bars a scorecard is about (the session only moves intraday bars). */
function subjectText(key: string): string {
  const [symbol, timeframe, session] = key.split(' ') as [string, Timeframe, string];
  return TIMEFRAME_MS[timeframe] < TIMEFRAME_MS['1d']
    ? `${symbol} ${timeframe}, ${session} hours`
    : `${symbol} ${timeframe}`;
}

/** The other subjects with a scorecard kept (or running), as one string the view re-renders on. */
function otherScorecards(state: LearnerState): string {
  const shown = shownSubject(state);
  const keys = new Set(Object.keys(state.scorecards));
  if (shown !== null) keys.delete(scorecardKey(shown));
  return [...keys]
    .sort()
    .map((key) => `${key}${state.scorecardRuns[key] === undefined ? '' : ' running'}`)
    .join('|');
}

/** The scorecards kept for other subjects, each a button back to its subject (and session). */
function OtherScorecards() {
  const others = useLearner(otherScorecards);
  const setSubject = useLearner((s) => s.setSubject);
  const setSession = useApp((s) => s.setSession);
  if (others === '') return null;
  return (
    <div className="panel-sub learner-other-scorecards" data-testid="scorecard-others">
      Kept for{' '}
      {others.split('|').map((entry) => {
        const [symbol, timeframe, session, running] = entry.split(' ') as [
          string,
          Timeframe,
          TradingSession,
          string | undefined,
        ];
        const key = `${symbol} ${timeframe} ${session}`;
        return (
          <button
            key={key}
            type="button"
            className="ghost-button small"
            data-testid="scorecard-other"
            data-key={key}
            onClick={() => {
              setSession(session);
              setSubject(symbol, timeframe);
            }}
          >
            {subjectText(key)}
            {running === undefined ? '' : ' (running)'}
          </button>
        );
      })}
    </div>
  );
}

function ScorecardPanel() {
  const scorecard = useLearner(shownScorecard);
  const run = useLearner((s) => s.runScorecard);
  const runProgress = useLearner((s) => shownScorecardRun(s)?.progress ?? null);
  const trials = useLearner((s) => s.scorecardTrials);
  const setTrials = useLearner((s) => s.setScorecardTrials);
  const trialsError = useLearner(scorecardTrialsError);
  const session = useLearner((s) => s.session);
  const card = scorecard.status === 'ready' ? scorecard.data : null;
  return (
    <section className="panel learner-scorecard" data-testid="scorecard-panel">
      <div className="panel-title">
        Scorecard: out of sample, walk-forward, at Settings&apos; cash, costs and risk-free rate
        {card ? (
          <span className="panel-sub" data-testid="scorecard-subject">
            {subjectText(scorecardKey({ symbol: card.symbol, timeframe: card.timeframe, session }))}
          </span>
        ) : null}
        {card ? (
          <span className="panel-sub" data-testid="scorecard-costs">
            cash {formatNumber(card.cash)} · commission {formatPercent(card.commission)} per side · costs:{' '}
            {costsText(card.costs)} · Sharpe over {formatPercent(card.riskFreeRate)} risk-free ·{' '}
            {scorecardWindowsText(card)} after {card.train} train bars · {card.trialCount} trials counted in
            every deflated Sharpe
          </span>
        ) : null}
        <NumberField
          label="Trials"
          testId="scorecard-trials"
          value={trials}
          onChange={setTrials}
          min={SCORECARD_TRIALS.min}
          max={SCORECARD_TRIALS.max}
          step={1}
          invalid={trialsError !== null}
          title="Trials each of the optimised, regime-aware and learner policies chooses from (the CLI's --trials): fewer run faster"
          {...(trialsError === null ? {} : { hint: trialsError })}
        />
        <button
          type="button"
          className="ghost-button small"
          data-testid="scorecard-run"
          disabled={scorecard.status === 'loading' || trialsError !== null}
          onClick={() => void run()}
        >
          {scorecard.status === 'loading' ? 'Running…' : 'Run scorecard'}
        </button>
      </div>
      <OtherScorecards />
      {scorecard.status === 'error' ? (
        <div className="empty error-text" data-testid="scorecard-error">
          {scorecard.message}
        </div>
      ) : null}
      {card ? (
        <div className="learner-scorecard-tables">
          <table className="grid-table learner-table" data-testid="scorecard-table">
            <thead>
              <tr>
                <th />
                {POLICY_ORDER.map((p) => (
                  <th key={p}>{POLICY_LABELS[p]}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(
                [
                  ['Sharpe ratio', (p) => formatNumber(p.sharpeRatio, 2)],
                  ['Max drawdown', (p) => formatPercent(p.maxDrawdown, 1)],
                  ['Win rate', (p) => formatPercent(p.winRate, 1)],
                  ['Trades', (p) => String(p.trades)],
                  ['Parameter stability', (p) => formatNumber(p.stability, 2)],
                  ['Deflated Sharpe', (p) => formatProbability(p.deflatedSharpe)],
                  ['PBO', (p) => formatProbability(p.pbo)],
                ] as const satisfies readonly (readonly [
                  string,
                  (p: ScorecardResult['policies']['default']) => string,
                ])[]
              ).map(([label, cell]) => (
                <tr key={label}>
                  <td>{label}</td>
                  {POLICY_ORDER.map((p) => (
                    <td key={p} className="num">
                      {cell(card.policies[p])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <table className="grid-table learner-table" data-testid="scorecard-goals">
            <thead>
              <tr>
                <th>Goal (against the default parameters)</th>
                {CHALLENGERS.map((p) => (
                  <th key={p}>{POLICY_LABELS[p]}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {card.goals.map((g) => (
                <tr key={g.goal}>
                  <td>{g.target}</td>
                  {CHALLENGERS.map((p) => {
                    const met = g.met[p];
                    if (met === undefined) return <td key={p}>—</td>;
                    return (
                      <td key={p} className={met ? 'goal-met' : 'goal-missed'} data-testid="scorecard-mark">
                        {met ? '✓ met' : '✗ not met'} (
                        {goalValue(g.goal, g.measured[p] ?? null, card.prediction)})
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          <LearnerDecisions card={card} />
        </div>
      ) : scorecard.status === 'loading' ? (
        <RunProgressLine
          className="empty"
          testId="scorecard-progress"
          progress={runProgress}
          stage="scorecard"
        />
      ) : (
        <div className="empty">Run the scorecard to compare the policies on these bars.</div>
      )}
    </section>
  );
}

/**
 * The learner policy's choice at each test window, and what it rested on: the winner's predicted score
 * and confidence, and the learner's ranking skill over the windows closed before it (a switch needs a
 * positive rank correlation at t >= 2, the confidence threshold and a set other than the one in force).
 */
function LearnerDecisions({ card }: { card: ScorecardResult }) {
  const time = useTimeFormat();
  return (
    <table className="grid-table learner-table" data-testid="scorecard-decisions">
      <thead>
        <tr>
          <th>Learner, test window from</th>
          <th>Action</th>
          <th>Set in force</th>
          <th>Predicted</th>
          <th>Confidence</th>
          <th>Skill so far: rank (t), windows</th>
        </tr>
      </thead>
      <tbody>
        {card.decisions.map((d) => (
          <tr key={d.testStartTime} data-testid="scorecard-decision">
            <td>{time.barTime(d.testStartTime, card.timeframe)}</td>
            <td data-testid="scorecard-decision-action">
              {d.action === 'switch' ? 'switch' : `keep: ${d.reason ?? ''}`}
            </td>
            <td className="mono">{paramsText(d.params)}</td>
            <td className="num">{formatNumber(d.score, 3)}</td>
            <td className="num">{formatNumber(d.confidence, 2)}</td>
            <td className="num" data-testid="scorecard-decision-skill">
              {formatNumber(d.skill.mean, 3)} (t {formatNumber(d.skill.t, 1)}), {d.skill.windows}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
