import { COMMISSION_UNIT, commissionWarning, MAX_COMMISSION_PERCENT } from '../../../shared/commission.ts';
import { DETECTOR_NAMES, detectorLabel } from '../../../shared/regimeChoices.ts';
import { useEffect, useMemo, useState } from 'react';
import { formatInteger } from '../../format.ts';
import { symbolRows, symbolTimeframeReasons } from '../../store/appStore.ts';
import { useApp } from '../../store/context.tsx';
import { useOptimize } from '../../store/optimizeContext.tsx';
import {
  checkSetup,
  PRODUCT_OBJECTIVES,
  SAMPLER_HINTS,
  SAMPLERS,
  studySymbols,
} from '../../store/optimizeSetup.ts';
import { SLICE_AGGREGATIONS } from '../../../shared/optimizeChoices.ts';
import { keepAvailable, TIMEFRAME_CHOICES, timeframesNote } from '../../timeframes.ts';
import { metricLabel } from '../../metricFormat.ts';
import { ChoiceField, NumberField, SessionSelect, StrategyOptions } from '../fields.tsx';
import { CostFields } from '../CostFields.tsx';
import { constraintSource, constraintText } from '../../../core/strategy-api/constraints.ts';

function aggregationOf(value: string): (typeof SLICE_AGGREGATIONS)[number] {
  return SLICE_AGGREGATIONS.find((a) => a === value) ?? 'worst';
}

/** The study form: strategy and its search space, data, sampler, objectives, budget and account. */
export function SetupPanel() {
  const strategies = useApp((s) => s.strategies);
  const datasets = useApp((s) => s.datasets);
  const setup = useOptimize((s) => s.setup);
  const starting = useOptimize((s) => s.starting);
  const running = useOptimize((s) => s.progress?.state === 'running');
  const patchSetup = useOptimize((s) => s.patchSetup);
  const chooseStrategy = useOptimize((s) => s.chooseStrategy);
  const patchSpace = useOptimize((s) => s.patchSpace);
  const resetSpace = useOptimize((s) => s.resetSpace);
  const toggleTimeframe = useOptimize((s) => s.toggleTimeframe);
  const toggleObjective = useOptimize((s) => s.toggleObjective);
  const setObjectiveWeight = useOptimize((s) => s.setObjectiveWeight);
  const start = useOptimize((s) => s.start);

  const strategy =
    strategies.status === 'ready' ? (strategies.data.find((s) => s.name === setup.strategy) ?? null) : null;
  const check = useMemo(() => checkSetup(setup, strategy), [setup, strategy]);
  const symbols = useMemo(() => (datasets.status === 'ready' ? symbolRows(datasets.data) : []), [datasets]);
  // The timeframes offered are those the symbol can have, as in the Backtest picker.
  const reasons = useMemo(
    () => symbolTimeframeReasons({ datasets, symbol: setup.symbol }),
    [datasets, setup.symbol],
  );
  const unavailable = useMemo(
    () => timeframesNote(datasets.status === 'ready' ? datasets.data : null, setup.symbol),
    [datasets, setup.symbol],
  );
  useEffect(() => {
    const kept = keepAvailable(setup.timeframes, reasons);
    if (kept !== setup.timeframes) patchSetup({ timeframes: kept });
  }, [reasons, setup.timeframes, patchSetup]);
  // Ticking multi-timeframe only lets several be chosen: which ones is the trader's choice.
  const [multiChosen, setMultiChosen] = useState(false);
  const multi = multiChosen || setup.timeframes.length > 1;
  const setMulti = (on: boolean): void => {
    setMultiChosen(on);
    if (!on) patchSetup({ timeframes: setup.timeframes.slice(0, 1) });
  };
  const studied = studySymbols(setup);
  const several = studied.length > 1;
  const weighted = setup.aggregation === 'weighted';
  const toggleOtherSymbol = (symbol: string): void => {
    const others = setup.otherSymbols.includes(symbol)
      ? setup.otherSymbols.filter((s) => s !== symbol)
      : [...setup.otherSymbols, symbol];
    // 'weighted' weighs symbols: with one left it has nothing to weigh.
    const alone = studySymbols({ symbol: setup.symbol, otherSymbols: others }).length < 2;
    patchSetup({ otherSymbols: others, ...(alone && weighted ? { aggregation: 'worst' } : {}) });
  };
  const enabledObjectives = setup.objectives.filter((o) => o.enabled).length;
  const err = (key: string): string | undefined => check.errors[key];
  const canStart = check.request !== null && !starting;
  const ranged = setup.space.filter((p) => p.ranged).length;

  return (
    <section className="panel opt-setup" data-testid="opt-setup">
      <div className="panel-title">
        New study
        <span className="panel-sub">
          {ranged} of {setup.space.length} parameters searched
          {check.gridSize !== null && setup.sampler === 'grid'
            ? ` · grid ${formatInteger(check.gridSize)}`
            : ''}
        </span>
      </div>
      <form
        className="form opt-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (canStart) void start();
        }}
      >
        <div className="opt-row2">
          <label className={err('strategy') ? 'field invalid' : 'field'}>
            <span className="field-label">strategy</span>
            <select
              data-testid="opt-strategy"
              value={setup.strategy ?? ''}
              onChange={(e) => chooseStrategy(e.target.value)}
            >
              <StrategyOptions strategies={strategies} />
            </select>
          </label>
          <label className={err('symbol') ? 'field invalid' : 'field'}>
            <span className="field-label">symbol</span>
            <select
              data-testid="opt-symbol"
              value={setup.symbol ?? ''}
              onChange={(e) => patchSetup({ symbol: e.target.value })}
            >
              {setup.symbol === null ? <option value="">—</option> : null}
              {symbols.map((row) => (
                <option key={row.symbol} value={row.symbol}>
                  {row.symbol}
                </option>
              ))}
            </select>
          </label>
        </div>

        {symbols.length > 1 ? (
          <div className="opt-group" data-testid="opt-symbols">
            <span className="field-label">
              {several ? 'symbols (scored together)' : 'also score on (one parameter set, several symbols)'}
            </span>
            <div className="opt-symbol-list">
              {symbols.map((row) => {
                const main = row.symbol === setup.symbol;
                const weightError = err(`symbolWeight-${row.symbol}`);
                return (
                  <span key={row.symbol} className="opt-symbol-choice">
                    <label className="opt-check small">
                      <input
                        type="checkbox"
                        data-testid={`opt-also-${row.symbol}`}
                        checked={main || setup.otherSymbols.includes(row.symbol)}
                        disabled={main}
                        title={main ? 'the study’s main symbol, chosen above' : undefined}
                        onChange={() => toggleOtherSymbol(row.symbol)}
                      />
                      {row.symbol}
                    </label>
                    {weighted && studied.includes(row.symbol) ? (
                      <input
                        className={weightError ? 'opt-weight invalid' : 'opt-weight'}
                        type="number"
                        step="any"
                        title={weightError ?? `${row.symbol}'s weight in the combined metrics`}
                        aria-label={`${row.symbol} weight`}
                        data-testid={`opt-symbol-weight-${row.symbol}`}
                        placeholder="1"
                        value={setup.symbolWeights[row.symbol] ?? ''}
                        onChange={(e) =>
                          patchSetup({
                            symbolWeights: { ...setup.symbolWeights, [row.symbol]: e.target.value },
                          })
                        }
                      />
                    ) : null}
                  </span>
                );
              })}
            </div>
          </div>
        ) : null}

        <div className="opt-group">
          <div className="opt-group-head">
            <span className="field-label">
              {multi
                ? setup.timeframes.length > 1
                  ? 'timeframes (scored together)'
                  : 'timeframes: pick the others to score together'
                : 'timeframe'}
            </span>
            <label className="opt-check small">
              <input
                type="checkbox"
                data-testid="opt-multi-tf"
                checked={multi}
                onChange={(e) => setMulti(e.target.checked)}
              />
              multi-timeframe
            </label>
          </div>
          <div className="segmented opt-seg" role="group" aria-label="Timeframes">
            {TIMEFRAME_CHOICES.map((tf) => (
              <button
                key={tf}
                type="button"
                className={setup.timeframes.includes(tf) ? 'seg active' : 'seg'}
                aria-pressed={setup.timeframes.includes(tf)}
                data-testid={`opt-tf-${tf}`}
                disabled={reasons[tf] !== null}
                title={reasons[tf] ?? undefined}
                onClick={() => toggleTimeframe(tf, multi)}
              >
                {tf}
              </button>
            ))}
          </div>
          {unavailable ? (
            <span className="field-hint" data-testid="opt-tf-note">
              {unavailable}
            </span>
          ) : null}
          {multi || several ? (
            <label className={err('aggregation') ? 'field opt-inline invalid' : 'field opt-inline'}>
              <span className="field-label">combine by</span>
              <select
                data-testid="opt-aggregation"
                value={setup.aggregation}
                onChange={(e) => patchSetup({ aggregation: aggregationOf(e.target.value) })}
              >
                <option value="worst">worst {several ? 'symbol or timeframe' : 'timeframe'}</option>
                <option value="mean">mean of {several ? 'symbols and timeframes' : 'timeframes'}</option>
                {several ? <option value="weighted">weighted by symbol</option> : null}
              </select>
              {err('aggregation') ? <span className="field-hint">{err('aggregation')}</span> : null}
            </label>
          ) : null}
        </div>

        <div className="opt-row2">
          <label className={err('start') ? 'field invalid' : 'field'}>
            <span className="field-label">from (optional)</span>
            <input
              type="date"
              data-testid="opt-start"
              value={setup.start}
              onChange={(e) => patchSetup({ start: e.target.value })}
            />
          </label>
          <label className={err('end') ? 'field invalid' : 'field'}>
            <span className="field-label">to (optional)</span>
            <input
              type="date"
              data-testid="opt-end"
              value={setup.end}
              onChange={(e) => patchSetup({ end: e.target.value })}
            />
            {err('end') ? <span className="field-hint">{err('end')}</span> : null}
          </label>
          <SessionSelect testId="opt-session" className="field" labelClassName="field-label" />
        </div>

        <div className="opt-group">
          <span className="field-label">sampler · {SAMPLER_HINTS[setup.sampler]}</span>
          <div className="segmented opt-seg" role="group" aria-label="Sampler">
            {SAMPLERS.map((kind) => (
              <button
                key={kind}
                type="button"
                className={setup.sampler === kind ? 'seg active' : 'seg'}
                aria-pressed={setup.sampler === kind}
                data-testid={`opt-sampler-${kind}`}
                title={SAMPLER_HINTS[kind]}
                onClick={() => patchSetup({ sampler: kind })}
              >
                {kind}
              </button>
            ))}
          </div>
        </div>

        <div className={err('objectives') ? 'opt-group invalid' : 'opt-group'}>
          <div className="opt-group-head">
            <span className="field-label">objectives</span>
            {enabledObjectives > 1 ? (
              <div className="segmented opt-seg small" role="group" aria-label="Objective mode">
                {(['weighted', 'pareto'] as const).map((mode) => (
                  <button
                    key={mode}
                    type="button"
                    className={setup.mode === mode ? 'seg active' : 'seg'}
                    aria-pressed={setup.mode === mode}
                    data-testid={`opt-mode-${mode}`}
                    onClick={() => patchSetup({ mode })}
                  >
                    {mode}
                  </button>
                ))}
              </div>
            ) : (
              <span className="opt-muted">single</span>
            )}
          </div>
          <div className="opt-objectives">
            {PRODUCT_OBJECTIVES.map(({ metric, direction }) => {
              const draft = setup.objectives.find((o) => o.metric === metric);
              const weightError = err(`weight-${metric}`);
              return (
                <div key={metric} className={draft?.enabled ? 'opt-objective on' : 'opt-objective'}>
                  <label className="opt-check">
                    <input
                      type="checkbox"
                      data-testid={`opt-objective-${metric}`}
                      checked={draft?.enabled ?? false}
                      onChange={() => toggleObjective(metric)}
                    />
                    <span className={direction === 'maximize' ? 'up' : 'down'}>
                      {direction === 'maximize' ? 'max' : 'min'}
                    </span>
                    {metricLabel(metric)}
                  </label>
                  {setup.mode === 'weighted' && draft?.enabled && enabledObjectives > 1 ? (
                    <input
                      className={weightError ? 'opt-weight invalid' : 'opt-weight'}
                      type="number"
                      step="any"
                      title="weight in the score"
                      aria-label={`${metric} weight`}
                      data-testid={`opt-weight-${metric}`}
                      value={draft.weight}
                      onChange={(e) => setObjectiveWeight(metric, e.target.value)}
                    />
                  ) : null}
                </div>
              );
            })}
          </div>
          {err('objectives') ? <span className="field-hint error-text">{err('objectives')}</span> : null}
        </div>

        <div className="opt-row3">
          <NumberField
            label="trials"
            min={1}
            testId="opt-trial-count"
            value={setup.trials}
            onChange={(trials) => patchSetup({ trials })}
            invalid={!!err('trials')}
          />
          <NumberField
            label="seed"
            min={0}
            placeholder="random"
            testId="opt-seed"
            value={setup.seed}
            onChange={(seed) => patchSetup({ seed })}
            invalid={!!err('seed')}
          />
          <NumberField
            label="min trades"
            title="A trial with fewer trades cannot win"
            min={0}
            testId="opt-min-trades"
            value={setup.minTrades}
            onChange={(minTrades) => patchSetup({ minTrades })}
            invalid={!!err('minTrades')}
          />
          <NumberField
            label="cash"
            min={1}
            step="any"
            testId="opt-cash"
            value={setup.cash}
            onChange={(cash) => patchSetup({ cash })}
            invalid={!!err('cash')}
          />
          <NumberField
            label="commission %"
            min={0}
            max={MAX_COMMISSION_PERCENT}
            step="any"
            testId="opt-commission"
            value={setup.commission}
            onChange={(commission) => patchSetup({ commission })}
            invalid={!!err('commission')}
            hint={err('commission') ?? commissionWarning(Number(setup.commission)) ?? COMMISSION_UNIT}
            warning={commissionWarning(Number(setup.commission)) !== null}
          />
          <CostFields />
          <label
            className={err('holdout') ? 'field invalid' : 'field'}
            title="The last part of the data the search never sees; the winner is shown there beside its searched part"
          >
            <span className="field-label">holdout</span>
            <input
              data-testid="opt-holdout"
              placeholder="20% or yyyy-mm-dd"
              value={setup.holdout}
              onChange={(e) => patchSetup({ holdout: e.target.value })}
            />
            {err('holdout') ? <span className="field-hint">{err('holdout')}</span> : null}
          </label>
          <label
            className="opt-check opt-plateau"
            title="Winner = centre of the most stable plateau, not the raw peak"
          >
            <input
              type="checkbox"
              data-testid="opt-plateau"
              checked={setup.preferPlateau}
              onChange={(e) => patchSetup({ preferPlateau: e.target.checked })}
            />
            prefer plateau
          </label>
          <label
            className="opt-check"
            title="Once the study completes, score every trial on the bars of each regime (first timeframe) and pick one set per regime, or the global set with the reason"
          >
            <input
              type="checkbox"
              data-testid="opt-per-regime"
              checked={setup.perRegime}
              onChange={(e) => patchSetup({ perRegime: e.target.checked })}
            />
            one set per regime
          </label>
          {setup.perRegime ? (
            <>
              <ChoiceField
                label="regime detector"
                title="The detector whose point-in-time labels split the study's bars into regimes"
                testId="opt-per-regime-detector"
                value={setup.regimeDetector}
                choices={DETECTOR_NAMES}
                describe={detectorLabel}
                onChange={(regimeDetector) => patchSetup({ regimeDetector })}
              />
              <NumberField
                label="trades per regime"
                title="A regime's own set needs this many trades in it, else it keeps the global set"
                min={0}
                testId="opt-per-regime-min-trades"
                value={setup.regimeMinTrades}
                onChange={(regimeMinTrades) => patchSetup({ regimeMinTrades })}
                invalid={!!err('regimeMinTrades')}
              />
              <NumberField
                label="set dwell (bars)"
                title="Bars a regime's parameter set stays in force once switched to, even if the label changes sooner (the detector's labels keep their own persistence)"
                min={1}
                step={1}
                testId="opt-per-regime-min-dwell"
                value={setup.regimeMinDwell}
                onChange={(regimeMinDwell) => patchSetup({ regimeMinDwell })}
                invalid={!!err('regimeMinDwell')}
              />
            </>
          ) : null}
        </div>

        <div className="opt-group">
          <div className="opt-group-head">
            <span className="field-label">search space</span>
            <button type="button" className="ghost-button small" onClick={resetSpace} disabled={!strategy}>
              Defaults
            </button>
          </div>
          <table className="opt-space" data-testid="opt-space">
            <thead>
              <tr>
                <th title="searched over a range (checked), or held at one value">use</th>
                <th>parameter</th>
                <th>min</th>
                <th>max</th>
                <th>step</th>
              </tr>
            </thead>
            <tbody>
              {setup.space.map((p) => {
                const spec = strategy?.params.find((s) => s.name === p.name);
                const error = err(p.name);
                return (
                  <tr
                    key={p.name}
                    className={error ? 'invalid' : ''}
                    data-testid={`opt-space-${p.name}`}
                    title={`${spec?.description ?? ''}${error ? ` (${error})` : ''}`}
                  >
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`search ${p.name}`}
                        data-testid={`opt-range-${p.name}`}
                        checked={p.ranged}
                        onChange={(e) => patchSpace(p.name, { ranged: e.target.checked })}
                      />
                    </td>
                    <td className="opt-param-name">
                      {p.name}
                      {error ? <span className="opt-param-error">{error}</span> : null}
                    </td>
                    {p.ranged ? (
                      <>
                        <td>
                          <input
                            type="number"
                            step="any"
                            aria-label={`${p.name} min`}
                            data-testid={`opt-min-${p.name}`}
                            value={p.min}
                            onChange={(e) => patchSpace(p.name, { min: e.target.value })}
                          />
                        </td>
                        <td>
                          <input
                            type="number"
                            step="any"
                            aria-label={`${p.name} max`}
                            data-testid={`opt-max-${p.name}`}
                            value={p.max}
                            onChange={(e) => patchSpace(p.name, { max: e.target.value })}
                          />
                        </td>
                        <td>
                          <input
                            type="number"
                            step="any"
                            placeholder={p.type === 'float' ? 'cont.' : ''}
                            aria-label={`${p.name} step`}
                            data-testid={`opt-step-${p.name}`}
                            value={p.step}
                            onChange={(e) => patchSpace(p.name, { step: e.target.value })}
                          />
                        </td>
                      </>
                    ) : (
                      <td colSpan={3}>
                        <input
                          type="number"
                          step="any"
                          aria-label={`${p.name} value`}
                          data-testid={`opt-value-${p.name}`}
                          value={p.value}
                          onChange={(e) => patchSpace(p.name, { value: e.target.value })}
                        />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {strategy && strategy.constraints.length > 0 ? (
            <div className="opt-constraints" data-testid="opt-constraints">
              constraints:{' '}
              {strategy.constraints.map((c) => (
                <code key={constraintSource(c)}>{constraintText(c)}</code>
              ))}
            </div>
          ) : null}
        </div>

        <div className="run-row">
          <button type="submit" className="run-button" data-testid="opt-start-button" disabled={!canStart}>
            {starting
              ? 'Starting…'
              : running
                ? 'Start another study'
                : `Optimize ${studied.join(', ')} ${setup.timeframes.join('+')}`}
          </button>
        </div>
      </form>
    </section>
  );
}
