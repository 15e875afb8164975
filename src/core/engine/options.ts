import {
  createCommissionModel,
  createSlippageModel,
  type CommissionModel,
  type CommissionSpec,
  type SlippageModel,
  type SlippageSpec,
} from './costs.ts';
import type { Convention, StrategyOptions } from '../strategy-api/types.ts';

/** backtesting.py's default order size, 1 - sys.float_info.epsilon: "all available cash". */
export const BACKTESTING_PY_ALL_IN = 1 - 2.220446049250313e-16;

export interface BacktestOptions {
  /** Starting cash (default 10,000). */
  cash?: number;
  commission?: CommissionSpec | CommissionModel;
  slippage?: SlippageSpec | SlippageModel;
  /** 'next-open' (default): a signal on bar i's close fills at bar i+1's open. 'close': at bar i's close. */
  fillAt?: 'next-open' | 'close';
  /** Allow fractional units (default false: whole shares, rounded toward zero). */
  fractional?: boolean;
  /** Never hold a short position: sells beyond the long position are trimmed (default false). */
  longOnly?: boolean;
  /** Close a position still open after the last bar so it counts as a trade (default false). */
  closeAtEnd?: boolean;
  /** Position value may reach maxLeverage x equity (default 1: no leverage). */
  maxLeverage?: number;
  /** Cap on the position's value in account currency (default Infinity). */
  maxPositionValue?: number;
  /** Cap on one fill's size as a share of its bar's volume, in (0, 1] (default Infinity: no cap). */
  maxVolumeShare?: number;
  /** What holding a position overnight costs (default: nothing). */
  financing?: FinancingSpec | undefined;
  /** Default: the strategy's own (backtesting.py for sma-cross, regimen otherwise). */
  convention?: Convention;
  /** Keep per-bar position (units) and cash arrays in the result (default false; costs 16 bytes per bar). */
  recordPositions?: boolean;
  /**
   * The earliest bar the strategy's `onBar` sees (default 0): it starts at the later of this and the
   * bar its own warm-up ends at, so bars before it only warm its indicators (a run from a date on bars
   * read with the history before it).
   */
  tradeFrom?: number;
}

/**
 * Financing, as a margin account charges it: annual rates (fractions) on what is borrowed overnight, by
 * the day over a 360-day year, as Alpaca and US brokers compute it ("daily margin interest = settlement
 * date debit balance x rate / 360"; "daily ETB stock borrow fee = end of day short market value x the
 * stock's ETB rate / 360", three days over a weekend). A position closed before the day ends pays none.
 */
export interface FinancingSpec {
  /** Interest on a debit balance (cash below 0: a long position bought with borrowed money). */
  readonly marginRate?: number;
  /** The stock borrow fee on a short position's market value. */
  readonly borrowRate?: number;
}

export interface ResolvedBacktestOptions extends StrategyOptions {
  readonly cash: number;
  readonly commission: CommissionModel;
  readonly slippage: SlippageModel;
  readonly fillAtClose: boolean;
  readonly fractional: boolean;
  readonly longOnly: boolean;
  readonly closeAtEnd: boolean;
  readonly closeAtEndPrice: 'open' | 'close';
  readonly maxLeverage: number;
  readonly maxPositionValue: number;
  readonly maxVolumeShare: number;
  /** Annual rates as fractions (0: none; see FinancingSpec). */
  readonly marginRate: number;
  readonly borrowRate: number;
  readonly convention: Convention;
  /** Share of equity an all-in order commits (see BACKTESTING_PY_ALL_IN). */
  readonly allInFraction: number;
  /**
   * Where the run's return series starts, for its metrics: 'initial-cash', the wealth before the first
   * bar; or 'first-bar', the equity at the first bar's close (backtesting.py's equity curve, so its
   * Return (Ann.) and ratios count one return fewer).
   */
  readonly returnsFrom: 'initial-cash' | 'first-bar';
  readonly recordPositions: boolean;
  readonly tradeFrom: number;
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`option ${name} must be > 0, got ${value}`);
  return value;
}

/** An annual financing rate: a fraction from 0 to 10 (1,000 %; hard-to-borrow stocks can cost over 100 %). */
function annualRate(name: string, value: number | undefined): number {
  const rate = value ?? 0;
  if (!(rate >= 0 && rate <= 10)) {
    throw new RangeError(
      `option financing.${name} must be an annual rate in [0, 10] (a fraction), got ${rate}`,
    );
  }
  return rate;
}

/** Fills defaults (convention first, then explicit options) and validates once, outside any bar loop. */
export function resolveOptions(
  options: BacktestOptions,
  strategyConvention: Convention,
): ResolvedBacktestOptions {
  const convention = options.convention ?? strategyConvention;
  if (convention !== 'regimen' && convention !== 'backtesting.py') {
    throw new RangeError(
      `unknown convention ${JSON.stringify(convention)}: use 'regimen' or 'backtesting.py'`,
    );
  }
  const fillAt = options.fillAt ?? 'next-open';
  if (fillAt !== 'next-open' && fillAt !== 'close') {
    throw new RangeError(`option fillAt must be 'next-open' or 'close', got ${JSON.stringify(fillAt)}`);
  }
  const maxVolumeShare = options.maxVolumeShare ?? Infinity;
  if (maxVolumeShare !== Infinity && !(maxVolumeShare > 0 && maxVolumeShare <= 1)) {
    throw new RangeError(`option maxVolumeShare must be in (0, 1], got ${maxVolumeShare}`);
  }
  const tradeFrom = options.tradeFrom ?? 0;
  if (!(Number.isInteger(tradeFrom) && tradeFrom >= 0)) {
    throw new RangeError(`option tradeFrom must be a bar index (an integer >= 0), got ${tradeFrom}`);
  }
  const cash = positive('cash', options.cash ?? 10_000);
  if (!Number.isFinite(cash)) throw new RangeError(`option cash must be finite, got ${cash}`);
  return {
    cash,
    commission: createCommissionModel(options.commission ?? { kind: 'none' }),
    slippage: createSlippageModel(options.slippage ?? { kind: 'none' }),
    fillAtClose: fillAt === 'close',
    fractional: options.fractional ?? false,
    longOnly: options.longOnly ?? false,
    closeAtEnd: options.closeAtEnd ?? false,
    closeAtEndPrice: convention === 'backtesting.py' ? 'open' : 'close',
    maxLeverage: positive('maxLeverage', options.maxLeverage ?? 1),
    maxPositionValue: positive('maxPositionValue', options.maxPositionValue ?? Infinity),
    maxVolumeShare,
    marginRate: annualRate('marginRate', options.financing?.marginRate),
    borrowRate: annualRate('borrowRate', options.financing?.borrowRate),
    convention,
    allInFraction: convention === 'backtesting.py' ? BACKTESTING_PY_ALL_IN : 1,
    returnsFrom: convention === 'backtesting.py' ? 'first-bar' : 'initial-cash',
    recordPositions: options.recordPositions ?? false,
    tradeFrom,
  };
}
