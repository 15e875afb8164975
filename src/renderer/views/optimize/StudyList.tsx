import { formatInteger, formatNumber } from '../../format.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';
import { listedBestValue } from '../../store/optimizeStore.ts';
import { useTimeFormat } from '../../timeFormat.ts';
import { formatMetric, metricLabel } from '../../metricFormat.ts';
import { isResumable, ResumeButton } from './ResumeButton.tsx';
import { StudyItemActions } from './StudyItemActions.tsx';

/**
 * Past and running studies, newest first, each by its name and note: open one, resume one that was
 * interrupted or cancelled, rename or annotate one, delete a stopped one with its trials.
 */
export function StudyList() {
  const studies = useOptimize((s) => s.studies);
  const activeId = useOptimize((s) => s.study?.id ?? null);
  // The list is read when studies start and stop; the one on screen counts from its live progress.
  const live = useOptimize((s) => s.progress);
  const open = useOptimize((s) => s.open);
  const time = useTimeFormat();
  const refresh = useOptimize((s) => s.refreshStudies);
  const rows = studies.status === 'ready' ? studies.data : [];

  return (
    <section className="panel opt-studies" data-testid="opt-studies">
      <div className="panel-title">
        Studies <span className="panel-count">{rows.length || ''}</span>
        <span className="status-spacer" />
        <button type="button" className="ghost-button small" onClick={() => void refresh()}>
          ↻
        </button>
      </div>
      {studies.status === 'error' ? <div className="empty error-text">{studies.message}</div> : null}
      {studies.status === 'ready' && rows.length === 0 ? <div className="empty">No studies yet.</div> : null}
      <ul className="opt-study-items">
        {rows.map((study) => {
          const now = live?.studyId === study.id ? live : null;
          const state = now?.state ?? study.state;
          const done = now?.done ?? study.trialsDone;
          const total = now?.total ?? study.trialsTotal;
          const resumable = isResumable(state, done, total);
          const metric = study.objectives[0]?.metric ?? '';
          const best = listedBestValue(study, live);
          return (
            <li key={study.id} className={study.id === activeId ? 'opt-study selected' : 'opt-study'}>
              <button
                type="button"
                className="opt-study-open"
                data-testid="opt-study-item"
                data-study={study.id}
                data-state={state}
                title={`Opened ${time.dateTime(study.createdAt)} ${time.zone} · seed ${study.seed}`}
                onClick={() => void open(study.id)}
              >
                {/* The winner's value beside the name, which gives way (ellipsis): on the state's line a
                    Resume button pushed it past the edge, 1.59 read 1.5. */}
                <span className="opt-study-line">
                  <span className="opt-study-name" data-testid="opt-study-name">
                    {study.name}
                  </span>
                  <span
                    className="opt-study-best"
                    title={study.mode === 'weighted' ? 'best weighted score' : `best ${metricLabel(metric)}`}
                  >
                    {study.mode === 'weighted' ? formatNumber(best, 3) : formatMetric(metric, best)}
                  </span>
                </span>
                {study.note === '' ? null : (
                  <span className="opt-study-note" data-testid="opt-study-note" title={study.note}>
                    {study.note}
                  </span>
                )}
                <span className="opt-study-line">
                  <span className="sym">{study.symbol}</span>
                  <span className="opt-muted">
                    {study.timeframes.join('+')} · {study.strategy} · {study.sampler}
                  </span>
                </span>
                <span className="opt-study-line">
                  <span className={`opt-state ${state}`}>{state}</span>
                  <span className="opt-muted" data-testid="opt-study-count">
                    {formatInteger(done)}/{formatInteger(total)}
                  </span>
                </span>
              </button>
              {resumable ? (
                <ResumeButton
                  studyId={study.id}
                  testId="opt-study-resume"
                  className="ghost-button small opt-resume"
                />
              ) : null}
              <StudyItemActions study={study} state={state} trials={done} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
