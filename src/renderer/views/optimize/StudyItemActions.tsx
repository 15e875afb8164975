import { useState } from 'react';
import type { StudySummary } from '../../../shared/contract.ts';
import { STUDY_NAME_MAX, STUDY_NOTE_MAX } from '../../../shared/optimizeChoices.ts';
import { formatInteger } from '../../format.ts';
import { useOptimize } from '../../store/optimizeContext.tsx';

type Mode = 'edit' | 'delete' | null;

/**
 * A study's "edit" and "delete" buttons in the list, and the form each opens under the study: its name
 * and note (the services check the lengths and say which field is wrong), or a confirm step that names
 * the study and the trials it drops. A running study cannot be deleted: the button says to cancel it
 * first (and the services refuse it in any case).
 */
export function StudyItemActions(props: {
  study: StudySummary;
  state: StudySummary['state'];
  trials: number;
}) {
  const { study } = props;
  const annotate = useOptimize((s) => s.annotate);
  const remove = useOptimize((s) => s.remove);
  const [mode, setMode] = useState<Mode>(null);
  const [name, setName] = useState(study.name);
  const [note, setNote] = useState(study.note);
  const [busy, setBusy] = useState(false);
  const running = props.state === 'running';

  const edit = (): void => {
    setName(study.name);
    setNote(study.note);
    setMode(mode === 'edit' ? null : 'edit');
  };
  const save = async (): Promise<void> => {
    setBusy(true);
    const saved = await annotate(study.id, { name, note });
    setBusy(false);
    if (saved) setMode(null);
  };
  const confirmDelete = async (): Promise<void> => {
    setBusy(true);
    await remove(study.id);
    setBusy(false);
    setMode(null);
  };

  return (
    <>
      <span className="opt-study-actions">
        <button
          type="button"
          className="ghost-button small"
          data-testid="opt-study-edit"
          title="Rename the study or write a note on it"
          onClick={edit}
        >
          ✎
        </button>
        <button
          type="button"
          className="ghost-button small danger"
          data-testid="opt-study-delete"
          disabled={running}
          title={
            running ? 'The study is running: cancel it before deleting it' : 'Delete the study and its trials'
          }
          onClick={() => setMode(mode === 'delete' ? null : 'delete')}
        >
          ✕
        </button>
      </span>
      {mode === 'edit' ? (
        <form
          className="opt-study-form"
          data-testid="opt-study-edit-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label>
            Name
            <input
              autoFocus
              data-testid="opt-study-name-input"
              value={name}
              maxLength={STUDY_NAME_MAX}
              onChange={(event) => setName(event.target.value)}
            />
          </label>
          <label>
            Note
            <textarea
              data-testid="opt-study-note-input"
              value={note}
              rows={3}
              maxLength={STUDY_NOTE_MAX}
              placeholder="Why this study, what it showed"
              onChange={(event) => setNote(event.target.value)}
            />
          </label>
          <span className="opt-study-form-buttons">
            <button type="submit" className="ghost-button small" data-testid="opt-study-save" disabled={busy}>
              Save
            </button>
            <button type="button" className="ghost-button small" onClick={() => setMode(null)}>
              Cancel
            </button>
          </span>
        </form>
      ) : null}
      {mode === 'delete' ? (
        <div className="opt-study-form" data-testid="opt-study-delete-confirm">
          <span>
            Delete “{study.name}” and its {formatInteger(props.trials)} trials? This cannot be undone.
          </span>
          <span className="opt-study-form-buttons">
            <button
              type="button"
              className="ghost-button small danger"
              data-testid="opt-study-delete-submit"
              disabled={busy}
              onClick={() => void confirmDelete()}
            >
              Delete
            </button>
            <button type="button" className="ghost-button small" onClick={() => setMode(null)}>
              Keep
            </button>
          </span>
        </div>
      ) : null}
    </>
  );
}
