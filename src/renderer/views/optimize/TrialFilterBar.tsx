import { useState } from 'react';
import type { TrialFilter } from '../../../shared/trialFilter.ts';
import { parseFilterBound } from '../../store/analysisSlice.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { useVisibleTrials } from './useVisibleTrials.ts';

function Bound({
  field,
  label,
  unit,
  title,
}: {
  field: keyof TrialFilter;
  label: string;
  unit: string;
  title: string;
}) {
  const setFilter = useOptimize((s) => s.setFilter);
  const [text, setText] = useState('');
  const parsed = parseFilterBound(field, text);
  return (
    <label className={parsed === undefined ? 'opt-filter-bound invalid' : 'opt-filter-bound'} title={title}>
      <span>{label}</span>
      <input
        type="number"
        min={0}
        max={field === 'maxDrawdown' ? 100 : undefined}
        step={field === 'maxDrawdown' ? 'any' : 1}
        placeholder="any"
        data-testid={`opt-filter-${field}`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const value = parseFilterBound(field, e.target.value);
          if (value !== undefined) setFilter({ [field]: value });
        }}
      />
      <span>{unit}</span>
    </label>
  );
}

/** The trial filter every chart, the table and the importance share, with how many trials it keeps. */
export function TrialFilterBar() {
  const all = useOptimize((s) => s.trials.length);
  const shown = useVisibleTrials().length;
  return (
    <div className="opt-filter" data-testid="opt-filter">
      <Bound
        field="minTrades"
        label="min trades"
        unit=""
        title="Keep trials with at least this many trades"
      />
      <Bound
        field="maxDrawdown"
        label="max drawdown"
        unit="%"
        title="Keep trials whose maximum drawdown is at most this deep"
      />
      <span className="opt-muted" data-testid="opt-filter-count" data-shown={shown} data-total={all}>
        {shown === all ? `all ${all} trials` : `${shown} of ${all} trials`}
      </span>
    </div>
  );
}
