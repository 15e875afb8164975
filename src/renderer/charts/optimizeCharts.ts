/**
 * The optimisation charts: objective per trial with the best so far, a heatmap over two parameters, the
 * Pareto front of two objectives, objective against one parameter, and parallel coordinates. Every point
 * carries its trial number so a click can open that trial.
 */
import type { TrialRow } from '../../shared/contract.ts';
import { formatNumber, formatParamValue, formatPercent } from '../format.ts';
import { beats, isScorable, type Measure } from '../store/studyMeasures.ts';
import { formatMetric, metricLabel } from '../metricFormat.ts';
import type { ChartOption } from './echarts.ts';
import {
  axisLabel,
  axisLine,
  baseOption,
  monoFont,
  palette,
  splitLine,
  tooltipBase,
  tooltipRow,
} from './theme.ts';

/** Dark to bright; the bright end is always the better end of the measure. */
const SCALE = ['#1b2735', '#1d4f6b', '#21808a', '#26a69a', '#8fcf5a', '#f0b90b'];
const INFEASIBLE = 'rgba(108, 120, 134, 0.35)';

/** A measure's name with the way it is optimised in words: an arrow would read as a sort order. */
export function measureLabel(measure: Measure): string {
  const base = measure.metric ? metricLabel(measure.metric) : measure.label;
  return `${base} (${measure.direction === 'maximize' ? 'max' : 'min'})`;
}

export function formatMeasure(measure: Measure, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return measure.metric ? formatMetric(measure.metric, value) : formatNumber(value, 3);
}

/** Tooltip body for one trial: classes only (the CSP forbids style attributes), every text escaped. */
function trialTooltip(trial: TrialRow, rows: Array<[string, string]>): string {
  const params = Object.entries(trial.params).map(([k, v]) => tooltipRow(k, formatParamValue(v)));
  const lines = rows.map(([k, v]) => tooltipRow(k, v));
  const why = trial.wipedOut ? 'wiped out' : trial.feasible === false ? 'too few trades' : null;
  const flag = why === null ? '' : ` <span class="tt-key">(${why})</span>`;
  return `<div class="tt-title">Trial #${trial.number}${flag}</div>${lines.join('')}${params.join('')}<div class="tt-hint">click to inspect</div>`;
}

function trades(trial: TrialRow): string {
  const n = trial.metrics.numTrades;
  return n === null || n === undefined ? '—' : String(Math.round(n));
}

/**
 * A tooltip on the point under the pointer, whose value carries its trial number third: that trial's
 * body with the given rows.
 */
function trialPointTooltip(
  byNumber: ReadonlyMap<number, TrialRow>,
  rows: (trial: TrialRow) => Array<[string, string]>,
) {
  const formatter = (raw: unknown): string => {
    const value = (raw as { value?: unknown }).value;
    const trial = Array.isArray(value) ? byNumber.get(Number(value[2])) : undefined;
    return trial ? trialTooltip(trial, rows(trial)) : '';
  };
  return { ...tooltipBase, trigger: 'item' as const, formatter };
}

/** One point per trial; beyond a few thousand ECharts draws them in its faster large mode. */
function trialPoints(
  name: string,
  data: Array<[number, number, number]>,
  size: number,
  itemStyle?: { color: string; opacity?: number },
) {
  return {
    name,
    type: 'scatter' as const,
    data,
    symbolSize: size,
    ...(itemStyle ? { itemStyle } : {}),
    large: data.length > 2000,
  };
}

/** Points drawn over the others in the accent colour: the best trial, the Pareto front. */
function highlighted(name: string, data: Array<[number, number, number]>, symbol: string, size: number) {
  return {
    name,
    type: 'scatter' as const,
    data,
    symbol,
    symbolSize: size,
    itemStyle: { color: palette.accent, borderColor: '#111', borderWidth: 1 },
    z: 5,
  };
}

/** The colour legend of a measure on the right edge, for the data dimension that holds it. */
function measureLegend(measure: Measure, min: number, max: number, dimension: number, height: number) {
  return {
    type: 'continuous' as const,
    min,
    max,
    dimension,
    right: 4,
    top: 'middle',
    itemWidth: 10,
    itemHeight: height,
    calculable: false,
    inRange: { color: visualScale(measure) },
    textStyle: { color: palette.muted, fontFamily: monoFont, fontSize: 9 },
    formatter: (v: unknown) => formatMeasure(measure, Number(v)),
  };
}

function valueAxis(name: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'value' as const,
    name,
    nameLocation: 'middle' as const,
    nameGap: 24,
    nameTextStyle: { color: palette.muted, fontFamily: monoFont, fontSize: 10 },
    scale: true,
    axisLine,
    axisLabel,
    splitLine,
    ...extra,
  };
}

/** Objective of each trial in the order they ran, with the running best as a step line. */
export function convergenceOption(
  trials: readonly TrialRow[],
  measure: Measure,
  bestNumber: number | null,
): ChartOption {
  const feasible: Array<[number, number, number]> = [];
  const infeasible: Array<[number, number, number]> = [];
  const bestLine: Array<[number, number]> = [];
  let best: number | null = null;
  let bestPoint: [number, number, number] | null = null;
  const byNumber = new Map<number, TrialRow>();
  for (const trial of trials) {
    byNumber.set(trial.number, trial);
    if (trial.status !== 'complete') continue;
    const value = measure.value(trial);
    if (value === null) continue;
    const point: [number, number, number] = [trial.number, value, trial.number];
    if (!isScorable(trial)) {
      infeasible.push(point);
      continue;
    }
    feasible.push(point);
    if (best === null || beats(measure.direction, value, best)) best = value;
    bestLine.push([trial.number, best]);
    if (trial.number === bestNumber) bestPoint = point;
  }
  return {
    ...baseOption(),
    tooltip: trialPointTooltip(byNumber, (trial) => [
      [measureLabel(measure), formatMeasure(measure, measure.value(trial))],
      ['trades', trades(trial)],
    ]),
    grid: { left: 58, right: 14, top: 12, bottom: 34 },
    xAxis: valueAxis('trial', { min: 0, minInterval: 1, splitLine: { show: false } }),
    yAxis: valueAxis('', {
      axisLabel: { ...axisLabel, formatter: (v: number) => formatMeasure(measure, v) },
    }),
    series: [
      trialPoints('infeasible', infeasible, 4, { color: INFEASIBLE }),
      trialPoints('trials', feasible, 5, { color: palette.equity, opacity: 0.75 }),
      {
        name: 'best so far',
        type: 'line',
        data: bestLine,
        step: 'end',
        showSymbol: false,
        silent: true,
        lineStyle: { color: palette.accent, width: 1.5 },
        tooltip: { show: false },
      },
      highlighted('best', bestPoint ? [bestPoint] : [], 'diamond', 12),
    ],
  };
}

/** Cells of one parameter: its distinct values when few, else equal-width bins. */
interface ParamCells {
  labels: string[];
  index(value: number): number;
}

const MAX_DISTINCT = 24;
const BINS = 16;

function paramCells(values: readonly number[]): ParamCells {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= MAX_DISTINCT) {
    const position = new Map(distinct.map((v, i) => [v, i]));
    return { labels: distinct.map((v) => formatParamValue(v)), index: (v) => position.get(v) ?? -1 };
  }
  const low = distinct[0] ?? 0;
  const high = distinct[distinct.length - 1] ?? 1;
  const width = (high - low) / BINS || 1;
  // A bin is labelled by its centre, no more precise than the bin is wide.
  const integers = distinct.every((v) => Number.isInteger(v));
  const digits = integers ? 0 : Math.max(0, Math.ceil(-Math.log10(width)) + 1);
  const labels = Array.from({ length: BINS }, (_, i) => formatNumber(low + (i + 0.5) * width, digits));
  return { labels, index: (v) => Math.min(BINS - 1, Math.max(0, Math.floor((v - low) / width))) };
}

/** Colour scale for a measure: bright is better, whichever way the measure points. */
function visualScale(measure: Measure): string[] {
  return measure.direction === 'maximize' ? SCALE : [...SCALE].reverse();
}

function extent(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return [0, 1];
  return min === max ? [min - 1e-9, max + 1e-9] : [min, max];
}

interface PairPoint {
  x: number;
  y: number;
  v: number;
  trial: TrialRow;
}

/** The scorable trials with numeric values for both parameters: what the heatmap and the contour plot. */
function pairPoints(
  trials: readonly TrialRow[],
  measure: Measure,
  xName: string,
  yName: string,
): PairPoint[] {
  const points: PairPoint[] = [];
  for (const trial of trials) {
    if (!isScorable(trial)) continue;
    const x = trial.params[xName];
    const y = trial.params[yName];
    const v = measure.value(trial);
    if (typeof x !== 'number' || typeof y !== 'number' || v === null) continue;
    points.push({ x, y, v, trial });
  }
  return points;
}

/** The measure over two parameters, one cell per value pair (or bin), aggregated as the best or the mean. */

/** A named category axis of a heatmap or contour grid; `labels` says how its labels thin out. */
function categoryAxis(
  name: string,
  data: string[],
  gap: number,
  labels: { hideOverlap: true } | { interval: number },
) {
  return {
    type: 'category' as const,
    data,
    name,
    nameLocation: 'middle' as const,
    nameGap: gap,
    nameTextStyle: { color: palette.muted, fontFamily: monoFont, fontSize: 10 },
    axisLine,
    axisTick: { show: false },
    axisLabel: { ...axisLabel, ...labels },
    splitArea: { show: false },
  };
}

export function heatmapOption(
  trials: readonly TrialRow[],
  measure: Measure,
  xName: string,
  yName: string,
  aggregate: 'best' | 'mean',
): ChartOption | null {
  const points = pairPoints(trials, measure, xName, yName);
  if (points.length === 0) return null;
  const xs = paramCells(points.map((p) => p.x));
  const ys = paramCells(points.map((p) => p.y));
  const cells = new Map<
    string,
    { xi: number; yi: number; best: number; sum: number; n: number; bestTrial: number }
  >();
  for (const p of points) {
    const xi = xs.index(p.x);
    const yi = ys.index(p.y);
    const key = `${xi}:${yi}`;
    const cell = cells.get(key);
    if (!cell) cells.set(key, { xi, yi, best: p.v, sum: p.v, n: 1, bestTrial: p.trial.number });
    else {
      cell.sum += p.v;
      cell.n += 1;
      if (beats(measure.direction, p.v, cell.best)) {
        cell.best = p.v;
        cell.bestTrial = p.trial.number;
      }
    }
  }
  const data = [...cells.values()].map((c) => [
    c.xi,
    c.yi,
    aggregate === 'best' ? c.best : c.sum / c.n,
    c.n,
    c.bestTrial,
  ]);
  const [min, max] = extent(data.map((d) => d[2] ?? 0));
  const tooltipFormatter = (raw: unknown): string => {
    const value = (raw as { value?: unknown }).value;
    if (!Array.isArray(value)) return '';
    const [xi, yi, v, n, bestTrial] = value as number[];
    const rows: Array<[string, string]> = [
      [xName, xs.labels[xi ?? 0] ?? ''],
      [yName, ys.labels[yi ?? 0] ?? ''],
      [`${aggregate} ${measureLabel(measure)}`, formatMeasure(measure, v)],
      ['trials in cell', String(n)],
      ['best trial', `#${bestTrial}`],
    ];
    return rows.map(([k, text]) => tooltipRow(k, text)).join('');
  };
  return {
    ...baseOption(),
    tooltip: { ...tooltipBase, trigger: 'item', formatter: tooltipFormatter },
    grid: { left: 58, right: 64, top: 12, bottom: 36 },
    xAxis: categoryAxis(xName, xs.labels, 22, { hideOverlap: true }),
    yAxis: categoryAxis(yName, ys.labels, 40, { hideOverlap: true }),
    visualMap: { ...measureLegend(measure, min, max, 2, 120), text: ['', ''] },
    series: [
      {
        name: 'cells',
        type: 'heatmap',
        data,
        itemStyle: { borderColor: palette.panel, borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: palette.text, borderWidth: 1 } },
      },
    ],
  };
}

/** Every feasible trial on two objectives, the non-dominated ones highlighted and joined. */
export function paretoOption(
  trials: readonly TrialRow[],
  a: Measure,
  b: Measure,
  front: readonly TrialRow[],
): ChartOption {
  const onFront = new Set(front.map((t) => t.number));
  const byNumber = new Map<number, TrialRow>();
  const rest: Array<[number, number, number]> = [];
  const frontPoints: Array<[number, number, number]> = [];
  for (const trial of trials) {
    if (!isScorable(trial)) continue;
    const x = a.value(trial);
    const y = b.value(trial);
    if (x === null || y === null) continue;
    byNumber.set(trial.number, trial);
    (onFront.has(trial.number) ? frontPoints : rest).push([x, y, trial.number]);
  }
  frontPoints.sort((p, q) => p[0] - q[0]);
  return {
    ...baseOption(),
    tooltip: trialPointTooltip(byNumber, (trial) => [
      [measureLabel(a), formatMeasure(a, a.value(trial))],
      [measureLabel(b), formatMeasure(b, b.value(trial))],
      ['on the front', onFront.has(trial.number) ? 'yes' : 'no'],
    ]),
    grid: { left: 58, right: 16, top: 12, bottom: 36 },
    xAxis: valueAxis(measureLabel(a), {
      axisLabel: { ...axisLabel, formatter: (v: number) => formatMeasure(a, v) },
    }),
    yAxis: valueAxis('', {
      axisLabel: { ...axisLabel, formatter: (v: number) => formatMeasure(b, v) },
    }),
    series: [
      trialPoints('dominated', rest, 4, { color: palette.equity, opacity: 0.45 }),
      {
        name: 'front line',
        type: 'line',
        data: frontPoints.map(([x, y]) => [x, y]),
        showSymbol: false,
        silent: true,
        lineStyle: { color: palette.accent, width: 1, type: 'dashed' },
        tooltip: { show: false },
      },
      highlighted('Pareto front', frontPoints, 'circle', 8),
    ],
  };
}

/** The measure against one parameter: how the objective responds along that axis. */
export function responseOption(trials: readonly TrialRow[], measure: Measure, param: string): ChartOption {
  const byNumber = new Map<number, TrialRow>();
  const data: Array<[number, number, number]> = [];
  const values: number[] = [];
  for (const trial of trials) {
    if (!isScorable(trial)) continue;
    const x = trial.params[param];
    const y = measure.value(trial);
    if (typeof x !== 'number' || y === null) continue;
    byNumber.set(trial.number, trial);
    data.push([x, y, trial.number]);
    values.push(y);
  }
  const [min, max] = extent(values);
  return {
    ...baseOption(),
    tooltip: trialPointTooltip(byNumber, (trial) => [
      [measureLabel(measure), formatMeasure(measure, measure.value(trial))],
    ]),
    grid: { left: 58, right: 16, top: 12, bottom: 36 },
    xAxis: valueAxis(param),
    yAxis: valueAxis('', {
      axisLabel: { ...axisLabel, formatter: (v: number) => formatMeasure(measure, v) },
    }),
    visualMap: {
      show: false,
      type: 'continuous',
      min,
      max,
      dimension: 1,
      inRange: { color: visualScale(measure) },
    },
    series: [trialPoints('trials', data, 6)],
  };
}

/** At most this many lines: the best ones, which are the ones a trader reads this chart for. */
const MAX_LINES = 3000;
/** The trials outside the top N: drawn, so brushing still counts them, but faint and uncoloured. */
const REST_LINE = 'rgba(108, 120, 134, 0.12)';

/**
 * One axis per searched parameter and one for the measure; each trial a line. With `topN` > 0 only the
 * best N are coloured by the measure and the rest drawn faint underneath, so 2,000 lines stay readable;
 * dragging along any axis brushes a range (ECharts' axis area select) and dims every line outside it.
 */
export function parallelOption(
  trials: readonly TrialRow[],
  measure: Measure,
  params: readonly string[],
  topN = 0,
): ChartOption | null {
  const rows: Array<{ values: number[]; score: number }> = [];
  for (const trial of trials) {
    if (!isScorable(trial)) continue;
    const score = measure.value(trial);
    if (score === null) continue;
    const values: number[] = [];
    for (const name of params) {
      const v = trial.params[name];
      if (typeof v !== 'number') break;
      values.push(v);
    }
    if (values.length !== params.length) continue;
    values.push(score, trial.number);
    rows.push({ values, score });
  }
  if (rows.length === 0 || params.length === 0) return null;
  // Best first, then cut: the top N and the line budget both keep the best.
  rows.sort((p, q) => (measure.direction === 'maximize' ? q.score - p.score : p.score - q.score));
  if (rows.length > MAX_LINES) rows.length = MAX_LINES;
  const top = topN > 0 ? rows.slice(0, topN) : rows;
  const rest = topN > 0 ? rows.slice(topN) : [];
  // Drawn worst first so the best lines sit on top.
  top.reverse();
  const [min, max] = extent(top.map((r) => r.score));
  // Many parameters leave no room for their names side by side: lay the axes out as rows, names on the left.
  const crowded = params.length > 5;
  const axisCommon = {
    nameTextStyle: { color: palette.text, fontFamily: monoFont, fontSize: crowded ? 9 : 10 },
    nameGap: crowded ? 6 : 8,
    axisLine,
    axisTick: { show: !crowded, lineStyle: { color: palette.axis } },
    axisLabel: { ...axisLabel, fontSize: crowded ? 8 : 9, margin: crowded ? 2 : 8 },
    ...(crowded ? { splitNumber: 2 } : {}),
    scale: true,
    areaSelectStyle: {
      width: 14,
      color: 'rgba(240, 185, 11, 0.18)',
      borderColor: palette.accent,
      opacity: 1,
    },
  };
  const brushable = {
    realtime: true,
    activeOpacity: 1,
    inactiveOpacity: 0.03,
    progressive: 500,
    smooth: false,
  };
  return {
    ...baseOption(),
    parallel: crowded
      ? {
          layout: 'vertical',
          left: 128,
          right: 84,
          top: 10,
          bottom: 16,
          parallelAxisDefault: {
            type: 'value',
            nameLocation: 'start',
            nameGap: 10,
            axisLabel: { ...axisLabel, fontSize: 8, margin: 2 },
          },
        }
      : {
          left: 46,
          right: 80,
          top: 24,
          bottom: 18,
          parallelAxisDefault: { type: 'value', nameLocation: 'end' },
        },
    parallelAxis: [
      ...params.map((name, dim) => ({ ...axisCommon, dim, name })),
      {
        ...axisCommon,
        dim: params.length,
        name: measureLabel(measure),
        axisLabel: { ...axisLabel, fontSize: 9, formatter: (v: number) => formatMeasure(measure, v) },
      },
    ],
    visualMap: { ...measureLegend(measure, min, max, params.length, 110), seriesIndex: rest.length ? 1 : 0 },
    series: [
      ...(rest.length
        ? [
            {
              name: 'other trials',
              type: 'parallel' as const,
              data: rest.map((r) => r.values),
              lineStyle: { width: 1, color: REST_LINE, opacity: 1 },
              emphasis: { disabled: true },
              silent: true,
              ...brushable,
            },
          ]
        : []),
      {
        name: topN > 0 ? `top ${topN}` : 'trials',
        type: 'parallel' as const,
        data: top.map((r) => r.values),
        lineStyle: { width: topN > 0 ? 1.5 : 1, opacity: topN > 0 ? 0.9 : 0.45 },
        emphasis: { lineStyle: { width: 2, opacity: 1 } },
        ...brushable,
      },
    ],
  };
}

/** Parameter importance as horizontal bars, the most important on top. */
export function importanceOption(
  params: ReadonlyArray<{ name: string; importance: number; spread: number }>,
): ChartOption {
  const rows = [...params].reverse();
  const formatter = (raw: unknown): string => {
    const index = (raw as { dataIndex?: number }).dataIndex ?? -1;
    const p = rows[index];
    if (!p) return '';
    return (
      tooltipRow(p.name, formatPercent(p.importance, 1)) +
      tooltipRow('spread across trees', formatPercent(p.spread, 1))
    );
  };
  return {
    ...baseOption(),
    tooltip: { ...tooltipBase, trigger: 'item', formatter },
    grid: { left: 96, right: 48, top: 8, bottom: 20 },
    xAxis: {
      type: 'value',
      min: 0,
      max: 1,
      axisLine,
      splitLine,
      axisLabel: { ...axisLabel, formatter: (v: number) => formatPercent(v, 0) },
    },
    yAxis: {
      type: 'category',
      data: rows.map((p) => p.name),
      axisLine,
      axisTick: { show: false },
      axisLabel: { ...axisLabel, color: palette.text },
    },
    series: [
      {
        name: 'importance',
        type: 'bar',
        data: rows.map((p) => p.importance),
        itemStyle: { color: palette.equity },
        barMaxWidth: 14,
        label: {
          show: true,
          position: 'right',
          color: palette.muted,
          fontFamily: monoFont,
          fontSize: 9,
          formatter: (raw: { value?: unknown }) => formatPercent(Number(raw.value), 1),
        },
      },
    ],
  };
}

/** Cells per side of the contour's interpolation grid. */
export const CONTOUR_CELLS = 24;
/** Colour bands of the contour: the surface is read as levels, as a contour map is. */
const CONTOUR_LEVELS = 8;

/**
 * The measure over two parameters as a filled contour (Optuna's contour plot): the trials' values
 * interpolated onto a grid by inverse squared distance (in coordinates scaled to each parameter's range,
 * so neither dominates), coloured in bands. Each cell names the nearest trial, which a click inspects.
 */
export function contourGrid(
  trials: readonly TrialRow[],
  measure: Measure,
  xName: string,
  yName: string,
  cells = CONTOUR_CELLS,
): { xs: number[]; ys: number[]; data: Array<[number, number, number, number]> } | null {
  if (xName === yName) return null;
  const points = pairPoints(trials, measure, xName, yName);
  if (points.length === 0) return null;
  const px = points.map((p) => p.x);
  const py = points.map((p) => p.y);
  const pv = points.map((p) => p.v);
  const pn = points.map((p) => p.trial.number);
  const [x0, x1] = extent(px);
  const [y0, y1] = extent(py);
  const xs = Array.from({ length: cells }, (_, i) => x0 + ((i + 0.5) / cells) * (x1 - x0));
  const ys = Array.from({ length: cells }, (_, j) => y0 + ((j + 0.5) / cells) * (y1 - y0));
  const data: Array<[number, number, number, number]> = [];
  for (let i = 0; i < cells; i++) {
    for (let j = 0; j < cells; j++) {
      let weights = 0;
      let sum = 0;
      let nearest = 0;
      let nearestDistance = Infinity;
      for (let k = 0; k < pv.length; k++) {
        const dx = (px[k]! - xs[i]!) / (x1 - x0);
        const dy = (py[k]! - ys[j]!) / (y1 - y0);
        const d2 = dx * dx + dy * dy;
        if (d2 < nearestDistance) {
          nearestDistance = d2;
          nearest = k;
        }
        const w = 1 / (d2 + 1e-9);
        weights += w;
        sum += w * pv[k]!;
      }
      data.push([i, j, sum / weights, pn[nearest]!]);
    }
  }
  return { xs, ys, data };
}

export function contourOption(
  trials: readonly TrialRow[],
  measure: Measure,
  xName: string,
  yName: string,
): ChartOption | null {
  const grid = contourGrid(trials, measure, xName, yName);
  if (!grid) return null;
  const [min, max] = extent(grid.data.map((d) => d[2]));
  const label = (v: number): string => formatNumber(v, Math.abs(v) >= 100 ? 0 : 2);
  const formatter = (raw: unknown): string => {
    const value = (raw as { value?: unknown }).value;
    if (!Array.isArray(value)) return '';
    const [i, j, v, nearest] = value as number[];
    return [
      tooltipRow(xName, label(grid.xs[i ?? 0] ?? 0)),
      tooltipRow(yName, label(grid.ys[j ?? 0] ?? 0)),
      tooltipRow(`interpolated ${measureLabel(measure)}`, formatMeasure(measure, v)),
      tooltipRow('nearest trial', `#${nearest}`),
    ].join('');
  };
  return {
    ...baseOption(),
    tooltip: { ...tooltipBase, trigger: 'item', formatter },
    grid: { left: 58, right: 64, top: 12, bottom: 36 },
    // Every fourth cell centre: 24 labels do not fit the panel's height.
    xAxis: categoryAxis(xName, grid.xs.map(label), 22, { interval: 3 }),
    yAxis: categoryAxis(yName, grid.ys.map(label), 40, { interval: 3 }),
    visualMap: {
      ...measureLegend(measure, min, max, 2, 120),
      type: 'piecewise',
      splitNumber: CONTOUR_LEVELS,
      itemWidth: 10,
      itemHeight: 8,
      itemGap: 2,
    },
    series: [{ name: 'contour', type: 'heatmap', data: grid.data, progressive: 0 }],
  };
}

/** Most slice panels side by side before wrapping to another row. */
const SLICE_COLUMNS = 4;

/**
 * Optuna's slice plot: the measure against each searched parameter, one small panel each, every trial a
 * point coloured by when it ran (dark early, bright late), so a sampler's drift towards a region shows.
 */
export function sliceOption(
  trials: readonly TrialRow[],
  measure: Measure,
  params: readonly string[],
): ChartOption | null {
  const scorable = trials.filter((t) => isScorable(t) && measure.value(t) !== null);
  if (scorable.length === 0 || params.length === 0) return null;
  const columns = Math.min(SLICE_COLUMNS, params.length);
  const rows = Math.ceil(params.length / columns);
  const width = 100 / columns;
  const height = 100 / rows;
  const byNumber = new Map(scorable.map((t) => [t.number, t]));
  let last = 0;
  for (const t of scorable) last = Math.max(last, t.number);
  return {
    ...baseOption(),
    tooltip: trialPointTooltip(byNumber, (trial) => [
      [measureLabel(measure), formatMeasure(measure, measure.value(trial))],
    ]),
    grid: params.map((_, k) => ({
      left: `${(k % columns) * width + 4}%`,
      width: `${width - 6}%`,
      top: `${Math.floor(k / columns) * height + 3}%`,
      height: `${height - 14}%`,
      containLabel: false,
    })),
    xAxis: params.map((name, k) =>
      valueAxis(name, {
        gridIndex: k,
        nameGap: 16,
        axisLabel: { ...axisLabel, fontSize: 8, hideOverlap: true },
      }),
    ),
    yAxis: params.map((_, k) =>
      valueAxis('', {
        gridIndex: k,
        splitNumber: 3,
        axisLabel: {
          ...axisLabel,
          fontSize: 8,
          show: k % columns === 0,
          formatter: (v: number) => formatMeasure(measure, v),
        },
      }),
    ),
    visualMap: {
      show: false,
      type: 'continuous',
      min: 0,
      max: Math.max(1, last),
      dimension: 3,
      inRange: { color: SCALE },
    },
    series: params.map((name, k) => ({
      name,
      type: 'scatter' as const,
      // x, measure, the trial number (third: what a click reads) and again as the colour dimension.
      data: scorable.flatMap((t) => {
        const x = t.params[name];
        return typeof x === 'number' ? [[x, measure.value(t)!, t.number, t.number]] : [];
      }),
      symbolSize: 4,
      large: scorable.length > 2000,
      xAxisIndex: k,
      yAxisIndex: k,
    })),
  };
}
