import { useEffect, useState } from 'react';
import type { LiveBotEntry } from '../../../shared/contract.ts';
import { useApp } from '../../store/context.tsx';
import { formatParamValue } from '../../format.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { isApprovedTrial } from '../../store/optimizeStore.ts';

/**
 * "Approve for live", asked twice: the first click says what the live bot would take (and which approval
 * it replaces) and waits for a second, deliberate one. With a bot chosen, the approval also becomes a live
 * proposal for that bot, which the Live view approves (typed hash, note) and pushes.
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
  const client = useApp((s) => s.client);
  const [bots, setBots] = useState<readonly LiveBotEntry[]>([]);
  const [bot, setBot] = useState('');
  useEffect(() => {
    if (!asking) return;
    let live = true;
    client
      .invoke('live:bots', {})
      .then((answer) => {
        if (!live) return;
        setBots(answer.bots);
        setBot((current) => current || (answer.bots[0]?.url ?? ''));
      })
      // Without the live desk the study approval still works; the bot list stays empty.
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [asking, client]);

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
      <select value={bot} data-testid="opt-approve-bot" onChange={(e) => setBot(e.target.value)}>
        <option value="">no live bot</option>
        {bots.map((b) => (
          <option key={b.url} value={b.url}>
            propose to {b.name}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="ghost-button small opt-approve"
        data-testid="opt-approve-confirm"
        disabled={approving}
        onClick={() => {
          setAsking(false);
          void approve(trialNumber, bot === '' ? undefined : bot);
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
