import { useEffect, useRef } from 'react';
import { echarts, type ChartOption } from './echarts.ts';

interface EChartProps {
  option: ChartOption;
  testId: string;
  className?: string;
  /** Keeps the user's zoom when the option is replaced (new markers on the same bars). */
  keepZoom?: boolean;
  /** Zooms the category axis to these indices; a new `key` applies it again. */
  zoomTo?: { startValue: number; endValue: number; key: number } | null;
  /** Called with the clicked data item (its `value`, `seriesName` and `dataIndex`). */
  onItemClick?: (item: ChartItemClick) => void;
}

export interface ChartItemClick {
  seriesName: string | undefined;
  dataIndex: number;
  value: unknown;
}

/** One ECharts instance bound to a div: created on mount, resized with its box, disposed on unmount. */
export function EChart({
  option,
  testId,
  className,
  keepZoom = false,
  zoomTo = null,
  onItemClick,
}: EChartProps) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.EChartsType | null>(null);
  const latestOption = useRef(option);
  latestOption.current = option;
  // The option the instance draws, so the effect below does not set the one the mount just drew again.
  const drawn = useRef<ChartOption | null>(null);
  const latestClick = useRef(onItemClick);
  latestClick.current = onItemClick;

  useEffect(() => {
    const el = element.current;
    if (!el) return;
    const instance = echarts.init(el, null, { renderer: 'canvas' });
    chart.current = instance;
    instance.setOption(latestOption.current, { notMerge: true });
    drawn.current = latestOption.current;
    instance.on('click', (event) => {
      latestClick.current?.({ seriesName: event.seriesName, dataIndex: event.dataIndex, value: event.value });
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
      drawn.current = null;
    };
  }, []);

  useEffect(() => {
    const instance = chart.current;
    if (!instance || drawn.current === option) return;
    drawn.current = option;
    if (keepZoom) {
      // Carry the current zoom window over into the new option instead of resetting to its default.
      const current = instance.getOption() as { dataZoom?: Array<{ start?: number; end?: number }> };
      const zoom = current.dataZoom?.[0];
      const next = option.dataZoom;
      if (zoom && Array.isArray(next)) {
        const start = zoom.start;
        const end = zoom.end;
        instance.setOption(
          {
            ...option,
            dataZoom: next.map((z) => ({ ...z, start, end, startValue: undefined, endValue: undefined })),
          },
          { notMerge: true },
        );
        return;
      }
    }
    instance.setOption(option, { notMerge: true });
  }, [option, keepZoom]);

  // Declared after the option effect so that, when both change in one render, the zoom lands on the new data.
  useEffect(() => {
    if (!zoomTo) return;
    chart.current?.dispatchAction({
      type: 'dataZoom',
      startValue: zoomTo.startValue,
      endValue: zoomTo.endValue,
    });
  }, [zoomTo]);

  return <div ref={element} className={className ?? 'chart'} data-testid={testId} />;
}
