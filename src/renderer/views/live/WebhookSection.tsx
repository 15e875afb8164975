import { useCallback, useEffect, useState } from 'react';
import type { LiveWebhookView } from '../../../shared/contract.ts';
import type { RegimenClient } from '../../../shared/client.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import type { Act } from './useLive.ts';

/**
 * The alarm webhook: its URL (set or cleared), whether a signing secret is set (the secret itself is
 * written here once and never comes back: main keeps it in the keychain), the last delivery and a test.
 */
export function WebhookSection({ client, act }: { client: RegimenClient; act: Act }) {
  const [view, setView] = useState<LiveWebhookView | null>(null);
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const time = useTimeFormat();

  const load = useCallback(async () => {
    setView(await client.invoke('live:webhook', {}));
  }, [client]);
  useEffect(() => {
    void act(load);
  }, [act, load]);

  if (view === null) return null;
  const last = view.lastDelivery;
  const set = (next: string | null) =>
    void act(async () => {
      setView(
        await client.invoke('live:webhook-set', {
          url: next,
          ...(next !== null && secret !== '' ? { secret } : {}),
        }),
      );
      setSecret('');
      setUrl('');
    });
  return (
    <section className="panel live-webhook" data-testid="live-webhook" data-url={view.url ?? ''}>
      <div className="panel-title">Alarm webhook</div>
      <div className="live-line">
        {view.url === null ? 'Not set: alarms stay in the app' : view.url}{' '}
        <span className="live-tag" data-testid="live-webhook-secret">
          {view.secretSet ? 'signing secret set' : 'no signing secret'}
        </span>
      </div>
      <div className="live-line muted" data-testid="live-webhook-last" data-status={last?.status ?? ''}>
        {last === null
          ? 'No delivery yet'
          : `Last delivery ${time.dateTime(last.at)}: ${last.kind === 'test' ? 'test' : `${last.kind} of ${last.bot}`} → ${last.error ?? `HTTP ${last.status}`}`}
      </div>
      <form
        className="live-actions"
        onSubmit={(e) => {
          e.preventDefault();
          set(url.trim());
        }}
      >
        <input
          placeholder="https://hooks.example.com/regimen"
          data-testid="live-webhook-url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <input
          type="password"
          placeholder={view.secretSet ? 'signing secret (kept)' : 'signing secret (16+ characters)'}
          data-testid="live-webhook-secret-input"
          autoComplete="off"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
        <button
          type="submit"
          className="ghost-button small"
          data-testid="live-webhook-save"
          disabled={url.trim() === ''}
        >
          Set
        </button>
        <button
          type="button"
          className="ghost-button small"
          data-testid="live-webhook-clear"
          disabled={view.url === null}
          onClick={() => set(null)}
        >
          Clear
        </button>
        <button
          type="button"
          className="ghost-button small"
          data-testid="live-webhook-test"
          disabled={view.url === null}
          onClick={() => void act(async () => setView(await client.invoke('live:webhook-test', {})))}
        >
          Send a test
        </button>
      </form>
    </section>
  );
}
