import { useApp } from '../store/context.tsx';
import { checkCosts, DEFAULT_COST_DRAFT, NO_COST_DRAFT } from '../store/costDraft.ts';
import { NumberField } from './fields.tsx';

const FEES = { default: null, on: true, off: false } as const;
type FeesChoice = keyof typeof FEES;

/**
 * The app's cost settings (one draft, store/costDraft.ts), on every form that runs backtests and in
 * Settings: an empty part takes the symbol's asset-class default (US equities: SEC and FINRA fees on
 * sells, 2 bp spread, impact 0.01).
 */
export function CostFields({ disabled = false }: { disabled?: boolean }) {
  const costs = useApp((s) => s.costs);
  const setCosts = useApp((s) => s.setCosts);
  const { errors } = checkCosts(costs);
  const fees: FeesChoice = costs.regulatoryFees === null ? 'default' : costs.regulatoryFees ? 'on' : 'off';
  return (
    <div className="params costs" data-testid="cost-fields">
      <label className="field" title="SEC fee and FINRA TAF on every sell (US equities on Alpaca)">
        <span className="field-label">fees</span>
        <select
          data-testid="cost-fees"
          value={fees}
          disabled={disabled}
          onChange={(e) => setCosts({ ...costs, regulatoryFees: FEES[e.target.value as FeesChoice] })}
        >
          <option value="default">asset default</option>
          <option value="on">SEC + FINRA</option>
          <option value="off">none</option>
        </select>
      </label>
      <NumberField
        label="spread bp"
        testId="cost-spread"
        title="The full quoted spread; half of it is paid on every market fill"
        min={0}
        step="any"
        placeholder="default"
        value={costs.spreadBps}
        disabled={disabled}
        onChange={(spreadBps) => setCosts({ ...costs, spreadBps })}
        invalid={!!errors.spreadBps}
        hint={errors.spreadBps ?? 'empty: asset default'}
      />
      <NumberField
        label="impact"
        testId="cost-impact"
        title="Square-root impact: the price share paid at full participation of a bar's volume"
        min={0}
        max={1}
        step="any"
        placeholder="default"
        value={costs.impact}
        disabled={disabled}
        onChange={(impact) => setCosts({ ...costs, impact })}
        invalid={!!errors.impact}
        hint={errors.impact ?? 'empty: asset default'}
      />
      <div className="run-row">
        <button
          type="button"
          className="ghost-button small"
          data-testid="costs-none"
          disabled={disabled}
          onClick={() => setCosts(NO_COST_DRAFT)}
        >
          No costs
        </button>
        <button
          type="button"
          className="ghost-button small"
          data-testid="costs-default"
          disabled={disabled}
          onClick={() => setCosts(DEFAULT_COST_DRAFT)}
        >
          Asset defaults
        </button>
      </div>
    </div>
  );
}
