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
  return (
    <footer className="statusbar" data-testid="status-bar">
      <span className={info ? 'status-dot ok' : 'status-dot'} />
      <span>
        {info ? `${info.host === 'electron' ? 'desktop' : 'server'} v${info.version}` : 'connecting…'}
      </span>
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
