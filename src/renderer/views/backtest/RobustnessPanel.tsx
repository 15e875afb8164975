import { useMemo, useState } from 'react';
import type { BacktestResult, RequestInput, RobustnessPayload } from '../../../shared/contract.ts';
import { periodReturnsOf, tradeEquityReturns } from '../../../shared/robustnessReturns.ts';
import { drawdownOddsLabel, worstPercentilesLabel } from '../../../shared/robustnessText.ts';
import { EChart } from '../../charts/EChart.tsx';
import { robustnessChartOption } from '../../charts/robustnessChart.ts';
import { errorMessage } from '../../client/clientError.ts';
import { formatPercent } from '../../format.ts';
import { formatMetric } from '../../metricFormat.ts';
import { useApp } from '../../store/context.tsx';
import { ChoiceField, NumberField } from '../fields.tsx';

type Method = RequestInput<'backtest:robustness'>['method'];
const METHODS: readonly Method[] = ['block-bootstrap', 'trade-shuffle'];
const METHOD_LABEL: Record<Method, string> = {
  'block-bootstrap': 'Bootstrap of period returns',
  'trade-shuffle': 'Shuffle of trade order',
};

/** Text drafts, so a half-typed value is kept; the server's contract checks them and names a bad one. */
interface Draft {
  resamples: string;
  blockLength: string;
  drawdownDepth: string;
  ruinFloor: string;
  seed: string;
}

/** The drawdown percentiles the figures show: p5, p50 and p95 (indices into the payload's percentiles). */
const SHOWN = [0, 2, 4];

const numberOrText = (text: string): number | string => (text.trim() === '' ? text : Number(text));

/**
 * Monte Carlo of the Backtest view's result, or of `result` when given (an inspected trial's) (issue 15
 * item 8): asks `backtest:robustness` with the result's period returns or closed trades' returns, and shows
 * the equity band, the drawdown band over time and the probabilities. A new result clears the previous
 * answer, which described another run.
 */
export function RobustnessPanel({ result: given }: { result?: BacktestResult | null } = {}) {
  const client = useApp((s) => s.client);
  const own = useApp((s) => s.result);
  const result = given === undefined ? own : given;
  const [method, setMethod] = useState<Method>('block-bootstrap');
  const [draft, setDraft] = useState<Draft>({
    resamples: '1000',
    blockLength: '',
    drawdownDepth: '0.2',
    ruinFloor: '0.5',
    seed: '1',
  });
  const [answer, setAnswer] = useState<{ of: unknown; value: RobustnessPayload } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = answer !== null && answer.of === result ? answer.value : null;
  const option = useMemo(() => (shown ? robustnessChartOption(shown) : null), [shown]);
  const set = (key: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));

  const run = async (): Promise<void> => {
    if (result === null) return;
    const returns = method === 'trade-shuffle' ? tradeEquityReturns(result) : periodReturnsOf(result);
    // Sent as typed: a non-number reaches the contract, whose refusal names the field.
    const request = {
      method,
      returns,
      resamples: numberOrText(draft.resamples),
      ...(draft.blockLength.trim() === '' ? {} : { blockLength: numberOrText(draft.blockLength) }),
      drawdownDepth: numberOrText(draft.drawdownDepth),
      ruinFloor: numberOrText(draft.ruinFloor),
      seed: numberOrText(draft.seed),
    } as RequestInput<'backtest:robustness'>;
    setBusy(true);
    setError(null);
    try {
      setAnswer({ of: result, value: await client.invoke('backtest:robustness', request) });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  if (result === null) return null;
  return (
    <section className="panel robustness" data-testid="robustness-panel">
      <div className="panel-title">Monte Carlo robustness</div>
      <div className="params robustness-form">
        <ChoiceField
          label="Method"
          title="Resample the period returns in blocks, or reorder the closed trades"
          testId="robustness-method"
          value={method}
          choices={METHODS}
          describe={(m) => METHOD_LABEL[m]}
          onChange={setMethod}
        />
        <NumberField
          label="Resamples"
          value={draft.resamples}
          onChange={set('resamples')}
          testId="robustness-resamples"
        />
        {method === 'block-bootstrap' ? (
          <NumberField
            label="Block"
            value={draft.blockLength}
            placeholder="auto"
            onChange={set('blockLength')}
            testId="robustness-block"
          />
        ) : null}
        <NumberField
          label="Drawdown depth"
          title="P(max drawdown) is the share of resamples whose max drawdown is deeper than this fraction below the peak (0.2 = -20 %)"
          value={draft.drawdownDepth}
          step="any"
          onChange={set('drawdownDepth')}
          testId="robustness-depth"
        />
        <NumberField
          label="Ruin floor"
          title="P(ruin) is the share of resamples whose equity falls below this fraction of the start (0.5 = 50 %)"
          value={draft.ruinFloor}
          step="any"
          onChange={set('ruinFloor')}
          testId="robustness-ruin"
        />
        <NumberField label="Seed" value={draft.seed} onChange={set('seed')} testId="robustness-seed" />
        <button
          type="button"
          className="ghost-button small"
          data-testid="run-robustness"
          disabled={busy}
          onClick={() => void run()}
        >
          {busy ? 'Running…' : 'Run'}
        </button>
      </div>
      {error === null ? null : (
        <div className="error-text" data-testid="robustness-error">
          {error}
        </div>
      )}
      {shown ? (
        <>
          <table className="kv-table" data-testid="robustness-figures">
            <tbody>
              <tr data-testid="robustness-prob-drawdown" data-value={shown.probDrawdownBeyond}>
                <th>{drawdownOddsLabel(formatPercent(-shown.drawdownDepth, 0))}</th>
                <td>{formatPercent(shown.probDrawdownBeyond)}</td>
              </tr>
              <tr data-testid="robustness-max-drawdown">
                <th>Max drawdown, {worstPercentilesLabel(SHOWN.map((b) => shown.percentiles[b] ?? NaN))}</th>
                <td>
                  {SHOWN.map((b) => formatMetric('maxDrawdown', shown.maxDrawdownBands[b] ?? null)).join(
                    ' / ',
                  )}
                </td>
              </tr>
              <tr data-testid="robustness-prob-ruin" data-value={shown.probRuin}>
                <th>P(equity &lt; {formatPercent(shown.ruinFloor, 0)} of start)</th>
                <td>{formatPercent(shown.probRuin)}</td>
              </tr>
            </tbody>
          </table>
          <div className="chart-box">
            {option ? <EChart option={option} testId="robustness-chart" /> : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
