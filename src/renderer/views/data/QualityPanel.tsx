import { useState } from 'react';
import type { DataQualityReport } from '../../../shared/contract.ts';
import type { TimeFormat } from '../../../shared/timeZone.ts';
import { formatInteger, formatPercent, humanizeKey } from '../../format.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import { CALENDAR_LABELS } from './CoveragePanel.tsx';
import { LastResult, PanelErrorBox } from './parts.tsx';
import { useData } from './useData.ts';

/**
 * What the score measures (core/data/quality.ts computes it), so a 1.000 beside a few problems reads
 * right: suspicious-but-possible bars cost half, and coverage counts bars missing against the calendar.
 */
const SCORE_MEANING =
  'Score = coverage (bars present / expected by the calendar) × share of usable rows (unusable rows ' +
  'count whole, suspicious ones such as stale runs or outliers count half) × 0.75 per probable split; ' +
  '1.000 means complete and clean.';

function scoreClass(score: number | null): string {
  if (score === null) return '';
  if (score >= 0.95) return 'good';
  if (score >= 0.8) return 'fair';
  return 'poor';
}

function problemTime(time: TimeFormat, t: number, endT: number | undefined, timeframe: string): string {
  const start = time.barTime(t, timeframe);
  return endT === undefined ? start : `${start} → ${time.barTime(endT, timeframe)}`;
}

function Report({ report }: { report: DataQualityReport }) {
  const timeframe = report.timeframe ?? '';
  const time = useTimeFormat();
  const kinds = Object.entries(report.counts).sort((a, b) => b[1] - a[1]);
  return (
    <>
      <div className="quality-head">
        <div className={`quality-score ${scoreClass(report.score)}`}>
          <div className="headline-label">Score</div>
          <div className="quality-score-value" data-testid="quality-score" data-value={report.score ?? ''}>
            {report.score === null ? '—' : report.score.toFixed(3)}
          </div>
          <progress className="progress-bar quality-meter" max={1} value={report.score ?? 0} />
          <p className="quality-score-explained" data-testid="quality-score-explained">
            {SCORE_MEANING}
          </p>
        </div>
        <table className="kv-table quality-stats">
          <tbody>
            <tr>
              <th>Rows</th>
              <td>{formatInteger(report.rows)}</td>
              <th>Expected</th>
              <td>{formatInteger(report.expectedBars)}</td>
            </tr>
            <tr>
              <th>Missing</th>
              <td className={report.missingBars > 0 ? 'down' : ''}>{formatInteger(report.missingBars)}</td>
              <th>Coverage</th>
              <td>{formatPercent(report.coverage, 2)}</td>
            </tr>
            <tr>
              <th>First</th>
              <td>{report.firstT === null ? '—' : time.barTime(report.firstT, timeframe)}</td>
              <th>Last</th>
              <td>{report.lastT === null ? '—' : time.barTime(report.lastT, timeframe)}</td>
            </tr>
            <tr>
              <th>Outside RTH</th>
              <td>{formatInteger(report.outsideRegularHours)}</td>
              <th>Problems</th>
              <td className={report.totalProblems > 0 ? 'down' : 'up'}>
                {formatInteger(report.totalProblems)}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <p className="data-note" data-testid="quality-expected-for">
        Expected ({CALENDAR_LABELS[report.calendar]}): {report.expectedFor}
        {report.outsideRegularHours > 0
          ? `; ${formatInteger(report.outsideRegularHours)} bars outside them not counted`
          : ''}
      </p>
      <div className="quality-counts" data-testid="quality-counts">
        {kinds.map(([kind, count]) => (
          <span key={kind} className={count > 0 ? 'count-chip hit' : 'count-chip'} data-kind={kind}>
            {humanizeKey(kind)} <b>{formatInteger(count)}</b>
          </span>
        ))}
      </div>
      {report.problems.length === 0 ? (
        <div className="empty" data-testid="quality-clean">
          No problems found.
        </div>
      ) : (
        <div className="data-scroll">
          <table className="grid-table data-table problems" data-testid="quality-problems">
            <thead>
              <tr>
                <th>Time ({time.zone})</th>
                <th>Kind</th>
                <th className="num">Bars</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {report.problems.map((p, i) => (
                <tr
                  key={`${p.kind}:${p.t}:${i}`}
                  data-testid="quality-problem"
                  data-kind={p.kind}
                  data-t={p.t}
                >
                  <td className="time">{problemTime(time, p.t, p.endT, timeframe)}</td>
                  <td className={`kind kind-${p.kind}`}>{p.kind}</td>
                  <td className="num">{p.count === undefined ? '' : formatInteger(p.count)}</td>
                  <td className="detail">{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.truncated ? (
            <div className="data-note">
              Showing the first {formatInteger(report.problems.length)} of{' '}
              {formatInteger(report.totalProblems)} problems; the counts above are complete.
            </div>
          ) : null}
        </div>
      )}
    </>
  );
}

/** The quality report of the selected dataset: score, problem counts and list, and a repair. */
export function QualityPanel() {
  const selected = useData((s) => s.selected);
  const qualityFor = useData((s) => s.qualityFor);
  const quality = useData((s) => s.quality);
  const repairing = useData((s) => s.repairing);
  const checkQuality = useData((s) => s.checkQuality);
  // Repair deletes stored rows, so it takes a second click to confirm.
  const [armed, setArmed] = useState(false);
  const busy = quality.status === 'loading' || repairing;

  return (
    <section className="panel data-quality" data-testid="quality-panel">
      <div className="panel-title">
        Data quality
        {qualityFor ? (
          <span className="panel-sub" data-testid="quality-dataset">
            {qualityFor.symbol} {qualityFor.timeframe}
          </span>
        ) : null}
        <span className="status-spacer" />
        <button
          type="button"
          className="ghost-button small"
          data-testid="check-quality"
          disabled={!selected || busy}
          onClick={() => void checkQuality()}
        >
          Check again
        </button>
        <button
          type="button"
          className={armed ? 'ghost-button small danger armed' : 'ghost-button small danger'}
          data-testid="repair-button"
          disabled={!selected || busy || quality.status !== 'ready'}
          title="Drops duplicate and unusable bars and marks gaps; never invents bars"
          onClick={() => {
            if (!armed) {
              setArmed(true);
              return;
            }
            setArmed(false);
            void checkQuality(true);
          }}
          onBlur={() => setArmed(false)}
        >
          {repairing ? 'Repairing…' : armed ? 'Confirm repair' : 'Repair'}
        </button>
      </div>
      <PanelErrorBox panel="quality" />
      <LastResult kinds={['repair']} />
      {!selected ? <div className="empty">Pick a dataset to check its quality.</div> : null}
      {quality.status === 'loading' ? (
        <div className="empty" data-testid="quality-loading">
          Checking {qualityFor?.symbol} {qualityFor?.timeframe} against its calendar…
        </div>
      ) : null}
      {quality.status === 'ready' ? <Report report={quality.data.report} /> : null}
    </section>
  );
}
