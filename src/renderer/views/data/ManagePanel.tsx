import { useState } from 'react';
import { formatInteger } from '../../format.ts';
import { LastResult, PanelErrorBox } from './parts.tsx';
import { useData } from './useData.ts';

const ACTIONS = ['rename', 'delete'] as const;
type Mode = { action: (typeof ACTIONS)[number]; symbol: string } | null;

/**
 * Rename or delete the selected symbol (every stored timeframe at once, as the services do). Both ask
 * first: a delete names the symbol and the bars it drops and wants the symbol typed out, since nothing
 * brings them back; a rename asks for the new name and shows the services' refusal (e.g. a name taken).
 */
export function ManagePanel() {
  const selected = useData((s) => s.selected);
  const coverage = useData((s) => s.coverage);
  const deleteDataset = useData((s) => s.deleteDataset);
  const renameDataset = useData((s) => s.renameDataset);
  const dismissError = useData((s) => s.dismissError);
  const [mode, setMode] = useState<Mode>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  if (!selected) return null;
  const symbol = selected.symbol;
  const rows = coverage.status === 'ready' ? coverage.data.filter((d) => d.symbol === symbol) : [];
  const bars = rows.reduce((sum, r) => sum + r.bars, 0);
  const open = mode?.symbol === symbol ? mode : null;

  const start = (action: (typeof ACTIONS)[number]): void => {
    dismissError('manage');
    setText(action === 'rename' ? symbol : '');
    setMode({ action, symbol });
  };
  const confirm = async (): Promise<void> => {
    if (!open) return;
    setBusy(true);
    const done =
      open.action === 'delete' ? await deleteDataset(symbol, text) : await renameDataset(symbol, text);
    setBusy(false);
    if (done) setMode(null);
  };

  return (
    <section className="panel data-manage" data-testid="manage-panel" data-symbol={symbol}>
      <div className="panel-title">
        {symbol}
        <span className="panel-sub">
          {rows.length} timeframe{rows.length === 1 ? '' : 's'} · {formatInteger(bars)} bars
        </span>
        <span className="status-spacer" />
        {ACTIONS.map((action) => (
          <button
            key={action}
            type="button"
            className="ghost-button small"
            data-testid={`${action}-dataset`}
            onClick={() => start(action)}
          >
            {action === 'rename' ? 'Rename…' : 'Delete…'}
          </button>
        ))}
      </div>
      {open ? (
        <form
          className="data-manage-confirm"
          data-testid={`${open.action}-confirm`}
          onSubmit={(event) => {
            event.preventDefault();
            void confirm();
          }}
        >
          <label>
            {open.action === 'delete'
              ? `Delete ${symbol} and its ${formatInteger(bars)} bars in every timeframe? This cannot be undone. Type ${symbol} to confirm:`
              : `New name for ${symbol}:`}
            <input
              autoFocus
              data-testid={`${open.action}-input`}
              value={text}
              onChange={(event) => setText(event.target.value)}
            />
          </label>
          <button
            type="submit"
            className={`ghost-button small${open.action === 'delete' ? ' danger' : ''}`}
            data-testid={`${open.action}-submit`}
            disabled={busy}
          >
            {open.action === 'delete' ? 'Delete' : 'Rename'}
          </button>
          <button type="button" className="ghost-button small" onClick={() => setMode(null)}>
            Cancel
          </button>
        </form>
      ) : null}
      <PanelErrorBox panel="manage" />
      <LastResult kinds={['delete', 'rename']} />
    </section>
  );
}
