import { downloadText } from '../../download.ts';

/** One file a result offers: made when its button is clicked, so an unused export costs nothing. */
export interface ResultDownload {
  readonly testId: string;
  readonly label: string;
  readonly title?: string;
  readonly fileName: string;
  readonly type: 'text/csv' | 'text/html';
  readonly content: () => string;
}

/** A result's "Tear sheet" button and its downloads, in the panel title of a backtest or a walk-forward. */
export function ResultActions(props: {
  openTestId: string;
  onOpenSheet: () => void;
  downloads: readonly ResultDownload[];
}) {
  return (
    <span className="result-actions">
      <button
        type="button"
        className="ghost-button small"
        data-testid={props.openTestId}
        onClick={props.onOpenSheet}
      >
        Tear sheet
      </button>
      {props.downloads.map((d) => (
        <button
          key={d.testId}
          type="button"
          className="ghost-button small"
          data-testid={d.testId}
          {...(d.title === undefined ? {} : { title: d.title })}
          onClick={() => downloadText(d.fileName, d.content(), d.type)}
        >
          {d.label}
        </button>
      ))}
    </span>
  );
}
