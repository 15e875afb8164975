import { useMemo } from 'react';
import type { TrialRow } from '../../../shared/contract.ts';
import { formatMeasure, measureLabel } from '../../charts/optimizeCharts.ts';
import { formatInteger, formatParamValue } from '../../format.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { trialsCsv } from '../../../shared/exportCsv.ts';
import { downloadText, fileNameOf } from '../../download.ts';
import { bestTrialNumber, isApprovedTrial } from '../../store/optimizeStore.ts';
import { studyMeasures, type Measure } from '../../store/studyMeasures.ts';
import { sliceFigures } from '../../store/studySlices.ts';
import { formatMetric, metricLabel } from '../../metricFormat.ts';
import { useVirtualRows } from '../useVirtualRows.ts';
import { wipedOutOnText } from '../../../shared/wipedOutText.ts';
import { useVisibleTrials } from './useVisibleTrials.ts';

const ROW_HEIGHT = 21;
/** The '#' and state columns, the gap between columns and the row's side padding (optimize.css). */
const FIXED_COLUMNS = [46, 66];
const COLUMN_GAP = 8;
const ROW_PADDING = 20;
/** Header labels are 9px uppercase: about this many pixels a character, so no name is cut off. */
const HEADER_CHAR_PX = 7;

interface Column {
  key: string;
  label: string;
  title: string;
  width: number;
  value(trial: TrialRow): number | null;
  text(trial: TrialRow): string;
}

/** Sort key of a row: nulls (failed, running, wiped out on an objective) always last, whatever the direction. */
function compare(a: number | null, b: number | null, descending: boolean): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return descending ? b - a : a - b;
}

/**
 * Where a trial ranks whatever the sort: trials that can win, then those with too few trades, then those
 * that wiped out their account (the worst result a trial can have), then trials with no result (failed,
 * running), each group in the sort's order.
 */
function rankGroup(trial: TrialRow): number {
  if (trial.status !== 'complete') return 3;
  if (trial.wipedOut) return 2;
  return trial.feasible === false ? 1 : 0;
}

/** What a trial that cannot win is marked with in the state column, and why (its row's hover title). */
function infeasibleMark(trial: TrialRow): { label: string; why: string } | null {
  if (trial.status !== 'complete') return null;
  if (trial.wipedOut)
    return {
      label: `wiped out${wipedOutOnText(trial.wipedOutOn)}`,
      why:
        `Trial #${trial.number} wiped out the account${wipedOutOnText(trial.wipedOutOn)}: its equity fell ` +
        'to or below 0, the run stopped ' +
        'there (return -100 %), so it has no objective value and ranks last. Click to inspect it.',
    };
  if (trial.feasible === false)
    return {
      label: 'few trades',
      why: `Trial #${trial.number} made fewer trades than the study's minimum, so it cannot win. Click to inspect it.`,
    };
  return null;
}

/** Every trial of the study: sortable by any column, best first by default; a click inspects it. */
export function TrialTable() {
  const detail = useOptimize((s) => s.study?.detail ?? null);
  const trials = useVisibleTrials();
  const sort = useOptimize((s) => s.sort);
  const measureKey = useOptimize((s) => s.charts.measure);
  const bestNumber = useOptimize(bestTrialNumber);
  const inspected = useOptimize((s) => s.inspection?.trialNumber ?? null);
  const sortBy = useOptimize((s) => s.sortBy);
  const inspect = useOptimize((s) => s.inspect);

  const measures = useMemo(() => (detail ? studyMeasures(detail.summary) : []), [detail]);
  const columns = useMemo<Column[]>(() => {
    const measureColumns = measures.map((m: Measure): Column => ({
      key: `m:${m.key}`,
      label: measureLabel(m),
      title: `${m.label} (${m.direction})`,
      width: Math.max(96, measureLabel(m).length * HEADER_CHAR_PX + 16),
      value: (t) => m.value(t),
      text: (t) => (t.status === 'complete' ? formatMeasure(m, m.value(t)) : ''),
    }));
    // A study of several symbols or timeframes: each one's figures beside the combined ones.
    const perSlice = (detail ? sliceFigures(detail) : []).map((f): Column => {
      const label = `${metricLabel(f.metric)} @${f.slice}`;
      return {
        key: `s:${f.key}`,
        label,
        title: `${metricLabel(f.metric)} on ${f.slice}`,
        width: Math.max(84, label.length * HEADER_CHAR_PX + 16),
        value: (t) => t.metrics[f.key] ?? null,
        text: (t) => (t.status === 'complete' ? formatMetric(f.metric, t.metrics[f.key]) : ''),
      };
    });
    const trades: Column = {
      key: 'x:numTrades',
      label: 'Trades',
      title: 'closed trades',
      width: 56,
      value: (t) => t.metrics.numTrades ?? null,
      text: (t) => formatInteger(t.metrics.numTrades),
    };
    // A few figures beside the objectives, so a high score with a deep drawdown shows at a glance.
    const shown = new Set(detail?.summary.objectives.map((o) => o.metric) ?? []);
    const context = ['totalReturn', 'maxDrawdown', 'winRate']
      .filter((key) => !shown.has(key))
      .map((key): Column => ({
        key: `x:${key}`,
        label: metricLabel(key),
        title: metricLabel(key),
        width: 84,
        value: (t) => t.metrics[key] ?? null,
        text: (t) => (t.status === 'complete' ? formatMetric(key, t.metrics[key]) : ''),
      }));
    const params = (detail?.config.space ?? []).map((p): Column => ({
      key: `p:${p.name}`,
      label: p.name,
      title: p.name,
      width: Math.max(64, p.name.length * HEADER_CHAR_PX + 16),
      value: (t) => {
        const v = t.params[p.name];
        return typeof v === 'number' ? v : null;
      },
      text: (t) => formatParamValue(t.params[p.name]),
    }));
    // Results first: a strategy with a dozen parameters must not push them out of view.
    return [...measureColumns, trades, ...perSlice, ...context, ...params];
  }, [measures, detail]);

  const sorted = useMemo(() => {
    const rows = [...trials];
    if (sort.key === '#') {
      rows.sort((a, b) => (sort.descending ? b.number - a.number : a.number - b.number));
      return rows;
    }
    if (sort.key === 'm:auto') {
      // Best first by the measure the charts show; trials that cannot win go after those that can.
      const m = measures.find((x) => x.key === measureKey) ?? measures[0];
      if (!m) return rows;
      rows.sort(
        (a, b) => rankGroup(a) - rankGroup(b) || compare(m.value(a), m.value(b), m.direction === 'maximize'),
      );
      return rows;
    }
    const column = columns.find((c) => c.key === sort.key);
    // A wiped-out trial has no objective value: among the rows without one it goes before those with no
    // result at all, and never above a trial that has a value.
    if (column)
      rows.sort(
        (a, b) =>
          compare(column.value(a), column.value(b), sort.descending) ||
          (column.value(a) === null ? rankGroup(a) - rankGroup(b) : 0),
      );
    return rows;
  }, [trials, sort, columns, measures, measureKey]);

  const { first, last, height, onScroll } = useVirtualRows(sorted.length, ROW_HEIGHT, {
    overscan: 12,
    initialRows: 30,
  });
  // Counted once per batch of trials, not on every scroll.
  const { failed, running, fewTrades, wipedOut } = useMemo(() => {
    const counts = { failed: 0, running: 0, fewTrades: 0, wipedOut: 0 };
    for (const t of trials) {
      if (t.status === 'failed') counts.failed += 1;
      if (t.status === 'running') counts.running += 1;
      if (t.wipedOut) counts.wipedOut += 1;
      else if (t.feasible === false) counts.fewTrades += 1;
    }
    return counts;
  }, [trials]);
  const template = `${FIXED_COLUMNS.map((w) => `${w}px`).join(' ')} ${columns.map((c) => `${c.width}px`).join(' ')} 1fr`;
  // Rows are placed absolutely, so they give the body no width: it gets the header's, and the one
  // scrolling box (.opt-table) moves header and body sideways together.
  const tableWidth =
    ROW_PADDING +
    [...FIXED_COLUMNS, ...columns.map((c) => c.width)].reduce((a, b) => a + b, 0) +
    COLUMN_GAP * (FIXED_COLUMNS.length + columns.length);
  const arrow = (key: string): string => (sort.key === key ? (sort.descending ? ' ↓' : ' ↑') : '');
  const autoMeasure = measures.find((x) => x.key === measureKey) ?? measures[0];

  return (
    <section className="panel opt-trials" data-testid="opt-trials" data-count={trials.length}>
      <div className="panel-title">
        Trials <span className="panel-count">{trials.length - running || ''}</span>
        <span className="panel-sub">
          {sort.key === 'm:auto' && autoMeasure ? `best ${autoMeasure.label} first` : ''}
          {fewTrades > 0 ? ` · ${fewTrades} below min trades` : ''}
          {wipedOut > 0 ? (
            <span className="down" data-testid="opt-trials-wiped-out" data-count={wipedOut}>
              {` · ${wipedOut} wiped out`}
            </span>
          ) : null}
          {failed > 0 ? ` · ${failed} failed` : ''}
          {running > 0 ? ` · ${running} in flight` : ''} · click a row to inspect its backtest, or its tear
          sheet
        </span>
        {trials.length > 0 ? (
          <span className="result-actions">
            <button
              type="button"
              className="ghost-button small"
              data-testid="export-trials"
              onClick={() =>
                downloadText(
                  fileNameOf([detail?.summary.name ?? 'study', 'trials'], 'csv'),
                  trialsCsv(trials),
                  'text/csv',
                )
              }
            >
              Trials CSV
            </button>
          </span>
        ) : null}
      </div>
      <div className="opt-table" data-testid="opt-table">
        <div className="opt-trow opt-thead" style={{ gridTemplateColumns: template, minWidth: tableWidth }}>
          <button type="button" className="opt-th" data-testid="opt-sort-#" onClick={() => sortBy('#')}>
            #{arrow('#')}
          </button>
          <button
            type="button"
            className="opt-th"
            title="best first"
            data-testid="opt-sort-best"
            onClick={() => sortBy('m:auto')}
          >
            {sort.key === 'm:auto' ? 'best ↓' : 'state'}
          </button>
          {columns.map((c) => (
            <button
              key={c.key}
              type="button"
              className="opt-th num"
              title={`sort by ${c.title}`}
              data-testid={`opt-sort-${c.key}`}
              data-col={c.key}
              onClick={() => sortBy(c.key)}
            >
              {c.label}
              {arrow(c.key)}
            </button>
          ))}
          <span />
        </div>
        <div className="opt-tscroll" onScroll={onScroll}>
          {trials.length === 0 ? <div className="empty">No trials yet.</div> : null}
          <div className="opt-tspacer" style={{ height, minWidth: tableWidth }}>
            {sorted.slice(first, last).map((trial, offset) => {
              const i = first + offset;
              const approved = isApprovedTrial(detail, trial);
              const mark = infeasibleMark(trial);
              const classes = ['opt-trow', 'list-row'];
              if (trial.number === inspected) classes.push('inspected');
              if (trial.number === bestNumber) classes.push('best');
              if (trial.feasible === false || trial.status === 'failed') classes.push('dim');
              return (
                <button
                  type="button"
                  key={trial.number}
                  className={classes.join(' ')}
                  style={{ top: i * ROW_HEIGHT, gridTemplateColumns: template }}
                  data-testid="opt-trial-row"
                  data-trial={trial.number}
                  data-approved={approved ? 'true' : undefined}
                  data-wiped-out={trial.wipedOut ? 'true' : undefined}
                  title={trial.error ?? mark?.why ?? `Inspect trial #${trial.number}`}
                  onClick={() => void inspect(trial.number)}
                >
                  <span className="c-n">{trial.number}</span>
                  <span
                    className={`opt-tstate ${trial.wipedOut ? 'wiped-out' : trial.status}`}
                    data-testid="opt-trial-state"
                  >
                    {approved ? (
                      <span className="opt-approved-tag" data-testid="opt-approved-tag">
                        ✓ approved
                      </span>
                    ) : trial.number === bestNumber ? (
                      <span className="opt-best-tag">★ best</span>
                    ) : mark !== null ? (
                      mark.label
                    ) : (
                      trial.status
                    )}
                  </span>
                  {columns.map((c) => (
                    <span key={c.key} className="num" data-col={c.key}>
                      {c.text(trial)}
                    </span>
                  ))}
                  {trial.status === 'complete' ? (
                    // A span, not a button: the row is one already. The Inspect panel's own Tear sheet
                    // button is the keyboard's way to the same sheet.
                    <span
                      role="button"
                      className="opt-row-action"
                      data-testid="opt-trial-sheet"
                      title={`Tear sheet of trial #${trial.number}, re-run as the study scored it`}
                      onClick={(event) => {
                        event.stopPropagation();
                        void inspect(trial.number, { sheet: true });
                      }}
                    >
                      tear sheet
                    </span>
                  ) : (
                    <span />
                  )}
                </button>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
