import type { StudyDetail } from '../../shared/contract.ts';

/** One figure of one slice (a symbol, a timeframe, or both) of a study scored on several. */
export interface SliceFigure {
  /** The trial's metrics key: `metric@slice`, as the services store it. */
  key: string;
  metric: string;
  slice: string;
}

/**
 * The per-slice figures a study's trials carry beside the combined ones: each objective's metric (then
 * the trade count, so a slice that barely traded shows) on every slice, slice by slice. None for a study
 * of one slice, whose combined figures are the only ones.
 */
export function sliceFigures(detail: Pick<StudyDetail, 'summary' | 'config'>): SliceFigure[] {
  const metrics = [...new Set([...detail.summary.objectives.map((o) => o.metric), 'numTrades'])];
  return detail.config.slices.flatMap((slice) =>
    metrics.map((metric) => ({ key: `${metric}@${slice.key}`, metric, slice: slice.key })),
  );
}
