import { useState } from 'react';
import type { RequestInput } from '../../../shared/contract.ts';
import { useCompare } from './useCompare.ts';

/** "Pin to compare" for a backtest or a trial: adds it to the compare set (the Compare tab shows why when refused). */
export function PinButton(props: { request: RequestInput<'compare:pin'> | null; testId: string }) {
  const pin = useCompare((s) => s.pin);
  const error = useCompare((s) => s.error);
  const [pinned, setPinned] = useState<'idle' | 'pinned' | 'refused'>('idle');
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
        void pin(props.request).then((ok) => setPinned(ok ? 'pinned' : 'refused'));
      }}
    >
      {pinned === 'pinned' ? '📌 pinned' : '📌 Pin'}
    </button>
  );
}
