/**
 * ECharts, tree-shaken: only the charts and components Regimen draws are registered, on the canvas
 * renderer (the SVG one and the rest of the library stay out of the bundle).
 */
import * as echarts from 'echarts/core';
import {
  BarChart,
  CandlestickChart,
  HeatmapChart,
  LineChart,
  ParallelChart,
  ScatterChart,
} from 'echarts/charts';
import type {
  BarSeriesOption,
  CandlestickSeriesOption,
  HeatmapSeriesOption,
  LineSeriesOption,
  ParallelSeriesOption,
  ScatterSeriesOption,
} from 'echarts/charts';
import {
  AxisPointerComponent,
  DataZoomComponent,
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import type {
  DataZoomComponentOption,
  GridComponentOption,
  MarkAreaComponentOption,
  MarkLineComponentOption,
  ParallelComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  CandlestickChart,
  HeatmapChart,
  LineChart,
  ParallelChart,
  ScatterChart,
  AxisPointerComponent,
  DataZoomComponent,
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.ComposeOption<
  | BarSeriesOption
  | CandlestickSeriesOption
  | HeatmapSeriesOption
  | LineSeriesOption
  | ParallelSeriesOption
  | ScatterSeriesOption
  | DataZoomComponentOption
  | GridComponentOption
  | MarkAreaComponentOption
  | MarkLineComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
> & {
  // Composing ParallelComponentOption in the union above retypes every chart's top-level `axisPointer`
  // (an echarts typing quirk), so the parallel coordinate system's two keys are added here instead.
  parallel?: ParallelComponentOption;
  parallelAxis?: Array<NonNullable<ParallelComponentOption['parallelAxisDefault']> & { dim: number }>;
};

export { echarts };
