import type { ComponentType } from 'react';
import { useApp } from '../store/context.tsx';
import { BacktestView } from './backtest/BacktestView.tsx';
import { CompareView } from './compare/CompareView.tsx';
import { DataView } from './data/DataView.tsx';
import { LearnerView } from './learner/LearnerView.tsx';
import { LiveView } from './live/LiveView.tsx';
import { NoticeBar } from './NoticeBar.tsx';
import { OptimizeView } from './optimize/OptimizeView.tsx';
import { VIEWS, type ViewId } from './registry.ts';
import { PreparingNotice } from './PreparingNotice.tsx';
import { SettingsView } from './settings/SettingsView.tsx';
import { StatusBar } from './StatusBar.tsx';

/** Each tab's component (tabs and their order: registry.ts); a Record, so a tab without one fails to compile. */
const COMPONENTS: Record<ViewId, ComponentType> = {
  backtest: BacktestView,
  optimize: OptimizeView,
  compare: CompareView,
  data: DataView,
  learner: LearnerView,
  live: LiveView,
  settings: SettingsView,
};

export function AppShell() {
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const View = COMPONENTS[view];

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
      <PreparingNotice />
      <main className="workspace" role="tabpanel">
        <View />
      </main>
      <StatusBar />
    </div>
  );
}
