export {
  runBacktest,
  runPrepared,
  NOT_WIPED_OUT,
  strategyPlots,
  type StrategyPlots,
  prepareDataset,
  BacktestWorkspace,
  type BacktestRun,
  type ParamChange,
  type PreparedDataset,
} from './backtest.ts';
export { Broker, type OpenTrade } from './broker.ts';
export {
  resolveOptions,
  BACKTESTING_PY_ALL_IN,
  type BacktestOptions,
  type ResolvedBacktestOptions,
} from './options.ts';
export {
  commissionRateOf,
  commissionSpecFromRate,
  createCommissionModel,
  createSlippageModel,
  NoCommission,
  PercentCommission,
  PerShareCommission,
  FixedCommission,
  NoSlippage,
  FixedBpsSlippage,
  HalfSpreadSlippage,
  SqrtImpactSlippage,
  SumSlippage,
  UsEquityCommission,
  AlpacaCryptoCommission,
  ALPACA_CRYPTO_FEES,
  US_EQUITY_FEES,
  type FillSide,
  type SlippagePart,
  type CommissionModel,
  type CommissionSpec,
  type SlippageModel,
  type SlippageSpec,
} from './costs.ts';
export {
  costOptions,
  costSettingsOf,
  stressedSlippage,
  defaultCostSettings,
  COST_STRESS_BPS,
  FX_COSTS,
  NO_COSTS,
  CRYPTO_COSTS,
  FEE_SCHEDULES,
  isFeeSchedule,
  type FeeSchedule,
  US_EQUITY_COSTS,
  type CostSettings,
} from './assetCosts.ts';
export {
  createTradeLog,
  appendTrade,
  copyTradeLog,
  tradeRecords,
  type EntryFacts,
  type TradeRecord,
} from './trade-log.ts';
export { ExitReason, type TradeLog } from './types.ts';
export { randomWalkBars, type RandomWalkOptions } from './random-walk.ts';
