import {
  ALPACA_CRYPTO_FEE_TIERS,
  FEE_SCHEDULES,
  isCryptoFeeTier,
  isFeeSchedule,
  isShortSales,
  isUnitRule,
  COST_NUMBER_BOUNDS,
  SHORT_SALES,
  UNIT_RULES,
  type CostNumberPart,
  type FeeSchedule,
  type ShortSales,
} from '../../core/engine/assetCosts.ts';
import { cryptoFeeText, cryptoFeeTierText, FEE_SCHEDULE_TEXT } from '../../shared/costsText.ts';
import { useApp } from '../store/context.tsx';
import { checkCosts, DEFAULT_COST_DRAFT, noCostDraft } from '../store/costDraft.ts';
import { NumberField } from './fields.tsx';

/** The select's names, short enough for a form's half column; each option's title says them in full. */
const FEE_CHOICES: Record<FeeSchedule, string> = {
  'us-equity': 'SEC + FINRA',
  'alpaca-crypto': 'Alpaca crypto',
  none: 'none',
};

const SHORT_SALES_CHOICES: Record<ShortSales, string> = { allowed: 'allowed', none: 'none (long only)' };

const TEST_IDS: Record<CostNumberPart, string> = {
  spreadBps: 'cost-spread',
  impact: 'cost-impact',
  borrowPercent: 'cost-borrow',
};

/** One numeric part of the cost draft: empty takes the asset default, a bad value says its range. */
function CostNumber(props: { part: CostNumberPart; label: string; title: string; disabled: boolean }) {
  const costs = useApp((s) => s.costs);
  const setCosts = useApp((s) => s.setCosts);
  const error = checkCosts(costs).errors[props.part];
  return (
    <NumberField
      label={props.label}
      testId={TEST_IDS[props.part]}
      title={props.title}
      min={0}
      max={COST_NUMBER_BOUNDS[props.part].max}
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

/** One chosen part of the cost draft: null (the "default" choice) leaves it to the asset class. */
function CostChoice(props: {
  label: string;
  testId: string;
  title: string;
  value: string | number | null;
  defaultText: string;
  choices: readonly { value: string; text: string; title?: string }[];
  disabled: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <label className="field" title={props.title}>
      <span className="field-label">{props.label}</span>
      <select
        data-testid={props.testId}
        value={props.value ?? 'default'}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.value)}
      >
        <option value="default">{props.defaultText}</option>
        {props.choices.map((choice) => (
          <option key={choice.value} value={choice.value} title={choice.title}>
            {choice.text}
          </option>
        ))}
      </select>
    </label>
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
      <CostChoice
        label="fees"
        testId="cost-fees"
        title={`The venue's fees: SEC fee and FINRA TAF on every sell of US equities; Alpaca's crypto fee on every crypto fill (${cryptoFeeText(1)} at its first tier)`}
        value={costs.fees}
        defaultText="asset default"
        choices={FEE_SCHEDULES.map((schedule) => ({
          value: schedule,
          text: FEE_CHOICES[schedule],
          title: FEE_SCHEDULE_TEXT[schedule],
        }))}
        disabled={disabled}
        onChange={(value) => setCosts({ ...costs, fees: isFeeSchedule(value) ? value : null })}
      />
      <CostChoice
        label="crypto tier"
        testId="cost-crypto-tier"
        title="Alpaca's crypto fee tier by the account's 30-day crypto volume, taker / maker; only Alpaca's crypto fee reads it"
        value={costs.cryptoFeeTier}
        defaultText="default (1)"
        choices={ALPACA_CRYPTO_FEE_TIERS.map((_, k) => ({
          value: String(k + 1),
          text: cryptoFeeTierText(k + 1),
          title: cryptoFeeText(k + 1),
        }))}
        disabled={disabled}
        onChange={(value) => {
          const tier = Number(value);
          setCosts({ ...costs, cryptoFeeTier: isCryptoFeeTier(tier) ? tier : null });
        }}
      />
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
        disabled={disabled}
      />
      <CostNumber
        part="borrowPercent"
        label="borrow % / yr"
        title="Stock borrow fee on a short position's value held overnight, by the day over a 360-day year, three days over a weekend (Alpaca: the stock's easy-to-borrow rate); the asset default charges none"
        disabled={disabled}
      />
      <CostChoice
        label="short sales"
        testId="cost-short-sales"
        title="Whether a run may sell short. None: long only, a signal to sell short goes flat instead (crypto's default: Alpaca lends no crypto; a cash account cannot borrow either); the asset default allows it for stocks and FX"
        value={costs.shortSales}
        defaultText="asset default"
        choices={SHORT_SALES.map((shorts) => ({ value: shorts, text: SHORT_SALES_CHOICES[shorts] }))}
        disabled={disabled}
        onChange={(value) => setCosts({ ...costs, shortSales: isShortSales(value) ? value : null })}
      />
      <CostChoice
        label="units"
        testId="cost-units"
        title="What an order may be for: whole units (shares), or fractions (crypto's default: Alpaca trades a coin to a ten-thousandth); the asset default is whole units for stocks and FX"
        value={costs.units}
        defaultText="asset default"
        choices={UNIT_RULES.map((units) => ({ value: units, text: units }))}
        disabled={disabled}
        onChange={(value) => setCosts({ ...costs, units: isUnitRule(value) ? value : null })}
      />
      <div className="run-row">
        <button
          type="button"
          className="ghost-button small"
          data-testid="costs-none"
          disabled={disabled}
          onClick={() => setCosts(noCostDraft(costs))}
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
