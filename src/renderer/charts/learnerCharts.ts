/**
 * The learner's charts: its rolling accuracy (MAE, rank correlation, pairwise) and interval coverage over
 * the windows of the prequential evaluation, the calibration of its intervals (nominal against realised
 * coverage, the diagonal being perfect), and the features that weigh most in its linear model.
 */
import type { LearnerEvaluation } from '../../shared/contract.ts';
import type { ChartOption } from './echarts.ts';
import { axisLabel, axisLine, baseOption, palette, splitLine, tooltipBase } from './theme.ts';

const grid = { left: 48, right: 16, top: 28, bottom: 28 };

const valueAxis = (extra: Record<string, unknown> = {}) => ({
  type: 'value' as const,
  axisLabel,
  axisLine,
  splitLine,
  scale: true,
  ...extra,
});

const line = (name: string, data: (number | null)[], color: string) => ({
  type: 'line' as const,
  name,
  data,
  showSymbol: false,
  lineStyle: { width: 1.5, color },
  itemStyle: { color },
});

type RollingFigure = Exclude<keyof LearnerEvaluation['rolling'][number], 'window' | 'startTime'>;

const rollingLine = (evaluation: LearnerEvaluation, name: string, figure: RollingFigure, color: string) =>
  line(
    name,
    evaluation.rolling.map((p) => p[figure]),
    color,
  );

export function accuracyChart(evaluation: LearnerEvaluation): ChartOption {
  const windows = evaluation.rolling.map((p) => String(p.window));
  return {
    ...baseOption(),
    grid,
    tooltip: { ...tooltipBase, trigger: 'axis' },
    xAxis: { type: 'category', data: windows, axisLabel, axisLine, name: 'window' },
    yAxis: valueAxis(),
    series: [
      rollingLine(evaluation, 'rolling MAE', 'mae', palette.down),
      rollingLine(evaluation, 'rank correlation', 'rank', palette.equity),
      rollingLine(evaluation, 'pairwise "A beats B"', 'pairwise', palette.up),
      rollingLine(evaluation, 'top-quintile precision', 'topQuintile', palette.accent),
    ],
  } as ChartOption;
}

export function coverageChart(evaluation: LearnerEvaluation): ChartOption {
  const windows = evaluation.rolling.map((p) => String(p.window));
  const nominal = (level: number, color: string) => ({
    ...line(
      `nominal ${level * 100} %`,
      windows.map(() => level),
      color,
    ),
    lineStyle: { width: 1, type: 'dashed' as const, color },
  });
  return {
    ...baseOption(),
    grid,
    tooltip: { ...tooltipBase, trigger: 'axis' },
    xAxis: { type: 'category', data: windows, axisLabel, axisLine },
    yAxis: valueAxis({ min: 0.5, max: 1 }),
    series: [
      rollingLine(evaluation, '80 % interval coverage', 'coverage80', palette.equity),
      rollingLine(evaluation, '90 % interval coverage', 'coverage90', palette.up),
      nominal(0.8, palette.equity),
      nominal(0.9, palette.up),
    ],
  } as ChartOption;
}

export function calibrationChart(evaluation: LearnerEvaluation): ChartOption {
  return {
    ...baseOption(),
    grid,
    tooltip: { ...tooltipBase, trigger: 'item' },
    // The intervals' levels run from 50 to 95 %; a margin below keeps a 50 % level that fell short visible.
    xAxis: valueAxis({ min: 0.4, max: 1, name: 'nominal', scale: false }),
    yAxis: valueAxis({ min: 0.4, max: 1, name: 'realised', scale: false }),
    series: [
      {
        type: 'line',
        name: 'perfect calibration',
        data: [
          [0.4, 0.4],
          [1, 1],
        ],
        showSymbol: false,
        lineStyle: { width: 1, type: 'dashed', color: palette.muted },
      },
      {
        type: 'scatter',
        name: 'realised coverage',
        data: evaluation.calibration.map((c) => [c.nominal, c.realised]),
        symbolSize: 10,
        itemStyle: { color: palette.accent },
      },
    ],
  } as ChartOption;
}

export function importanceChart(importance: readonly { feature: string; weight: number }[]): ChartOption {
  const top = importance.slice(0, 10).reverse();
  return {
    ...baseOption(),
    grid: { ...grid, left: 150 },
    tooltip: { ...tooltipBase, trigger: 'axis' },
    xAxis: valueAxis({ name: 'weight' }),
    yAxis: { type: 'category', data: top.map((f) => f.feature), axisLabel, axisLine },
    series: [
      {
        type: 'bar',
        name: 'weight (standardised)',
        data: top.map((f) => ({
          value: f.weight,
          itemStyle: { color: f.weight >= 0 ? palette.up : palette.down },
        })),
      },
    ],
  } as ChartOption;
}
