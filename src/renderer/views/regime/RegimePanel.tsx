import { useEffect, type ReactNode } from 'react';
import { formatProbability } from '../../../core/metrics/definitions.ts';
import type { RegimeAxis } from '../../../core/regime/labels.ts';
import type { PolicyReportResult, RegimeCompareResult, RegimesResult } from '../../../shared/contract.ts';
import {
  DETECTOR_CHOICES,
  DETECTOR_NAMES,
  detectorLabel,
  DISPLAY_AXES,
  REGIME_RETURN_COLUMNS,
  SWITCH_AXIS_CHOICES,
  type DetectorSetting,
} from '../../../shared/regimeChoices.ts';
import { formatInteger, formatNumber, formatPercent } from '../../format.ts';
import { useApp } from '../../store/context.tsx';
import type { CheckedCosts } from '../../store/costDraft.ts';
import { runDefaults } from '../../store/runDefaults.ts';
import { subjectOf, type RegimeTarget } from '../../store/regimeStore.ts';
import { ChoiceField, NumberField, StrategyOptions } from '../fields.tsx';
import { JobProgressLine } from '../JobProgressLine.tsx';
import { RunProgressLine } from '../RunProgressLine.tsx';
import { RegimeRibbon } from './RegimeRibbon.tsx';
import { WinnersTable } from './WinnersTable.tsx';
import { useRegime, useRegimeStore } from './useRegime.ts';
import './regime.css';

const SETTING_FIELDS: Readonly<Record<DetectorSetting, { label: string; hint: string; step: number }>> = {
  hysteresis: { label: 'hysteresis', hint: 'lead a new label needs (0–1)', step: 0.05 },
  // "label" against the study's "set" dwell: the detector holds a label, the study holds a parameter set.
  minDwell: { label: 'label dwell', hint: 'bars the detector holds a label at least', step: 1 },
  jumpPenalty: { label: 'jump penalty', hint: 'cost of a switch', step: 1 },
  halflife: {
    label: 'half-life',
    hint: 'bars; volatility exponentially weighted (blank: window mean)',
    step: 1,
  },
};

const basisPoints = (x: number | null): string => (x === null ? '—' : `${(x * 1e4).toFixed(2)}bp`);

/**
 * The Regimes panel of the Backtest and Optimize views: a detector and its persistence, the per-regime
 * table of the chosen axis, the per-regime winners of a study and the comparison against one global set.
 * `ribbon`: draw the regime ribbon here (the Backtest view draws it under its price chart instead).
 */
export function RegimePanel({
  target: place,
  ribbon,
  testIdPrefix,
}: {
  target: Omit<RegimeTarget, 'session'> | null;
  ribbon: boolean;
  testIdPrefix: string;
}) {
  const store = useRegimeStore();
  const form = useRegime((s) => s.form);
  const labels = useRegime((s) => s.labels);
  const labelling = useRegime((s) => s.labelling);
  // The bars of the session the backtest and the study read (Settings), so the bands match the chart.
  const session = useApp((s) => s.session);
  // The studies and the comparison charge the costs a backtest would (Settings' costs). Invalid ones are
  // refused as a backtest refuses them, not replaced by the defaults behind the trader's back.
  // And start from Settings' default cash at its commission, as the Backtest and Optimize forms do.
  const { costErrors, ...account } = runDefaults({
    settings: useApp((s) => s.settings),
    costs: useApp((s) => s.costs),
    cash: useApp((s) => s.cash),
    commission: useApp((s) => s.commission),
  });
  const costProblem = costProblemOf(costErrors);
  const target = place ? { ...place, session, ...account } : null;
  const id = (name: string): string => `${testIdPrefix}regime-${name}`;
  const key = target ? `${target.symbol} ${target.timeframe} ${target.start ?? ''} ${session}` : '';
  const { detector, hysteresis, minDwell, jumpPenalty, halflife } = form;

  useEffect(() => {
    if (target) void store.getState().load(target);
    // The target's identity is its key: a new object with the same fields is not a new request.
  }, [store, key, detector, hysteresis, minDwell, jumpPenalty, halflife]);

  const choice = DETECTOR_CHOICES.find((c) => c.name === detector) ?? DETECTOR_CHOICES[0];
  const data = labels.status === 'ready' ? labels.data : null;
  return (
    <section
      className="panel regime-panel"
      data-testid={id('panel')}
      // Which labels are shown: a request still in flight leaves the last ones in place.
      data-detector={data?.detector}
      data-settings={data ? JSON.stringify(data.settings) : undefined}
      aria-busy={labelling}
    >
      <div className="panel-title">
        Regimes
        {data ? (
          <span className="panel-sub">
            {data.symbol} {data.timeframe} · warm-up {formatInteger(data.warmup)} bars
          </span>
        ) : null}
      </div>
      <div className="regime-body">
        <div className="regime-controls">
          <ChoiceField
            label="detector"
            title="The detector whose point-in-time labels colour the chart"
            testId={id('detector')}
            value={detector}
            choices={DETECTOR_NAMES}
            describe={detectorLabel}
            onChange={(chosen) => store.getState().setForm({ detector: chosen })}
          />
          {choice.settings.map((setting: DetectorSetting) => (
            <NumberField
              key={setting}
              label={SETTING_FIELDS[setting].label}
              value={form[setting]}
              placeholder="default"
              step={SETTING_FIELDS[setting].step}
              min={0}
              testId={id(setting)}
              title={SETTING_FIELDS[setting].hint}
              onChange={(value) => store.getState().setForm({ [setting]: value })}
            />
          ))}
        </div>
        <div className="segmented" role="group" aria-label="Regime axis">
          {DISPLAY_AXES.map((axis) => (
            <button
              key={axis}
              type="button"
              className={axis === form.axis ? 'seg active' : 'seg'}
              aria-pressed={axis === form.axis}
              data-testid={id(`axis-${axis}`)}
              onClick={() => store.getState().setForm({ axis })}
            >
              {axis}
            </button>
          ))}
        </div>
        {labelling ? (
          <div className="regime-note" data-testid={id('labelling')}>
            {data
              ? `labelling… (below: the last labels, ${data.symbol} ${data.timeframe}, ${detectorLabel(data.detector)})`
              : 'labelling…'}
          </div>
        ) : null}
        {labels.status === 'error' ? (
          <div className="regime-note error-text" data-testid={id('error')}>
            {labels.message}
          </div>
        ) : null}
        {data && ribbon ? (
          <RegimeRibbon times={data.t} regimes={data} axis={form.axis} testId={id('ribbon')} />
        ) : null}
        {data ? <RegimeTable result={data} axis={form.axis} testId={id('table')} /> : null}
        {data?.axes[form.axis].orderNote ? (
          // The table's figures against its labels' order ("low" moving more than "normal"): why, in words.
          <div className="regime-note" data-testid={id('order-note')}>
            {data.axes[form.axis].orderNote}
          </div>
        ) : null}
        {data && data.axes[form.axis].summary.every((row) => row.share === null) ? (
          // Otherwise the table is all dashes, with nothing to say why.
          <div className="regime-note" data-testid={id('unlabelled')}>
            Nothing labelled: {detectorLabel(data.detector)} needs {formatInteger(data.warmup)} bars of
            warm-up, more than {data.symbol} has at {data.timeframe}. Pick a shorter timeframe or another
            detector.
          </div>
        ) : null}
        <StudySection target={target} costProblem={costProblem} id={id} />
      </div>
    </section>
  );
}

function RegimeTable({ result, axis, testId }: { result: RegimesResult; axis: RegimeAxis; testId: string }) {
  const { names, summary, transitions } = result.axes[axis];
  return (
    <div className="regime-table-scroll" data-testid={`${testId}-scroll`}>
      <table className="regime-table" data-testid={testId}>
        <thead>
          <tr>
            <th>{axis}</th>
            <th title="Share of labelled bars">share</th>
            <th title={REGIME_RETURN_COLUMNS.meanReturn.title}>{REGIME_RETURN_COLUMNS.meanReturn.short}</th>
            <th title={REGIME_RETURN_COLUMNS.volatility.title}>{REGIME_RETURN_COLUMNS.volatility.short}</th>
            <th title="Median spell, in bars">typ. bars</th>
            {names.map((name) => (
              <th key={name} title={`Share of its bars whose next bar is ${name}`}>
                →{name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {summary.map((row, k) => (
            <tr key={row.label} data-regime={row.label}>
              <td>
                <span className={`regime-swatch ${axis}-${k}`} />
                {row.label}
              </td>
              <td>{formatPercent(row.share, 1)}</td>
              <td>{basisPoints(row.meanReturn)}</td>
              <td>{basisPoints(row.volatility)}</td>
              <td>{row.typicalDuration === null ? '—' : formatInteger(row.typicalDuration)}</td>
              {(transitions[k] ?? []).map((share, j) => (
                <td key={names[j]}>{formatPercent(share, 0)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const COST_PARTS: Readonly<Record<keyof CheckedCosts['errors'], string>> = {
  spreadBps: 'spread',
  impact: 'impact',
  borrowPercent: 'borrow rate',
};

/** Why the costs cannot be charged, each invalid part by name, or null when they can. */
function costProblemOf(errors: CheckedCosts['errors']): string | null {
  const parts = Object.entries(errors).map(
    ([part, error]) => `${COST_PARTS[part as keyof CheckedCosts['errors']]}: ${error}`,
  );
  return parts.length === 0
    ? null
    : `The costs are out of range (${parts.join('; ')}). Fix them on the form or in Settings: a study ` +
        'or a comparison here charges the costs a backtest would.';
}

function StudySection({
  target,
  costProblem,
  id,
}: {
  target: RegimeTarget | null;
  costProblem: string | null;
  id: (name: string) => string;
}) {
  const store = useRegimeStore();
  const study = useRegime((s) => s.study);
  const job = useRegime((s) => s.job);
  const ran = useRegime((s) => s.ran);
  const subject = target ? subjectOf(target) : null;
  // Another chart's study or comparison is not shown as this one's; a note says where it is.
  const winners = useRegime((s) => (ran.winners === subject ? s.winners : IDLE));
  const comparison = useRegime((s) => (ran.comparison === subject ? s.comparison : IDLE));
  const elsewhere = [
    ran.winners !== null && ran.winners !== subject ? `winners per regime: ${ran.winners}` : null,
    ran.comparison !== null && ran.comparison !== subject ? `comparison: ${ran.comparison}` : null,
  ].filter((part) => part !== null);
  const strategies = useApp((s) => s.strategies);
  const set = store.getState().setStudy;
  const busy = job !== null;
  return (
    <div className="regime-study">
      <div className="panel-title regime-subtitle">Per-regime parameters</div>
      <div className="regime-controls">
        <label className="field">
          <span className="field-label">strategy</span>
          <select
            data-testid={id('strategy')}
            value={study.strategy}
            disabled={busy}
            onChange={(e) => set({ strategy: e.target.value })}
          >
            <StrategyOptions strategies={strategies} />
          </select>
        </label>
        <ChoiceField
          label="switch on"
          title="The regime axis whose labels choose the parameter set"
          testId={id('switch-axis')}
          value={study.switchAxis}
          choices={SWITCH_AXIS_CHOICES}
          describe={(axis) => axis}
          disabled={busy}
          onChange={(switchAxis) => set({ switchAxis })}
        />
        <NumberField
          label="trials"
          value={study.trials}
          min={2}
          step={1}
          testId={id('trials')}
          disabled={busy}
          onChange={(trials) => set({ trials })}
        />
        <NumberField
          label="min trades"
          value={study.minTrades}
          min={0}
          step={1}
          testId={id('min-trades')}
          title="A regime's own set needs this many trades in it in training, else it trades the global set"
          disabled={busy}
          onChange={(minTrades) => set({ minTrades })}
        />
        <NumberField
          label="set dwell"
          value={study.minDwell}
          min={1}
          step={1}
          testId={id('set-dwell')}
          title="Bars a regime's parameter set stays in force once switched to, even if the label changes sooner (the detector's label dwell is above)"
          disabled={busy}
          onChange={(minDwell) => set({ minDwell })}
        />
      </div>
      <div className="run-row">
        <button
          type="button"
          className="ghost-button"
          data-testid={id('run-winners')}
          disabled={!target || busy || costProblem !== null}
          onClick={() => target && void store.getState().runWinners(target)}
        >
          Winners per regime
        </button>
        <button
          type="button"
          className="run-button"
          data-testid={id('run-compare')}
          disabled={!target || busy || costProblem !== null}
          onClick={() => target && void store.getState().runCompare(target)}
        >
          Compare with one global set
        </button>
        {job ? (
          <button
            type="button"
            className="ghost-button small"
            data-testid={id('cancel')}
            disabled={job.cancelling}
            onClick={() => void store.getState().cancel()}
          >
            {job.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : null}
      </div>
      {costProblem !== null ? (
        <div className="regime-note error-text" role="alert" data-testid={id('costs-invalid')}>
          {costProblem}
        </div>
      ) : null}
      {job?.runProgress ? (
        // The comparison's own progress once its study starts (part, windows, time left); the job's
        // stages before (loading bars).
        <RunProgressLine testId={id('progress')} progress={job.runProgress} stage={job.kind} />
      ) : job ? (
        <JobProgressLine testId={id('progress')} progress={job.progress} job={job.kind} />
      ) : null}
      {elsewhere.length > 0 ? (
        <div className="regime-note" data-testid={id('ran-elsewhere')}>
          Last run on other bars ({elsewhere.join('; ')}): pick them to read it.
        </div>
      ) : null}
      <Loaded state={winners} testId={id('winners-error')}>
        {(data) => <WinnersTable result={data} testId={id('winners')} />}
      </Loaded>
      <Loaded state={comparison} testId={id('compare-error')}>
        {(data) => <ComparisonReport result={data} id={id} />}
      </Loaded>
    </div>
  );
}

const IDLE = { status: 'idle' } as const;

function Loaded<T>({
  state,
  testId,
  children,
}: {
  state:
    | { status: 'idle' }
    | { status: 'loading' }
    | { status: 'ready'; data: T }
    | { status: 'error'; message: string };
  testId: string;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'error')
    return (
      <div className="regime-note error-text" data-testid={testId}>
        {state.message}
      </div>
    );
  return state.status === 'ready' ? children(state.data) : null;
}

const REPORT_ROWS: readonly [string, (p: PolicyReportResult) => string][] = [
  ['Sharpe', (p) => formatNumber(p.sharpeRatio)],
  ['max drawdown', (p) => formatPercent(p.maxDrawdown)],
  ['total return', (p) => formatPercent(p.totalReturn)],
  ['win rate', (p) => formatPercent(p.winRate, 1)],
  ['trades', (p) => formatInteger(p.trades)],
  ['turnover / yr', (p) => formatNumber(p.turnover)],
  ['deflated Sharpe', (p) => `${formatProbability(p.deflatedSharpe)} (${p.trialCount})`],
  ['PBO', (p) => formatProbability(p.pbo)],
];

function ComparisonReport({ result, id }: { result: RegimeCompareResult; id: (name: string) => string }) {
  return (
    <div className="regime-compare" data-testid={id('compare')} data-better={result.better}>
      <div className="panel-title regime-subtitle">
        Out of sample
        <span className="panel-sub">
          {result.windows} windows · train {formatInteger(result.train)} / test {formatInteger(result.test)} ·
          purge {formatInteger(result.purge)}
        </span>
      </div>
      <div className="regime-table-scroll">
        <table className="regime-table">
          <thead>
            <tr>
              <th />
              <th>regime-aware</th>
              <th>global set</th>
            </tr>
          </thead>
          <tbody>
            {REPORT_ROWS.map(([label, cell]) => (
              <tr key={label}>
                <td>{label}</td>
                <td>{cell(result.regimeAware)}</td>
                <td>{cell(result.globalPolicy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className={result.better ? 'regime-verdict better' : 'regime-verdict'} data-testid={id('verdict')}>
        {result.verdict}
      </p>
      <WinnersTable result={result} testId={id('compare-winners')} />
    </div>
  );
}
