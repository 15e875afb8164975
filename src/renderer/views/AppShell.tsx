import type { ComponentType } from 'react';
import { useApp } from '../store/context.tsx';
import type { ViewId } from '../store/appStore.ts';
import { BacktestView } from './backtest/BacktestView.tsx';
import { DataView } from './data/DataView.tsx';
import { NoticeBar } from './NoticeBar.tsx';
import { OptimizeView } from './optimize/OptimizeView.tsx';
import { SettingsView } from './settings/SettingsView.tsx';
import { StatusBar } from './StatusBar.tsx';

/** The workspaces, one tab each; a later workspace (optimizer, live) is one more entry here. */
const VIEWS: ReadonlyArray<{ id: ViewId; label: string; component: ComponentType }> = [
  { id: 'backtest', label: 'Backtest', component: BacktestView },
  { id: 'optimize', label: 'Optimize', component: OptimizeView },
  { id: 'data', label: 'Data', component: DataView },
  { id: 'settings', label: 'Settings', component: SettingsView },
];

export function AppShell() {
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const active = VIEWS.find((v) => v.id === view) ?? VIEWS[0];
  const View = active?.component;

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark">▮▮</span> REGIMEN
        </div>
        <nav className="tabs" role="tablist" aria-label="Workspaces">
          {VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              role="tab"
              aria-selected={v.id === view}
              className={v.id === view ? 'tab active' : 'tab'}
              data-testid={`tab-${v.id}`}
              onClick={() => setView(v.id)}
            >
              {v.label}
            </button>
          ))}
        </nav>
      </header>
      <NoticeBar />
      <main className="workspace" role="tabpanel">
        {View ? <View /> : null}
      </main>
      <StatusBar />
    </div>
  );
}
