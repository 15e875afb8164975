import { useState } from 'react';
import type { BotChangesView, LiveBotView } from '../../../shared/contract.ts';
import type { RegimenClient } from '../../../shared/client.ts';
import type { Act } from './useLive.ts';

/**
 * Issue 13 item 9 in the audit section, as `regimen live audit --verify --bot URL` checks it: the bot is
 * asked for the state changes it reports (ramp steps, completion, guardrail rollbacks, heartbeat halts)
 * and each must have exactly one entry in the trail, and each entry one change.
 */
export function BotChangesCheck({
  bots,
  client,
  act,
}: {
  bots: readonly LiveBotView[];
  client: RegimenClient;
  act: Act;
}) {
  const [results, setResults] = useState<Readonly<Record<string, BotChangesView>>>({});
  return (
    <>
      {bots.map((bot) => {
        const result = results[bot.url];
        return (
          <div
            key={bot.url}
            className="live-line live-bot-changes"
            data-testid="live-bot-changes"
            data-bot={bot.url}
            data-ok={result === undefined ? '' : String(result.ok)}
          >
            <button
              type="button"
              className="ghost-button small"
              data-testid="live-bot-changes-check"
              onClick={() =>
                void act(async () => {
                  const checked = await client.invoke('live:audit-bot-changes', { bot: bot.url });
                  setResults((r) => ({ ...r, [bot.url]: checked }));
                })
              }
            >
              Match {bot.name}&apos;s state changes
            </button>{' '}
            {result === undefined ? null : (
              <span className={result.ok ? '' : 'bad'} data-testid="live-bot-changes-text">
                {result.text}
              </span>
            )}
          </div>
        );
      })}
    </>
  );
}
