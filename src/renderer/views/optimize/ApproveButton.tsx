import { useState } from 'react';
import { formatParamValue } from '../../format.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { isApprovedTrial } from '../../store/optimizeStore.ts';

/**
 * "Approve for live", asked twice: the first click says what the live bot would take (and which approval
 * it replaces) and waits for a second, deliberate one.
 */
export function ApproveButton({
  trialNumber,
  testId,
  disabled = false,
}: {
  trialNumber: number;
  testId: string;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const detail = useOptimize((s) => s.study?.detail ?? null);
  const trial = useOptimize((s) => s.trials.find((t) => t.number === trialNumber) ?? null);
  const replaced = useOptimize(
    (s) => s.trials.find((t) => isApprovedTrial(s.study?.detail ?? null, t)) ?? null,
  );
  const approving = useOptimize((s) => s.approving);
  const approve = useOptimize((s) => s.approve);

  if (trial && isApprovedTrial(detail, trial))
    return (
      <span className="opt-approved-tag" data-testid={`${testId}-done`}>
        ✓ approved
      </span>
    );
  if (!asking)
    return (
      <button
        type="button"
        className="ghost-button small opt-approve"
        data-testid={testId}
        disabled={disabled || approving || !trial}
        onClick={() => setAsking(true)}
      >
        Approve for live
      </button>
    );
  const params = Object.entries(trial?.params ?? {})
    .map(([name, value]) => `${name}=${formatParamValue(value, 4)}`)
    .join(' ');
  return (
    <div
      className="opt-confirm"
      role="alertdialog"
      aria-label="Approve for live"
      data-testid="opt-approve-dialog"
    >
      <span>
        Approve trial #{trialNumber} for live trading? The live bot takes {params}
        {replaced
          ? `, replacing trial #${replaced.number}`
          : detail?.approved
            ? ', replacing the set approved before'
            : ''}
        .
      </span>
      <button
        type="button"
        className="ghost-button small opt-approve"
        data-testid="opt-approve-confirm"
        disabled={approving}
        onClick={() => {
          setAsking(false);
          void approve(trialNumber);
        }}
      >
        Approve
      </button>
      <button
        type="button"
        className="ghost-button small"
        data-testid="opt-approve-cancel"
        onClick={() => setAsking(false)}
      >
        Cancel
      </button>
    </div>
  );
}
