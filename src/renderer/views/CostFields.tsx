import { FEE_SCHEDULES, isFeeSchedule, type FeeSchedule } from '../../core/engine/assetCosts.ts';
import { ALPACA_CRYPTO_FEE_TIERS, isCryptoFeeTier } from '../../core/engine/assetCosts.ts';
import { cryptoFeeText, cryptoFeeTierText, FEE_SCHEDULE_TEXT } from '../../shared/costsText.ts';
import { useApp } from '../store/context.tsx';
import { checkCosts, DEFAULT_COST_DRAFT, NO_COST_DRAFT, type CostNumberPart } from '../store/costDraft.ts';
import { NumberField } from './fields.tsx';

/** The select's names, short enough for a form's half column; each option's title says them in full. */
const FEE_CHOICES: Record<FeeSchedule, string> = {
  'us-equity': 'SEC + FINRA',
  'alpaca-crypto': 'Alpaca crypto',
  none: 'none',
};

const TEST_IDS: Record<CostNumberPart, string> = {
  spreadBps: 'cost-spread',
  impact: 'cost-impact',
  borrowPercent: 'cost-borrow',
};

/** One numeric part of the cost draft: empty takes the asset default, a bad value says its range. */
function CostNumber(props: {
  part: CostNumberPart;
  label: string;
  title: string;
  max?: number;
  disabled: boolean;
}) {
  const costs = useApp((s) => s.costs);
  const setCosts = useApp((s) => s.setCosts);
  const error = checkCosts(costs).errors[props.part];
  return (
    <NumberField
      label={props.label}
      testId={TEST_IDS[props.part]}
      title={props.title}
      min={0}
      {...(props.max === undefined ? {} : { max: props.max })}
      step="any"
      placeholder="default"
      value={costs[props.part]}
      disabled={props.disabled}
      onChange={(value) => setCosts({ ...costs, [props.part]: value })}
      invalid={!!error}
      hint={error ?? 'empty: asset default'}
    />
  );
}

/**
 * The app's cost settings (one draft, store/costDraft.ts), on every form that runs backtests and in
 * Settings: an empty part takes the symbol's asset-class default (defaultCostSettings in
 * core/engine/assetCosts.ts).
 */
export function CostFields({ disabled = false }: { disabled?: boolean }) {
  const costs = useApp((s) => s.costs);
  const setCosts = useApp((s) => s.setCosts);
  return (
    <div className="params costs" data-testid="cost-fields">
      <label
        className="field"
        title={`The venue's fees: SEC fee and FINRA TAF on every sell of US equities; Alpaca's crypto fee on every crypto fill (${cryptoFeeText(1)} at its first tier)`}
      >
        <span className="field-label">fees</span>
        <select
          data-testid="cost-fees"
          value={costs.fees ?? 'default'}
          disabled={disabled}
          onChange={(e) =>
            setCosts({ ...costs, fees: isFeeSchedule(e.target.value) ? e.target.value : null })
          }
        >
          <option value="default">asset default</option>
          {FEE_SCHEDULES.map((schedule) => (
            <option key={schedule} value={schedule} title={FEE_SCHEDULE_TEXT[schedule]}>
              {FEE_CHOICES[schedule]}
            </option>
          ))}
        </select>
      </label>
      <label
        className="field"
        title="Alpaca's crypto fee tier by the account's 30-day crypto volume, taker / maker; only Alpaca's crypto fee reads it"
      >
        <span className="field-label">crypto tier</span>
        <select
          data-testid="cost-crypto-tier"
          value={costs.cryptoFeeTier ?? 'default'}
          disabled={disabled}
          onChange={(e) => {
            const tier = Number(e.target.value);
            setCosts({ ...costs, cryptoFeeTier: isCryptoFeeTier(tier) ? tier : null });
          }}
        >
          <option value="default">default (1)</option>
          {ALPACA_CRYPTO_FEE_TIERS.map((_, k) => (
            <option key={k} value={k + 1} title={cryptoFeeText(k + 1)}>
              {cryptoFeeTierText(k + 1)}
            </option>
          ))}
        </select>
      </label>
      <CostNumber
        part="spreadBps"
        label="spread bp"
        title="The full quoted spread; half of it is paid on every market fill"
        disabled={disabled}
      />
      <CostNumber
        part="impact"
        label="impact"
        title="Square-root impact: the price share paid at full participation of a bar's volume"
        max={1}
        disabled={disabled}
      />
      <CostNumber
        part="borrowPercent"
        label="borrow % / yr"
        title="Stock borrow fee on a short position's value held overnight, by the day over a 360-day year, three days over a weekend (Alpaca: the stock's easy-to-borrow rate); the asset default charges none"
        max={1_000}
        disabled={disabled}
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
