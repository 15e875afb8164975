import { useEffect, useState } from 'react';
import type { RegimenClient } from '../../../shared/client.ts';
import type { LiveBotsResult } from '../../../shared/contract.ts';
import type { Act } from './useLive.ts';

/**
 * How long a request to a bot waits for its answer: past it, a push is recorded with an unknown outcome
 * that the bot's status settles at the next look. Edited as numbers main validates (its refusal names
 * the field and the range).
 */
export function BotTimeoutsSection({
  timeouts,
  client,
  act,
}: {
  timeouts: LiveBotsResult['timeouts'];
  client: RegimenClient;
  act: Act;
}) {
  const [push, setPush] = useState(String(timeouts.pushSeconds));
  const [read, setRead] = useState(String(timeouts.readSeconds));
  useEffect(() => {
    setPush(String(timeouts.pushSeconds));
    setRead(String(timeouts.readSeconds));
  }, [timeouts.pushSeconds, timeouts.readSeconds]);
  return (
    <form
      className="panel live-add"
      data-testid="live-bot-timeouts"
      onSubmit={(e) => {
        e.preventDefault();
        void act(() =>
          client.invoke('live:bot-timeouts-set', { pushSeconds: Number(push), readSeconds: Number(read) }),
        );
      }}
    >
      <div className="panel-title">Waiting for a bot</div>
      {(
        [
          ['push', 'Push, halt, resume (s)', push, setPush],
          ['read', 'Read (s)', read, setRead],
        ] as const
      ).map(([id, label, value, set]) => (
        <label key={id}>
          {label}{' '}
          <input
            data-testid={`live-timeout-${id}`}
            inputMode="decimal"
            value={value}
            onChange={(e) => set(e.target.value)}
          />
        </label>
      ))}
      <button type="submit" className="ghost-button small" data-testid="live-timeouts-save">
        Save
      </button>
    </form>
  );
}
