import {
  FETCH_ADJUSTMENTS,
  FETCH_FEEDS,
  FETCH_TIMEFRAMES,
  type FetchAdjustment,
  type FetchFeed,
  type FetchTimeframe,
} from '../../../shared/fetchChoices.ts';
import { DataJobProgress, LastResult, PanelErrorBox } from './parts.tsx';
import { useData } from './useData.ts';

/** Fetch from Alpaca into the cache: only the ranges the cache is missing are asked for. */
export function FetchPanel() {
  const form = useData((s) => s.fetchForm);
  const setForm = useData((s) => s.setFetchForm);
  const runFetch = useData((s) => s.runFetch);
  const cancelFetch = useData((s) => s.cancelFetch);
  const job = useData((s) => s.job);
  const keys = useData((s) => s.keys);
  const host = keys.status === 'ready' ? keys.data.alpaca.dataBaseUrl : null;

  return (
    <section className="panel" data-testid="fetch-panel">
      <div className="panel-title">
        Fetch from Alpaca
        {host ? (
          <span className="panel-sub" title="Market-data host">
            {host.replace(/^https?:\/\//, '')}
          </span>
        ) : null}
      </div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void runFetch();
        }}
      >
        <label className="field">
          <span className="field-label">Symbols (comma separated)</span>
          <input
            data-testid="fetch-symbols"
            value={form.symbols}
            spellCheck={false}
            autoCapitalize="characters"
            onChange={(e) => setForm({ symbols: e.target.value })}
          />
        </label>
        <div className="params">
          <label className="field">
            <span className="field-label">Timeframe</span>
            <select
              data-testid="fetch-timeframe"
              value={form.timeframe}
              onChange={(e) => setForm({ timeframe: e.target.value as FetchTimeframe })}
            >
              {FETCH_TIMEFRAMES.map((tf) => (
                <option key={tf}>{tf}</option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Adjustment · feed</span>
            <span className="field-pair">
              <select
                data-testid="fetch-adjustment"
                value={form.adjustment}
                onChange={(e) => setForm({ adjustment: e.target.value as FetchAdjustment })}
              >
                {FETCH_ADJUSTMENTS.map((a) => (
                  <option key={a}>{a}</option>
                ))}
              </select>
              <select
                data-testid="fetch-feed"
                value={form.feed}
                onChange={(e) => setForm({ feed: e.target.value as FetchFeed })}
              >
                {FETCH_FEEDS.map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </span>
          </label>
          <label className="field">
            <span className="field-label">From (UTC date)</span>
            <input
              type="date"
              data-testid="fetch-start"
              value={form.start}
              onChange={(e) => setForm({ start: e.target.value })}
            />
          </label>
          <label className="field">
            <span className="field-label">To (inclusive)</span>
            <input
              type="date"
              data-testid="fetch-end"
              value={form.end}
              onChange={(e) => setForm({ end: e.target.value })}
            />
          </label>
        </div>
        <div className="run-row">
          <button type="submit" className="run-button" data-testid="fetch-button" disabled={job !== null}>
            {job?.kind === 'fetch' ? 'Fetching…' : 'Fetch missing bars'}
          </button>
        </div>
        {job?.kind === 'fetch' ? (
          <div className="job-row">
            <DataJobProgress kind="fetch" />
            <button
              type="button"
              className="ghost-button small"
              data-testid="fetch-cancel"
              disabled={job.cancelling}
              onClick={() => void cancelFetch()}
            >
              {job.cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          </div>
        ) : null}
      </form>
      <PanelErrorBox panel="fetch" />
      <LastResult kinds={['fetch']} />
    </section>
  );
}
