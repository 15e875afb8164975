import { useEffect, useMemo, useRef } from 'react';
import type { RegimeAxis } from '../../../core/regime/labels.ts';
import type { RegimesResult } from '../../../shared/contract.ts';
import { labelsAtBars, labelSpans, REGIME_COLOURS } from './regimeBands.ts';

/**
 * One strip under a chart, one colour per label of `axis`, over the bars at `times` (the chart's bars);
 * drawn on a canvas, since a year of minutes is thousands of spans.
 */
export function RegimeRibbon({
  times,
  regimes,
  axis,
  testId,
}: {
  times: readonly number[];
  regimes: RegimesResult;
  axis: RegimeAxis;
  testId: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const spans = useMemo(() => labelSpans(labelsAtBars(times, regimes, axis)), [times, regimes, axis]);
  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    const width = (element.width = Math.max(1, Math.round(element.clientWidth * devicePixelRatio)));
    const height = (element.height = Math.max(1, Math.round(element.clientHeight * devicePixelRatio)));
    context.clearRect(0, 0, width, height);
    const perBar = width / Math.max(1, times.length);
    for (const span of spans) {
      context.fillStyle = REGIME_COLOURS[axis][span.code] ?? '#8a96a3';
      context.fillRect(span.from * perBar, 0, Math.max(1, (span.to - span.from + 1) * perBar), height);
    }
  }, [spans, times.length, axis]);
  const names = regimes.axes[axis].names;
  return (
    <div className="regime-ribbon" data-testid={testId} data-spans={spans.length} data-axis={axis}>
      <canvas ref={canvas} className="regime-ribbon-canvas" aria-label={`${axis} regimes`} />
      <div className="regime-legend">
        {names.map((name, code) => (
          <span key={name} className="regime-legend-item">
            <span className={`regime-swatch ${axis}-${code}`} />
            {name}
          </span>
        ))}
      </div>
    </div>
  );
}
