import { useEffect } from 'react';
import { CoveragePanel } from './CoveragePanel.tsx';
import { ExportPanel } from './ExportPanel.tsx';
import { FetchPanel } from './FetchPanel.tsx';
import { ImportPanel } from './ImportPanel.tsx';
import { ManagePanel } from './ManagePanel.tsx';
import { QualityPanel } from './QualityPanel.tsx';
import { useDataStore } from './useData.ts';
import './data.css';

/** The cache: what it holds per symbol and timeframe, how good it is, and how to fill it. */
export function DataView() {
  const store = useDataStore();
  // Fresh figures each time the tab is shown: a backtest tab or the CLI may have changed the cache.
  useEffect(() => {
    void store.getState().load();
  }, [store]);

  return (
    <div className="data-layout" data-testid="data-view">
      <div className="data-main">
        <CoveragePanel />
        <ManagePanel />
        <QualityPanel />
      </div>
      <div className="data-side">
        <FetchPanel />
        <ImportPanel />
        <ExportPanel />
      </div>
    </div>
  );
}
