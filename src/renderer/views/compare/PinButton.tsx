import { useState } from 'react';
import type { RequestInput } from '../../../shared/contract.ts';
import { useCompare } from './useCompare.ts';

/** "Pin to compare" for a backtest or a trial: adds it to the compare set (the Compare tab shows why when refused). */
export function PinButton(props: { request: RequestInput<'compare:pin'> | null; testId: string }) {
  const pin = useCompare((s) => s.pin);
  const error = useCompare((s) => s.error);
  // Per request: the button stays while the result it pins changes (a new run, another trial), and
  // said "pinned" for a result never pinned.
  const shown = JSON.stringify(props.request);
  const [outcome, setOutcome] = useState<{ of: string; pinned: 'pinned' | 'refused' } | null>(null);
  const pinned = outcome?.of === shown ? outcome.pinned : 'idle';
  return (
    <button
      type="button"
      className="ghost-button small"
      data-testid={props.testId}
      data-pinned={pinned}
      disabled={props.request === null}
      title={pinned === 'refused' ? (error ?? '') : 'Pin to the compare set (Compare tab)'}
      onClick={() => {
        if (props.request === null) return;
        void pin(props.request).then((ok) => setOutcome({ of: shown, pinned: ok ? 'pinned' : 'refused' }));
      }}
    >
      {pinned === 'pinned' ? '📌 pinned' : '📌 Pin'}
    </button>
  );
}
