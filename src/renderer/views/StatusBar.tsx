import { showsDemoMarket } from '../store/appStore.ts';
import { useApp } from '../store/context.tsx';
import { formatInteger } from '../format.ts';
import { useTimeFormat } from '../timeFormat.ts';

export function StatusBar() {
  const info = useApp((s) => s.appInfo);
  const bars = useApp((s) => s.bars);
  const result = useApp((s) => s.result);
  const job = useApp((s) => s.job);
  const demo = useApp(showsDemoMarket);
  const time = useTimeFormat();
  const connection = useApp((s) => s.connection);
  const offline = connection.state === 'offline';
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span
        className={`status-dot ${connection.state === 'online' ? 'ok' : connection.state === 'offline' ? 'down' : ''}`}
        data-testid="status-dot"
        data-state={connection.state}
        title={connection.message ?? undefined}
      />
      {offline ? (
        <span className="down" data-testid="status-offline">
          Server not answering (it may have stopped): restart it with npm start or regimen serve and open the
          URL it prints.
        </span>
      ) : (
        <span>
          {info ? `${info.host === 'electron' ? 'desktop' : 'server'} v${info.version}` : 'connecting…'}
        </span>
      )}
      {demo ? (
        <span
          className="status-chip"
          data-testid="demo-chip"
          title="The bars shown are the synthetic demo market"
        >
          DEMO MARKET
        </span>
      ) : null}
      {info ? (
        <span className="status-muted" title="Data directory">
          {info.dataDir}
        </span>
      ) : null}
      <span className="status-spacer" />
      {bars.status === 'ready' ? <span>{formatInteger(bars.data.t.length)} bars loaded</span> : null}
      {job ? <span className="status-busy">running…</span> : null}
      {result ? (
        <span>
          last backtest {formatInteger(result.bars)} bars in {formatInteger(result.elapsedMs)} ms
        </span>
      ) : null}
      <span className="status-muted" data-testid="status-time-zone">
        times in {time.zone}
      </span>
    </footer>
  );
}
