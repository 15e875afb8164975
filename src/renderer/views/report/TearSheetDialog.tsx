import { useEffect } from 'react';

/**
 * A tear sheet page (shared/tearSheetHtml) over the view, in a sandboxed frame: the page is the file
 * the download writes, so what is seen is what is exported. Escape or the close button closes it.
 */
export function TearSheetDialog({ html, onClose }: { html: string; onClose: () => void }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div
      className="tear-sheet-backdrop"
      data-testid="tear-sheet-dialog"
      role="dialog"
      aria-label="Tear sheet"
    >
      <div className="tear-sheet-box">
        <div className="tear-sheet-bar">
          <span>Tear sheet</span>
          <button
            type="button"
            className="ghost-button small"
            data-testid="tear-sheet-close"
            onClick={onClose}
          >
            Close
          </button>
        </div>
        <iframe
          className="tear-sheet-frame"
          title="Tear sheet"
          sandbox=""
          srcDoc={html}
          data-testid="tear-sheet-frame"
        />
      </div>
    </div>
  );
}
