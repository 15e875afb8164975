import { COMMISSION_UNIT, MAX_COMMISSION_PERCENT } from '../../../shared/commission.ts';
import { useMemo } from 'react';
import { useApp } from '../../store/context.tsx';
import { selectedStrategy, symbolRows } from '../../store/appStore.ts';
import { checkAccount, checkParams } from '../../store/params.ts';
import { DateField, NumberField, StrategyOptions } from '../fields.tsx';
import { JobProgressBar } from './JobProgressBar.tsx';
import { StrategyFileProblems } from './StrategyFileProblems.tsx';
import { CostFields } from '../CostFields.tsx';
import { checkCosts } from '../../store/costDraft.ts';

export function StrategyPanel() {
  const strategies = useApp((s) => s.strategies);
  const strategy = useApp(selectedStrategy);
  const draft = useApp((s) => s.paramDraft);
  const cash = useApp((s) => s.cash);
  const commission = useApp((s) => s.commission);
  const symbol = useApp((s) => s.symbol);
  const timeframe = useApp((s) => s.timeframe);
  const job = useApp((s) => s.job);
  const selectStrategy = useApp((s) => s.selectStrategy);
  const reloadStrategies = useApp((s) => s.reloadStrategies);
  const setParam = useApp((s) => s.setParam);
  const resetParams = useApp((s) => s.resetParams);
  const setCash = useApp((s) => s.setCash);
  const setCommission = useApp((s) => s.setCommission);
  const closeAtEnd = useApp((s) => s.closeAtEnd);
  const setCloseAtEnd = useApp((s) => s.setCloseAtEnd);
  const runBacktest = useApp((s) => s.runBacktest);
  const dates = useApp((s) => s.backtestDates);
  const datasets = useApp((s) => s.datasets);
  const benchmark = useApp((s) => s.benchmark);
  const setBenchmark = useApp((s) => s.setBenchmark);
  const benchmarks = useMemo(
    () => (datasets.status === 'ready' ? symbolRows(datasets.data).map((row) => row.symbol) : []),
    [datasets],
  );
  const setDates = useApp((s) => s.setBacktestDates);

  const paramCheck = useMemo(() => (strategy ? checkParams(strategy, draft) : null), [strategy, draft]);
  const account = useMemo(() => checkAccount(cash, commission), [cash, commission]);
  const costs = useApp((s) => s.costs);
  const costErrors = useMemo(() => checkCosts(costs).errors, [costs]);
  // yyyy-mm-dd strings order as dates; the end day is included, so one day (start = end) is a range.
  const datesError =
    dates.start !== '' && dates.end !== '' && dates.end < dates.start ? 'on or after the from date' : null;
  const invalid =
    datesError !== null ||
    !paramCheck ||
    Object.keys(paramCheck.errors).length > 0 ||
    Object.keys(account.errors).length > 0 ||
    Object.keys(costErrors).length > 0;
  const canRun = !!symbol && !!strategy && !invalid && !job;

  return (
    <section className="panel strategy" data-testid="strategy-panel">
      <div className="panel-title">Strategy</div>
      {strategies.status === 'error' ? (
        <div className="empty error-text">Could not list strategies.</div>
      ) : null}
      <StrategyFileProblems />
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (canRun) void runBacktest();
        }}
      >
        <label className="field">
          <span className="field-label">Strategy</span>
          {/* The select comes first, so the label still names it; the reload sits on the picker's own row
              (where a trader who just edited a strategy file looks), taking no height from the Run button. */}
          <span className="strategy-picker">
            <select
              data-testid="strategy-select"
              value={strategy?.name ?? ''}
              disabled={strategies.status !== 'ready' || !!job}
              onChange={(e) => selectStrategy(e.target.value)}
            >
              <StrategyOptions strategies={strategies} />
            </select>
            <button
              type="button"
              className="secondary"
              data-testid="reload-strategies"
              aria-label="Reload strategies"
              title="Reload strategies: read the data folder's strategies/*.ts files again"
              disabled={!!job}
              onClick={() => void reloadStrategies()}
            >
              ↻
            </button>
          </span>
        </label>
        {strategy ? <p className="strategy-description">{strategy.description}</p> : null}
        <div className="params">
          {strategy?.params.map((spec) => {
            const error = paramCheck?.errors[spec.name];
            return (
              <NumberField
                key={spec.name}
                label={spec.name}
                title={spec.description}
                inputMode="decimal"
                testId={`param-${spec.name}`}
                min={spec.min}
                max={spec.max}
                step={spec.step ?? (spec.type === 'int' ? 1 : 'any')}
                value={draft[spec.name] ?? ''}
                disabled={!!job}
                onChange={(value) => setParam(spec.name, value)}
                invalid={!!error}
                hint={error ?? `${spec.min} – ${spec.max}`}
              />
            );
          })}
        </div>
        <div className="params account">
          <NumberField
            label="cash"
            testId="param-cash"
            min={1}
            step="any"
            value={cash}
            disabled={!!job}
            onChange={setCash}
            invalid={!!account.errors.cash}
            hint={account.errors.cash ?? 'starting equity'}
          />
          <NumberField
            label="commission %"
            testId="param-commission"
            min={0}
            max={MAX_COMMISSION_PERCENT}
            step="any"
            value={commission}
            disabled={!!job}
            onChange={setCommission}
            invalid={!!account.errors.commission}
            hint={account.errors.commission ?? account.warnings.commission ?? COMMISSION_UNIT}
            warning={!!account.warnings.commission}
          />
        </div>
        <label
          className="check-field"
          title="Otherwise a position still held after the last bar is listed as open, marked to the last close"
        >
          <input
            type="checkbox"
            data-testid="close-at-end"
            checked={closeAtEnd}
            disabled={!!job}
            onChange={(e) => setCloseAtEnd(e.target.checked)}
          />
          <span>close at end</span>
        </label>
        <div className="run-row">
          <button type="submit" className="run-button" data-testid="run-backtest" disabled={!canRun}>
            {job ? 'Running…' : `Run ${symbol ?? ''} ${timeframe}`}
          </button>
          <button type="button" className="ghost-button" onClick={resetParams} disabled={!strategy || !!job}>
            Defaults
          </button>
        </div>
        {/* Folded like the costs, for the same reason; the summary says what is chosen. */}
        <details className="cost-details">
          <summary data-testid="range-summary">
            dates {dates.start || 'first bar'} – {dates.end || 'last bar'} · benchmark{' '}
            {benchmark || symbol || 'this symbol'}
          </summary>
          <div className="params account">
            <DateField
              label="from (optional)"
              testId="backtest-start"
              value={dates.start}
              disabled={!!job}
              onChange={(start) => setDates({ start })}
            />
            <DateField
              label="to (optional)"
              testId="backtest-end"
              value={dates.end}
              disabled={!!job}
              error={datesError}
              onChange={(end) => setDates({ end })}
            />
          </div>
          <label
            className="field"
            title="What the tear sheet compares the run with: a symbol bought and held"
          >
            <span className="field-label">benchmark</span>
            <select
              data-testid="backtest-benchmark"
              value={benchmark}
              disabled={!!job}
              onChange={(e) => setBenchmark(e.target.value)}
            >
              <option value="">{symbol ?? 'this symbol'} (buy &amp; hold)</option>
              {benchmarks
                .filter((other) => other !== symbol)
                .map((other) => (
                  <option key={other} value={other}>
                    {other}
                  </option>
                ))}
            </select>
          </label>
        </details>
        {/* Folded and under the Run button, which must stay inside a 1000 px high window. */}
        <details className="cost-details">
          <summary>costs (fees, spread, impact, short sales)</summary>
          <CostFields disabled={!!job} />
        </details>
        <JobProgressBar />
      </form>
    </section>
  );
}
