import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { BarsPayload } from '../../../shared/contract.ts';
import type { PriceBand } from '../../charts/priceChart.ts';
import { useApp } from '../../store/context.tsx';
import { regimeStoreFor, type RegimeState, type RegimeStore } from '../../store/regimeStore.ts';
import { labelsAtBars, labelSpans, REGIME_COLOURS, translucent } from './regimeBands.ts';

/** The regime store of this app's client (shared by both views' panels and the price chart). */
export function useRegimeStore(): RegimeStore {
  const client = useApp((s) => s.client);
  return useMemo(() => regimeStoreFor(client), [client]);
}

export function useRegime<T>(selector: (state: RegimeState) => T): T {
  return useStore(useRegimeStore(), selector);
}

/** Bands of the chosen axis's labels behind a chart of `bars`, when the labels are of those bars. */
export function useRegimeBands(bars: BarsPayload | null): PriceBand[] {
  const labels = useRegime((s) => s.labels);
  const axis = useRegime((s) => s.form.axis);
  return useMemo(() => {
    if (!bars || labels.status !== 'ready') return [];
    const data = labels.data;
    if (data.symbol !== bars.symbol || data.timeframe !== bars.timeframe) return [];
    const colours = REGIME_COLOURS[axis];
    return labelSpans(labelsAtBars(bars.t, data, axis)).map((span) => ({
      from: span.from,
      to: span.to,
      color: translucent(colours[span.code] ?? '#8a96a3', 0.14),
    }));
  }, [bars, labels, axis]);
}
