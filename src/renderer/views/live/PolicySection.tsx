import { useCallback, useEffect, useState } from 'react';
import { unmeasuredSkillText } from '../../../core/live/learnerBasis.ts';
import type { LivePolicyView } from '../../../shared/contract.ts';
import type { RegimenClient } from '../../../shared/client.ts';
import type { Act } from './useLive.ts';

/**
 * A bot's auto-approval policy: what it lets through without a person, and an editor for its next
 * version. The policy is edited as the JSON main validates (the refusal names the field at fault), so
 * the page holds no second copy of the rules.
 */
export function PolicySection({ bot, client, act }: { bot: string; client: RegimenClient; act: Act }) {
  const [view, setView] = useState<LivePolicyView | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [reason, setReason] = useState('');

  const load = useCallback(async () => {
    setView(await client.invoke('live:policy', { bot }));
  }, [client, bot]);
  useEffect(() => {
    void act(load);
  }, [act, load]);

  const save = () => {
    let policy: unknown;
    try {
      policy = JSON.parse(draft ?? '');
    } catch (error) {
      void act(() => Promise.reject(new Error(`The policy is not JSON: ${(error as Error).message}`)));
      return;
    }
    void act(async () => {
      // The contract validates the shape; the page only parses the text.
      setView(
        await client.invoke('live:policy-set', {
          bot,
          policy: policy as LivePolicyView['policy'],
          reason,
        }),
      );
      setDraft(null);
      setReason('');
    });
  };

  if (view === null) return null;
  const bounds = Object.entries(view.policy.bounds);
  return (
    <div className="live-policy" data-testid="live-policy" data-version={view.version}>
      <div className="live-line">
        <b>Auto-approval</b>{' '}
        {view.version === 0 ? (
          'none: every recommendation waits for a person'
        ) : (
          <>
            v{view.version} by {view.setBy}: at most {view.policy.maxChangesPerDay} change(s) a day
            {view.policy.minConfidence === undefined ? '' : `, confidence ≥ ${view.policy.minConfidence}`}
            {'; '}
            <span data-testid="live-policy-unmeasured-skill">
              {unmeasuredSkillText(view.policy.approveUnmeasuredSkill === true)}
            </span>
            {bounds.map(([name, b]) => (
              <span key={name} className="live-tag" data-testid="live-policy-bound">
                {name} [{b.min ?? '−∞'}, {b.max ?? '∞'}]{b.maxStep === undefined ? '' : ` ±${b.maxStep}`}
              </span>
            ))}
          </>
        )}
        <button
          type="button"
          className="ghost-button small"
          data-testid="live-policy-edit"
          onClick={() => setDraft(draft === null ? JSON.stringify(view.policy, null, 2) : null)}
        >
          {draft === null ? 'Edit' : 'Cancel'}
        </button>
      </div>
      {draft !== null ? (
        <form
          className="live-actions"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <textarea
            className="live-policy-text"
            data-testid="live-policy-text"
            rows={8}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <input
            placeholder="reason"
            data-testid="live-policy-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button
            type="submit"
            className="ghost-button small"
            data-testid="live-policy-save"
            disabled={reason.trim() === ''}
          >
            Save as v{view.version + 1}
          </button>
        </form>
      ) : null}
    </div>
  );
}
