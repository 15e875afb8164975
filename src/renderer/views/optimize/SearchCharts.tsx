import { useEffect, useMemo, type ReactNode } from 'react';
import { EChart, type ChartItemClick } from '../../charts/EChart.tsx';
import {
  contourOption,
  convergenceOption,
  heatmapOption,
  importanceOption,
  measureLabel,
  parallelOption,
  paretoOption,
  responseOption,
  sliceOption,
} from '../../charts/optimizeCharts.ts';
import { TOP_N_CHOICES } from '../../store/analysisSlice.ts';
import { TrialFilterBar } from './TrialFilterBar.tsx';
import { useVisibleTrials } from './useVisibleTrials.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { bestTrialNumber } from '../../store/optimizeStore.ts';
import { paretoFront2d, studyMeasures, type Measure } from '../../store/studyMeasures.ts';
import { metricLabel } from '../../metricFormat.ts';

function ChartPanel({
  title,
  testId,
  controls,
  empty,
  children,
}: {
  title: ReactNode;
  testId: string;
  controls?: ReactNode;
  empty: string | null;
  children: ReactNode;
}) {
  return (
    <section className="panel opt-chart" data-testid={`${testId}-panel`}>
      <div className="panel-title opt-chart-title">
        {/* The title gives way (cut with an ellipsis) so a narrow window never pushes the controls out. */}
        <span className="opt-chart-name">{title}</span>
        <span className="status-spacer" />
        {controls ? <span className="opt-chart-controls">{controls}</span> : null}
      </div>
      <div className="chart-box">
        {children}
        {empty ? <div className="empty overlay">{empty}</div> : null}
      </div>
    </section>
  );
}

function Picker({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: string | null;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string) => void;
  testId: string;
}) {
  return (
    <label className="toolbar-select">
      <span>{label}</span>
      <select data-testid={testId} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The trial number a clicked point carries (third value), if any. */
function clickedTrial(item: ChartItemClick, position: number): number | null {
  if (!Array.isArray(item.value)) return null;
  const n = Number(item.value[position]);
  return Number.isInteger(n) ? n : null;
}

/**
 * The live search (objective per trial, a parameter heatmap, the Pareto front or the response to one
 * parameter) or its analysis (parameter importance, contour, slices), each beside parallel coordinates;
 * all of them over the trials the filter keeps.
 */
export function SearchCharts() {
  const detail = useOptimize((s) => s.study?.detail ?? null);
  const opened = useOptimize((s) => s.study !== null);
  const trials = useVisibleTrials();
  const topN = useOptimize((s) => s.topN);
  const setTopN = useOptimize((s) => s.setTopN);
  const charts = useOptimize((s) => s.charts);
  const bestNumber = useOptimize(bestTrialNumber);
  const setCharts = useOptimize((s) => s.setCharts);
  const inspect = useOptimize((s) => s.inspect);

  const measures = useMemo(() => (detail ? studyMeasures(detail.summary) : []), [detail]);
  const objectives = measures.filter((m) => m.key.startsWith('objective-'));
  const pick = (key: string | null): Measure | null =>
    measures.find((m) => m.key === key) ?? measures[0] ?? null;
  const measure = pick(charts.measure);
  const paretoA = objectives.find((m) => m.key === charts.paretoA) ?? objectives[0] ?? null;
  const paretoB = objectives.find((m) => m.key === charts.paretoB) ?? objectives[1] ?? null;
  const space = detail?.config.space ?? [];
  const searched = space
    .filter((p) => (p.kind === 'categorical' ? p.choices.length > 1 : p.low < p.high))
    .map((p) => p.name);
  const paramOptions = space.map((p) => ({ value: p.name, label: p.name }));
  const measureOptions = measures.map((m) => ({ value: m.key, label: measureLabel(m) }));
  const objectiveOptions = objectives.map((m) => ({
    value: m.key,
    label: m.metric ? metricLabel(m.metric) : m.label,
  }));
  const multiObjective = objectives.length > 1;

  const convergence = useMemo(
    () => (measure ? convergenceOption(trials, measure, bestNumber) : null),
    [trials, measure, bestNumber],
  );
  const heatmap = useMemo(
    () =>
      measure && charts.heatX && charts.heatY
        ? heatmapOption(trials, measure, charts.heatX, charts.heatY, charts.heatAggregate)
        : null,
    [trials, measure, charts.heatX, charts.heatY, charts.heatAggregate],
  );
  const front = useMemo(
    () => (multiObjective && paretoA && paretoB ? paretoFront2d(trials, paretoA, paretoB) : []),
    [trials, multiObjective, paretoA, paretoB],
  );
  const pareto = useMemo(
    () => (multiObjective && paretoA && paretoB ? paretoOption(trials, paretoA, paretoB, front) : null),
    [trials, multiObjective, paretoA, paretoB, front],
  );
  const response = useMemo(
    () =>
      !multiObjective && measure && charts.response ? responseOption(trials, measure, charts.response) : null,
    [trials, multiObjective, measure, charts.response],
  );
  const searchedKey = searched.join(',');
  const parallel = useMemo(
    () =>
      measure
        ? parallelOption(trials, measure, searchedKey === '' ? [] : searchedKey.split(','), topN)
        : null,
    [trials, measure, searchedKey, topN],
  );
  const analysis = charts.tab === 'analysis';
  const contour = useMemo(
    () =>
      analysis && measure && charts.contourX && charts.contourY
        ? contourOption(trials, measure, charts.contourX, charts.contourY)
        : null,
    [analysis, trials, measure, charts.contourX, charts.contourY],
  );
  const slices = useMemo(
    () =>
      analysis && measure
        ? sliceOption(trials, measure, searchedKey === '' ? [] : searchedKey.split(','))
        : null,
    [analysis, trials, measure, searchedKey],
  );

  const complete = trials.filter((t) => t.status === 'complete').length;
  const anyComplete = useOptimize((s) => s.trials.some((t) => t.status === 'complete'));
  const waiting = !opened
    ? 'No study open: set one up on the left and start it, or open one from the list.'
    : !detail
      ? 'Loading the study…'
      : complete === 0
        ? anyComplete
          ? 'No trial passes the filter.'
          : 'Waiting for the first trials…'
        : null;
  const onPoint = (item: ChartItemClick) => {
    const n = clickedTrial(item, 2);
    if (n !== null) void inspect(n);
  };
  const onCell = (item: ChartItemClick) => {
    const n = clickedTrial(item, 4);
    if (n !== null) void inspect(n);
  };
  const onContourCell = (item: ChartItemClick) => {
    const n = clickedTrial(item, 3);
    if (n !== null) void inspect(n);
  };

  return (
    <div className="opt-charts-area">
      <div className="opt-chart-tabs">
        <div className="segmented" role="group" aria-label="Charts">
          {(['search', 'analysis'] as const).map((tab) => (
            <button
              key={tab}
              type="button"
              aria-pressed={charts.tab === tab}
              className={charts.tab === tab ? 'seg active' : 'seg'}
              data-testid={`opt-tab-${tab}`}
              onClick={() => setCharts({ tab })}
            >
              {tab === 'search' ? 'Search' : 'Analysis'}
            </button>
          ))}
        </div>
        <TrialFilterBar />
      </div>
      <div className="opt-charts" data-testid="opt-charts" data-trials={complete} data-tab={charts.tab}>
        {analysis ? (
          <AnalysisPanels
            waiting={waiting}
            measureKey={measure?.key ?? null}
            contour={contour}
            slices={slices}
            paramOptions={paramOptions}
            onPoint={onPoint}
            onCell={onContourCell}
          />
        ) : (
          <>
            <ChartPanel
              title="Objective per trial"
              testId="opt-convergence"
              empty={waiting}
              controls={
                <>
                  <span className="opt-legend">
                    <span className="opt-key-dot" /> trial <span className="opt-key-line" /> best so far
                  </span>
                  <Picker
                    label="plot"
                    testId="opt-measure"
                    value={measure?.key ?? null}
                    options={measureOptions}
                    onChange={(value) => setCharts({ measure: value })}
                  />
                </>
              }
            >
              {convergence ? (
                <EChart option={convergence} testId="opt-chart-convergence" onItemClick={onPoint} />
              ) : null}
            </ChartPanel>

            <ChartPanel
              title="Heatmap"
              testId="opt-heatmap"
              empty={waiting ?? (heatmap ? null : 'Choose two numeric parameters.')}
              controls={
                <>
                  <Picker
                    label="x"
                    testId="opt-heat-x"
                    value={charts.heatX}
                    options={paramOptions}
                    onChange={(value) => setCharts({ heatX: value })}
                  />
                  <Picker
                    label="y"
                    testId="opt-heat-y"
                    value={charts.heatY}
                    options={paramOptions}
                    onChange={(value) => setCharts({ heatY: value })}
                  />
                  <Picker
                    label="cell"
                    testId="opt-heat-aggregate"
                    value={charts.heatAggregate}
                    options={[
                      { value: 'best', label: 'best' },
                      { value: 'mean', label: 'mean' },
                    ]}
                    onChange={(value) => setCharts({ heatAggregate: value === 'mean' ? 'mean' : 'best' })}
                  />
                </>
              }
            >
              {heatmap ? <EChart option={heatmap} testId="opt-chart-heatmap" onItemClick={onCell} /> : null}
            </ChartPanel>

            {multiObjective ? (
              <ChartPanel
                title={
                  <span>
                    Pareto front · <span data-testid="opt-pareto-count">{front.length}</span> on it
                  </span>
                }
                testId="opt-pareto"
                empty={waiting}
                controls={
                  <>
                    <Picker
                      label="x"
                      testId="opt-pareto-a"
                      value={paretoA?.key ?? null}
                      options={objectiveOptions}
                      onChange={(value) => setCharts({ paretoA: value })}
                    />
                    <Picker
                      label="y"
                      testId="opt-pareto-b"
                      value={paretoB?.key ?? null}
                      options={objectiveOptions}
                      onChange={(value) => setCharts({ paretoB: value })}
                    />
                  </>
                }
              >
                {pareto ? <EChart option={pareto} testId="opt-chart-pareto" onItemClick={onPoint} /> : null}
              </ChartPanel>
            ) : (
              <ChartPanel
                title="Objective by parameter"
                testId="opt-response"
                empty={waiting}
                controls={
                  <Picker
                    label="param"
                    testId="opt-response-param"
                    value={charts.response}
                    options={paramOptions}
                    onChange={(value) => setCharts({ response: value })}
                  />
                }
              >
                {response ? (
                  <EChart option={response} testId="opt-chart-response" onItemClick={onPoint} />
                ) : null}
              </ChartPanel>
            )}
          </>
        )}
        <ChartPanel
          title={`Parallel coordinates · ${searched.length} searched · drag an axis to brush`}
          testId="opt-parallel"
          empty={waiting ?? (parallel ? null : 'No searched numeric parameters.')}
          controls={
            <Picker
              label="colour"
              testId="opt-top-n"
              value={String(topN)}
              options={TOP_N_CHOICES.map((n) => ({ value: String(n), label: n === 0 ? 'all' : `top ${n}` }))}
              onChange={(value) => setTopN(Number(value))}
            />
          }
        >
          {parallel ? <EChart option={parallel} testId="opt-chart-parallel" /> : null}
        </ChartPanel>
      </div>
    </div>
  );
}

/** Parameter importance (asked of the services), the contour of two parameters and one slice per parameter. */
function AnalysisPanels({
  waiting,
  measureKey,
  contour,
  slices,
  paramOptions,
  onPoint,
  onCell,
}: {
  waiting: string | null;
  measureKey: string | null;
  contour: ReturnType<typeof contourOption>;
  slices: ReturnType<typeof sliceOption>;
  paramOptions: Array<{ value: string; label: string }>;
  onPoint: (item: ChartItemClick) => void;
  onCell: (item: ChartItemClick) => void;
}) {
  const importance = useOptimize((s) => s.importance);
  const loadImportance = useOptimize((s) => s.loadImportance);
  const filter = useOptimize((s) => s.filter);
  const studyId = useOptimize((s) => s.study?.id ?? null);
  const state = useOptimize((s) => s.progress?.state ?? s.study?.detail?.summary.state ?? null);
  const contourX = useOptimize((s) => s.charts.contourX);
  const contourY = useOptimize((s) => s.charts.contourY);
  const setCharts = useOptimize((s) => s.setCharts);
  // Asked again when the study, its state, the measure or the filter change; a running study's on demand.
  useEffect(() => {
    if (studyId !== null && measureKey !== null) void loadImportance(measureKey);
  }, [studyId, state, measureKey, filter, loadImportance]);
  const bars = useMemo(
    () => (importance.status === 'ready' ? importanceOption(importance.data.params) : null),
    [importance],
  );
  // The services' own reason (too few trials pass the filter) says more than the charts' generic one.
  const importanceEmpty =
    importance.status === 'ready' && importance.data.note !== null
      ? importance.data.note
      : (waiting ??
        (importance.status === 'loading'
          ? 'Fitting the forest…'
          : importance.status === 'error'
            ? importance.message
            : null));
  return (
    <>
      <ChartPanel
        title={
          <span>
            Parameter importance (fANOVA)
            {importance.status === 'ready' ? (
              <span className="panel-sub" data-testid="opt-importance-used">
                {' '}
                · {importance.data.trialsUsed} trials
              </span>
            ) : null}
          </span>
        }
        testId="opt-importance"
        empty={importanceEmpty}
        controls={
          <button
            type="button"
            className="ghost-button small"
            data-testid="opt-importance-refresh"
            disabled={measureKey === null || importance.status === 'loading'}
            onClick={() => measureKey !== null && void loadImportance(measureKey)}
          >
            refresh
          </button>
        }
      >
        {bars && importance.status === 'ready' && importance.data.note === null ? (
          <EChart option={bars} testId="opt-chart-importance" />
        ) : null}
      </ChartPanel>
      <ChartPanel
        title="Contour"
        testId="opt-contour"
        empty={waiting ?? (contour ? null : 'Choose two different numeric parameters.')}
        controls={
          <>
            <Picker
              label="x"
              testId="opt-contour-x"
              value={contourX}
              options={paramOptions}
              onChange={(value) => setCharts({ contourX: value })}
            />
            <Picker
              label="y"
              testId="opt-contour-y"
              value={contourY}
              options={paramOptions}
              onChange={(value) => setCharts({ contourY: value })}
            />
          </>
        }
      >
        {contour ? <EChart option={contour} testId="opt-chart-contour" onItemClick={onCell} /> : null}
      </ChartPanel>
      <ChartPanel
        title="Slices · colour: trial order"
        testId="opt-slice"
        empty={waiting ?? (slices ? null : 'No searched numeric parameters.')}
      >
        {slices ? <EChart option={slices} testId="opt-chart-slice" onItemClick={onPoint} /> : null}
      </ChartPanel>
    </>
  );
}
