import { useCallback, useEffect, useState } from 'react';
import type { ComputeStatus, ComputeTestResult } from '../../../shared/contract.ts';
import { otherCodeText } from '../../../shared/otherCodeText.ts';
import { errorMessage } from '../../client/clientError.ts';
import { useApp } from '../../store/context.tsx';

/** How often the worker list is refreshed while the section is open (workers beat every 2 s). */
const REFRESH_MS = 2_000;

const PASSWORD_LABEL: Record<ComputeStatus['password'], string> = {
  none: 'none',
  saved: 'saved in the secret store',
  environment: 'REGIMEN_REDIS_PASSWORD (environment)',
};

function Workers({ status }: { status: ComputeStatus }) {
  const otherCode = otherCodeText(status.otherWorkers);
  return (
    <>
      {otherCode !== null ? (
        <div className="settings-warning" data-testid="compute-other-workers">
          {otherCode}
        </div>
      ) : null}
      {status.workers.length === 0 ? (
        <div className="empty" data-testid="compute-no-workers">
          No worker is connected: run <code>regimen worker --redis URL</code> on a machine with Regimen.
        </div>
      ) : (
        <WorkerTable status={status} />
      )}
    </>
  );
}

function WorkerTable({ status }: { status: ComputeStatus }) {
  return (
    <table className="kv-table settings-status compute-workers" data-testid="compute-workers">
      <thead>
        <tr>
          <th>Host</th>
          <th>Cores</th>
          <th>Sandboxes</th>
          <th>Trials/s</th>
          <th>Trials</th>
        </tr>
      </thead>
      <tbody>
        {status.workers.map((w) => (
          <tr key={w.id} data-testid="compute-worker" data-pid={w.pid}>
            <td data-testid="compute-worker-host">
              {w.host} <span className="muted">pid {w.pid}</span>
            </td>
            <td data-testid="compute-worker-cores">{w.cores}</td>
            <td>{w.concurrency}</td>
            <td>{w.trialsPerSecond.toFixed(1)}</td>
            <td data-testid="compute-worker-trials">{w.trialsDone}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Settings > Compute: where studies and walk-forward runs compute. A Redis URL typed here goes to the
 * services once (choose or test) and leaves the page; what comes back shows its password as ***.
 */
export function ComputePanel() {
  const client = useApp((s) => s.client);
  const [status, setStatus] = useState<ComputeStatus | null>(null);
  // What the person picked; until then the services' current target. The picker is usable before the first
  // status arrives, and that status must not undo a pick made meanwhile (it did: the study then ran locally).
  const [picked, setPicked] = useState<'local' | 'redis' | null>(null);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tested, setTested] = useState<ComputeTestResult | null>(null);

  const refresh = useCallback(async () => {
    try {
      setStatus(await client.invoke('compute:status', {}));
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [client]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [client, refresh]);

  const target = picked ?? status?.target ?? 'local';
  const typed = url.trim();
  // The URL shown (its password as ***) can be chosen again as it is: the services read *** as the saved one.
  const saved = status?.redisUrl ?? null;
  const act = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const choose = (): Promise<void> =>
    act(async () => {
      const next = await client.invoke(
        'compute:choose',
        target === 'local' ? { target } : { target, redisUrl: typed === '' ? (saved ?? '') : typed },
      );
      setStatus(next);
      // The URL (and any password in it) leaves the page as soon as the services have it.
      setUrl('');
      setTested(null);
    });
  const test = (): Promise<void> =>
    act(async () => setTested(await client.invoke('compute:test', typed === '' ? {} : { redisUrl: typed })));

  const canChoose = !busy && (target === 'local' || typed !== '' || saved !== null);

  return (
    <section className="panel settings-panel" data-testid="compute-settings">
      <div className="panel-title">Compute</div>
      <form
        className="form"
        autoComplete="off"
        onSubmit={(event) => {
          event.preventDefault();
          if (canChoose) void choose();
        }}
      >
        <p className="settings-text">
          Studies and walk-forward runs compute on this machine, or on <code>regimen worker</code> processes
          on other machines, through a Redis server they share. The choice applies to the next study started.
        </p>
        <label className="field">
          <span className="field-label">Compute on</span>
          <select
            data-testid="compute-target"
            value={target}
            onChange={(e) => setPicked(e.target.value === 'redis' ? 'redis' : 'local')}
          >
            <option value="local">this machine</option>
            <option value="redis">workers over Redis</option>
          </select>
        </label>
        {target === 'redis' ? (
          <label className="field">
            <span className="field-label">Redis URL</span>
            <input
              data-testid="compute-redis-url"
              value={url}
              spellCheck={false}
              autoComplete="off"
              placeholder={status?.redisUrl ?? 'redis://[user[:password]@]host:6379 (rediss:// for TLS)'}
              onChange={(e) => {
                setUrl(e.target.value);
                setTested(null);
              }}
            />
          </label>
        ) : null}
        <div className="run-row">
          <button type="submit" className="run-button" data-testid="compute-choose" disabled={!canChoose}>
            {busy ? 'Connecting…' : 'Use'}
          </button>
          {target === 'redis' ? (
            <button
              type="button"
              className="ghost-button"
              data-testid="compute-test"
              disabled={busy || (typed === '' && saved === null)}
              onClick={() => void test()}
            >
              Test connection
            </button>
          ) : null}
        </div>
        {tested !== null ? (
          <div
            className={tested.ok ? 'data-result' : 'settings-warning'}
            data-testid="compute-test-result"
            data-ok={String(tested.ok)}
          >
            {tested.ok
              ? `✓ ${tested.redisUrl} answers; ${tested.workers.length} worker(s) connected.`
              : tested.error}
          </div>
        ) : null}
        {error !== null ? (
          <div className="settings-warning" data-testid="compute-error">
            {error}
          </div>
        ) : null}
      </form>
      {status !== null ? (
        <>
          <table className="kv-table settings-status" data-testid="compute-status">
            <tbody>
              <tr>
                <th>Computing on</th>
                <td data-testid="compute-current" data-value={status.target}>
                  {status.target === 'local' ? 'this machine' : status.redisUrl}
                </td>
              </tr>
              {status.target === 'redis' ? (
                <>
                  <tr>
                    <th>Connection</th>
                    <td
                      data-testid="compute-connection"
                      data-value={status.connection.state}
                      className={status.connection.state === 'connected' ? 'up' : 'down'}
                    >
                      {status.connection.state === 'unreachable'
                        ? status.connection.error
                        : status.connection.state}
                    </td>
                  </tr>
                  <tr>
                    <th>Password</th>
                    <td data-testid="compute-password">{PASSWORD_LABEL[status.password]}</td>
                  </tr>
                </>
              ) : null}
            </tbody>
          </table>
          {status.target === 'redis' ? <Workers status={status} /> : null}
          {status.secretStore === 'memory' && status.password === 'saved' ? (
            <div className="settings-warning">
              No OS keychain is reachable: the saved Redis password lasts for this session only; set
              REGIMEN_REDIS_PASSWORD to give it on every launch.
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
