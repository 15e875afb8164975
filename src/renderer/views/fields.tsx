import type { StrategyInfo } from '../../shared/contract.ts';
import { TRADING_SESSIONS, type Loadable } from '../store/appStore.ts';
import { useApp } from '../store/context.tsx';

const SESSION_TITLE =
  'Regular: 09:30–16:00 New York only. Extended: pre- and post-market minutes too. Applies to every timeframe, to backtests and to studies.';

/**
 * The app's one session setting (kept across launches), the same select in Settings, the Backtest view
 * and the Optimize form, so a change in one is what the others show and send.
 */
export function SessionSelect({
  testId,
  className,
  labelClassName,
  label = 'session',
}: {
  testId: string;
  className: string;
  labelClassName?: string;
  label?: string;
}) {
  const session = useApp((s) => s.session);
  const setSession = useApp((s) => s.setSession);
  return (
    <label className={className} title={SESSION_TITLE}>
      <span className={labelClassName}>{label}</span>
      <select
        data-testid={testId}
        value={session}
        onChange={(e) => {
          const chosen = TRADING_SESSIONS.find((option) => option === e.target.value);
          if (chosen) setSession(chosen);
        }}
      >
        {TRADING_SESSIONS.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The strategies to pick from, once they are listed. */
export function StrategyOptions({ strategies }: { strategies: Loadable<StrategyInfo[]> }) {
  if (strategies.status !== 'ready') return null;
  return (
    <>
      {strategies.data.map((s) => (
        <option key={s.name} value={s.name}>
          {s.file === undefined ? s.name : `${s.name} (${s.file})`}
        </option>
      ))}
    </>
  );
}

/** A labelled number input of a form; the draft stays text so a half-typed value is not lost. */
export function NumberField({
  label,
  value,
  onChange,
  testId,
  invalid = false,
  warning = false,
  hint,
  title,
  min,
  max,
  step,
  placeholder,
  inputMode,
  disabled,
}: {
  label: string;
  value: string | number;
  onChange: (value: string) => void;
  testId: string;
  invalid?: boolean;
  /** The value runs but looks wrong: the hint says why. */
  warning?: boolean;
  /** Shown under the input (the error, or what the field means). */
  hint?: string;
  title?: string;
  min?: number;
  max?: number;
  step?: number | 'any';
  placeholder?: string;
  inputMode?: 'decimal';
  disabled?: boolean;
}) {
  return (
    <label className={invalid ? 'field invalid' : warning ? 'field warning' : 'field'} title={title}>
      <span className="field-label">{label}</span>
      <input
        type="number"
        inputMode={inputMode}
        data-testid={testId}
        min={min}
        max={max}
        step={step}
        placeholder={placeholder}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint === undefined ? null : (
        <span className="field-hint" data-testid={`${testId}-hint`}>
          {hint}
        </span>
      )}
    </label>
  );
}

/** A labelled select over a fixed list of choices; only a listed choice reaches `onChange`. */
export function ChoiceField<T extends string>(props: {
  label: string;
  title: string;
  testId: string;
  value: T;
  choices: readonly T[];
  describe: (choice: T) => string;
  onChange: (choice: T) => void;
  disabled?: boolean;
}) {
  return (
    <label className="field" title={props.title}>
      <span className="field-label">{props.label}</span>
      <select
        data-testid={props.testId}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => {
          const chosen = props.choices.find((c) => c === e.target.value);
          if (chosen !== undefined) props.onChange(chosen);
        }}
      >
        {props.choices.map((c) => (
          <option key={c} value={c}>
            {props.describe(c)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A date input (YYYY-MM-DD) with its label. */
export function DateField(props: {
  label: string;
  testId: string;
  value: string;
  onChange: (date: string) => void;
  disabled?: boolean;
  /** What is wrong with the date: the field is marked and says it. */
  error?: string | null;
}) {
  return (
    <label className={props.error ? 'field invalid' : 'field'}>
      <span className="field-label">{props.label}</span>
      <input
        type="date"
        data-testid={props.testId}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.error ? (
        <span className="field-hint" data-testid={`${props.testId}-hint`}>
          {props.error}
        </span>
      ) : null}
    </label>
  );
}
