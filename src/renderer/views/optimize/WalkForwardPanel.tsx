import { useCallback, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { RequestInput, WalkForwardResult } from '../../../shared/contract.ts';
import { windowsCsv } from '../../../shared/exportCsv.ts';
import { tearSheetHtml } from '../../../shared/tearSheetHtml.ts';
import { findStrategy } from '../../store/appStore.ts';
import { useApp } from '../../store/context.tsx';
import { checkCosts } from '../../store/costDraft.ts';
import { newJobId } from '../../store/requests.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { checkSetup } from '../../store/optimizeSetup.ts';
import { walkForwardStoreFor } from '../../store/walkForwardStore.ts';
import { formatMetric, metricLabel } from '../../metricFormat.ts';
import { NumberField } from '../fields.tsx';
import { fileNameOf } from '../../download.ts';
import { ResultActions } from '../report/ResultActions.tsx';
import { EChart } from '../../charts/EChart.tsx';
import {
  IN_SAMPLE_SERIES,
  OUT_OF_SAMPLE_SERIES,
  walkForwardChartOption,
} from '../../charts/walkForwardChart.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import { TearSheetDialog } from '../report/TearSheetDialog.tsx';
import { PinButton } from '../compare/PinButton.tsx';
import { RunProgressLine } from '../RunProgressLine.tsx';
import { walkForwardPurgeText } from '../../../shared/walkForwardPurgeText.ts';
import { walkForwardEfficiencyText } from '../../../shared/walkForwardEfficiencyText.ts';
import { inSampleMeanWindows } from '../../../shared/inSampleMeanText.ts';
import { severalSymbolsNotLearnedText } from '../../../shared/learnerFeedText.ts';
import { purgeFormNote } from './purgeFormNote.ts';

/** The windows on one time axis: each train span grey, its test span coloured, one row per window. */
function WindowTimeline({ result }: { result: WalkForwardResult }) {
  const first = Math.min(...result.windows.map((w) => w.train.startTime));
  const last = Math.max(...result.windows.map((w) => w.test.endTime));
  const span = Math.max(1, last - first);
  const at = (t: number): string => `${(((t - first) / span) * 100).toFixed(2)}%`;
  const width = (a: number, b: number): string => `${Math.max(0.3, ((b - a) / span) * 100).toFixed(2)}%`;
  return (
    <div className="wf-timeline" data-testid="wf-timeline">
      {result.windows.map((w) => (
        <div key={w.index} className="wf-row" data-testid="wf-window" title={`window ${w.index + 1}`}>
          <span
            className="wf-train"
            style={{ left: at(w.train.startTime), width: width(w.train.startTime, w.train.endTime) }}
          />
          <span
            className="wf-test"
            style={{ left: at(w.test.startTime), width: width(w.test.startTime, w.test.endTime) }}
          />
        </div>
      ))}
      <div className="wf-axis">
        <span>{new Date(first).toISOString().slice(0, 10)}</span>
        <span>{new Date(last).toISOString().slice(0, 10)}</span>
      </div>
    </div>
  );
}

/** The stitched out-of-sample equity against the stitched in-sample one, the windows' test starts marked. */
function StitchedEquity({ result }: { result: WalkForwardResult }) {
  const time = useTimeFormat();
  const option = useMemo(() => walkForwardChartOption(result, time), [result, time]);
  return (
    <div className="wf-equity" data-testid="wf-equity">
      <div className="wf-legend">
        <span className="wf-key wf-key-is">{IN_SAMPLE_SERIES}</span>
        <span className="wf-key wf-key-oos">{OUT_OF_SAMPLE_SERIES}</span>
        <span className="hint">
          both 0 % where the first test window starts; dotted lines: each window&apos;s test start
        </span>
      </div>
      <div className="wf-chart-box">
        <EChart option={option} testId="wf-equity-chart" />
      </div>
    </div>
  );
}

/**
 * Walk-forward from the Optimize view (issue 15 item 1): the study form's strategy, space, objectives,
 * trials (per train window), seed, cash, commission and costs, on its symbol and first timeframe; the
 * windows set here. Shows the windows on a timeline, the stitched out-of-sample equity against the
 * stitched in-sample one, the efficiency, each window's parameters with its in-sample and out-of-sample
 * return, and the stitched out-of-sample tear sheet against buy-and-hold.
 */
export function WalkForwardPanel() {
  const client = useApp((s) => s.client);
  const strategies = useApp((s) => s.strategies);
  const costDraft = useApp((s) => s.costs);
  const session = useApp((s) => s.session);
  const setup = useOptimize((s) => s.setup);
  const store = useMemo(() => walkForwardStoreFor(client), [client]);
  const { windows, running, progress, result, pinRequest, error, setWindows, setError } = useStore(
    store,
    useShallow((s) => s),
  );
  const [sheetOpen, setSheetOpen] = useState(false);
  const closeSheet = useCallback(() => setSheetOpen(false), []);

  const check = useMemo(
    () => checkSetup(setup, findStrategy(strategies, setup.strategy)),
    [setup, strategies],
  );
  const numbers = { train: Number(windows.train), test: Number(windows.test), step: Number(windows.step) };
  const purge = Number(windows.purge);
  const purgeNote = windows.purgeWarmup
    ? undefined
    : purgeFormNote({ mode: windows.mode, unit: windows.unit, train: numbers.train, purge });
  const windowErrors = Object.entries(numbers)
    .filter(([, v]) => !(Number.isInteger(v) && v >= 1))
    .map(([k]) => k)
    .concat(
      windows.purgeWarmup || (Number.isInteger(purge) && purge >= 0 && purgeNote?.refused !== true)
        ? []
        : ['purge'],
    );

  const run = async (): Promise<void> => {
    const base = check.request;
    if (base === null || windowErrors.length > 0) {
      setError('Fix the study form and the window fields first.');
      return;
    }
    const jobId = newJobId();
    const { costs } = checkCosts(costDraft);
    const { data } = base;
    const request: RequestInput<'walkforward:run'> = {
      strategy: base.strategy,
      ...(base.space === undefined ? {} : { space: base.space }),
      ...(base.constraints === undefined ? {} : { constraints: base.constraints }),
      ...(base.sampler === undefined ? {} : { sampler: base.sampler }),
      objectives: base.objectives,
      ...(base.mode === undefined ? {} : { mode: base.mode }),
      trials: base.trials,
      ...(base.seed === undefined ? {} : { seed: base.seed }),
      ...(base.minTrades === undefined ? {} : { minTrades: base.minTrades }),
      ...(base.cash === undefined ? {} : { cash: base.cash }),
      ...(base.commission === undefined ? {} : { commission: base.commission }),
      ...(base.preferPlateau === undefined ? {} : { preferPlateau: base.preferPlateau }),
      jobId,
      ...(costs === undefined ? {} : { costs }),
      // The symbols ticked on the form, combined as the study would combine them.
      data: {
        ...(data.symbols === undefined ? { symbol: data.symbol } : { symbols: data.symbols }),
        ...(data.symbolWeights === undefined ? {} : { symbolWeights: data.symbolWeights }),
        ...(data.aggregation === undefined ? {} : { aggregation: data.aggregation }),
        timeframe: data.timeframes[0]!,
        ...(data.start === undefined ? {} : { start: data.start }),
        ...(data.end === undefined ? {} : { end: data.end }),
        session,
      },
      windows: {
        mode: windows.mode,
        unit: windows.unit,
        ...numbers,
        purge: windows.purgeWarmup ? 'warm-up' : purge,
      },
    };
    await store.getState().run(request);
  };

  const html = useMemo(
    () =>
      result === null
        ? ''
        : tearSheetHtml({
            title: `Walk-forward ${result.strategy} on ${result.symbol} ${result.timeframe}: out of sample`,
            subtitle: `${result.windows.length} windows, seed ${result.seed}, efficiency ${result.efficiency === null ? 'n/a' : result.efficiency.toFixed(3)}`,
            metrics: result.outOfSample,
            sheet: result.tearSheet,
          }),
    [result],
  );
  const params = result === null ? [] : [...new Set(result.windows.flatMap((w) => Object.keys(w.params)))];

  return (
    <section className="panel wf-panel" data-testid="walk-forward-panel">
      <div className="panel-title">
        Walk-forward (out of sample)
        {result ? <PinButton key={result.runId} request={pinRequest} testId="wf-pin" /> : null}
        {result ? (
          <ResultActions
            openTestId="wf-open-tear-sheet"
            onOpenSheet={() => setSheetOpen(true)}
            downloads={[
              {
                testId: 'wf-export-html',
                label: 'HTML',
                fileName: fileNameOf([result.strategy, result.symbol, 'walk-forward'], 'html'),
                type: 'text/html',
                content: () => html,
              },
              {
                testId: 'wf-export-windows',
                label: 'Windows CSV',
                fileName: fileNameOf([result.strategy, result.symbol, 'windows'], 'csv'),
                type: 'text/csv',
                content: () => windowsCsv(result.windows),
              },
            ]}
          />
        ) : null}
      </div>
      <form
        className="form wf-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (running === null) void run();
        }}
      >
        <label className="field">
          <span className="field-label">windows</span>
          <select
            data-testid="wf-mode"
            value={windows.mode}
            onChange={(e) =>
              setWindows({ ...windows, mode: e.target.value === 'anchored' ? 'anchored' : 'rolling' })
            }
          >
            <option value="rolling">rolling</option>
            <option value="anchored">anchored</option>
          </select>
        </label>
        <label className="field">
          <span className="field-label">unit</span>
          <select
            data-testid="wf-unit"
            value={windows.unit}
            onChange={(e) => setWindows({ ...windows, unit: e.target.value === 'bars' ? 'bars' : 'days' })}
          >
            <option value="days">days</option>
            <option value="bars">bars</option>
          </select>
        </label>
        {(['train', 'test', 'step'] as const).map((key) => (
          <NumberField
            key={key}
            label={key}
            testId={`wf-${key}`}
            min={1}
            step={1}
            value={windows[key]}
            onChange={(value) => setWindows({ ...windows, [key]: value })}
            invalid={windowErrors.includes(key)}
          />
        ))}
        <NumberField
          label="purge"
          testId="wf-purge"
          title="Days or bars (the unit) each train window ends before its test window"
          min={0}
          step={1}
          value={windows.purge}
          disabled={windows.purgeWarmup}
          onChange={(value) => setWindows({ ...windows, purge: value })}
          invalid={windowErrors.includes('purge')}
        />
        <label className="field" title="A purge as long as the strategy's longest warm-up over the space">
          <span className="field-label">warm-up</span>
          <input
            type="checkbox"
            data-testid="wf-purge-warmup"
            checked={windows.purgeWarmup}
            onChange={(e) => setWindows({ ...windows, purgeWarmup: e.target.checked })}
          />
        </label>
        <button
          type="submit"
          className="run-button"
          data-testid="run-walk-forward"
          disabled={running !== null || check.request === null}
        >
          {running !== null ? 'Running…' : 'Run walk-forward'}
        </button>
        {running !== null ? (
          <button
            type="button"
            className="ghost-button small"
            onClick={() => void client.invoke('job:cancel', { jobId: running })}
          >
            Cancel
          </button>
        ) : null}
      </form>
      {running !== null ? (
        <RunProgressLine
          className="wf-progress"
          testId="wf-progress"
          progress={progress}
          stage="walk-forward"
        />
      ) : null}
      {purgeNote === undefined ? null : (
        <p className={purgeNote.refused ? 'error-text' : 'hint'} data-testid="wf-purge-note">
          {purgeNote.text}
        </p>
      )}
      <p className="hint">
        Uses the study form above: its trials are per train window, on its first timeframe.
      </p>
      {error ? (
        <div className="error-text" data-testid="wf-error">
          {error}
        </div>
      ) : null}
      {result ? (
        <>
          <div className="wf-summary" data-testid="wf-summary">
            <span data-testid="wf-purge-text" data-value={result.purge.length}>
              {walkForwardPurgeText(result.purge)}
            </span>
            <span
              data-testid="wf-efficiency"
              data-value={result.efficiency ?? ''}
              title="Annualized out-of-sample return over annualized in-sample return"
            >
              Walk-forward efficiency: <b>{walkForwardEfficiencyText(result, formatMetric)}</b>
            </span>
            {(['totalReturn', 'sharpeRatio', 'maxDrawdown'] as const).map((key) => {
              const over = inSampleMeanWindows(result.windows, key);
              return (
                <span key={key}>
                  {metricLabel(key)} out of sample:{' '}
                  <b data-testid={`wf-oos-${key}`} data-value={result.outOfSample[key] ?? ''}>
                    {formatMetric(key, result.outOfSample[key])}
                  </b>{' '}
                  (in sample, mean{over === null ? '' : ` of ${over}`}:{' '}
                  {formatMetric(key, result.inSampleMean[key])})
                </span>
              );
            })}
            {result.symbols?.map(({ symbol, outOfSample }) => (
              <span
                key={symbol}
                data-testid={`wf-symbol-${symbol}`}
                data-sharpe={outOfSample['sharpeRatio'] ?? ''}
              >
                {symbol} out of sample: <b>{formatMetric('totalReturn', outOfSample['totalReturn'])}</b>,
                Sharpe {formatMetric('sharpeRatio', outOfSample['sharpeRatio'])}
              </span>
            ))}
            {result.combination === undefined ? null : (
              <span className="hint" data-testid="wf-combination">
                Combined: {result.combination}.
              </span>
            )}
            {result.symbols === undefined ? null : (
              // As `regimen walk-forward` says on stderr: the Learner view's "No learner yet" after this run
              // is explained here, where the run is.
              <span className="hint" data-testid="wf-not-learned">
                Learner: {severalSymbolsNotLearnedText(result.symbols.map(({ symbol }) => symbol))}.
              </span>
            )}
          </div>
          <WindowTimeline result={result} />
          <StitchedEquity result={result} />
          <table className="kv-table wf-windows" data-testid="wf-parameter-path">
            <thead>
              <tr>
                <th>#</th>
                <th>test from</th>
                {params.map((p) => (
                  <th key={p}>{p}</th>
                ))}
                <th>in-sample return</th>
                <th>out-of-sample return</th>
              </tr>
            </thead>
            <tbody>
              {result.windows.map((w) => (
                <tr key={w.index}>
                  <td>{w.index + 1}</td>
                  <td>{new Date(w.test.startTime).toISOString().slice(0, 10)}</td>
                  {params.map((p) => (
                    <td key={p}>{String(w.params[p] ?? '')}</td>
                  ))}
                  <td>{formatMetric('totalReturn', w.inSample.totalReturn)}</td>
                  <td>{formatMetric('totalReturn', w.outOfSample.totalReturn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.notes.map((note) => (
            <p key={note} className="hint">
              {note}
            </p>
          ))}
        </>
      ) : null}
      {sheetOpen && html !== '' ? <TearSheetDialog html={html} onClose={closeSheet} /> : null}
    </section>
  );
}
