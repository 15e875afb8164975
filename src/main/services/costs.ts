import { inferAssetCalendar } from '../../core/data/assetCalendar.ts';
import {
  costOptions,
  type BacktestOptions,
  defaultCostSettings,
  type CostModels,
  type CostSettings,
} from '../../core/engine/index.ts';
import { commissionRateFromPercent } from '../../shared/commission.ts';
import type { Settings } from '../../shared/settingsContract.ts';
import { loadDataset, NATIVE_TIMEFRAME, type BarsSource } from '../marketdata/barsSource.ts';
import type { BarsRepository } from '../store/barsRepository.ts';

/**
 * The costs a run is asked with: the commission rate every request carries, the cost settings given
 * (some or all of them: a CLI flag may set one, the rest coming from the default) and extra slippage in
 * basis points (the CLI's --slippage-bps, a cost stress).
 */
export interface CostRequest {
  readonly commissionRate: number;
  readonly settings?: Partial<CostSettings> | undefined;
  readonly extraBps?: number;
}

/**
 * The cost request of a run that leaves its commission or its cost settings to Settings: those asked,
 * else Settings' (a part Settings leave null is the asset class's, as costSettingsFor fills it).
 */
export function settingsCostRequest(
  asked: { readonly commission?: number | undefined; readonly costs?: Partial<CostSettings> | undefined },
  settings: Settings,
): CostRequest {
  const parts: { -readonly [K in keyof CostSettings]?: CostSettings[K] } = {};
  if (settings.fees !== null) parts.fees = settings.fees;
  if (settings.spreadBps !== null) parts.spreadBps = settings.spreadBps;
  if (settings.impact !== null) parts.impact = settings.impact;
  if (settings.borrowPercent !== null) parts.borrowPercent = settings.borrowPercent;
  if (settings.cryptoFeeTier !== null) parts.cryptoFeeTier = settings.cryptoFeeTier;
  if (settings.shortSales !== null) parts.shortSales = settings.shortSales;
  if (settings.units !== null) parts.units = settings.units;
  return {
    commissionRate: asked.commission ?? commissionRateFromPercent(settings.commissionPercent),
    settings: asked.costs ?? parts,
  };
}

function complete(settings: Partial<CostSettings> | undefined): settings is CostSettings {
  return (
    settings !== undefined &&
    settings.fees !== undefined &&
    settings.spreadBps !== undefined &&
    settings.impact !== undefined &&
    settings.borrowPercent !== undefined &&
    settings.cryptoFeeTier !== undefined &&
    settings.shortSales !== undefined &&
    settings.units !== undefined
  );
}

/**
 * The cost settings of a run: the ones given, the rest from the default of the source's asset class. A
 * cached symbol's class is the one stored with it (set at import, else inferred by the repository); a
 * file's, or a symbol read without the repository, is inferred from the timestamps `t` of its bars, or
 * of the file read for it; bars of no known source (null: a live bot's reports) by their timestamps `t`.
 */
export async function costSettingsFor(
  given: Partial<CostSettings> | undefined,
  source: BarsSource | null,
  repo: BarsRepository | null,
  t?: Float64Array,
): Promise<CostSettings> {
  if (complete(given)) return given;
  const defaults = await defaultsFor(source, repo, t);
  return { ...defaults, ...given };
}

async function defaultsFor(source: BarsSource | null, repo: BarsRepository | null, t?: Float64Array) {
  if (source?.kind === 'cache' && repo !== null)
    return defaultCostSettings((await repo.calendarOf(source.symbol)).calendar);
  if (t !== undefined) return defaultCostSettings(inferAssetCalendar(t));
  if (source?.kind === 'file') {
    const { bars } = await loadDataset(source, NATIVE_TIMEFRAME, {}, null);
    return defaultCostSettings(inferAssetCalendar(bars.t));
  }
  return defaultCostSettings('equities');
}

/**
 * The engine's cost models for a cost request (see costSettingsFor), with the settings they came from:
 * `models` spread over a run's options sets all it pays, whether it may short and in what units.
 */
export async function resolveCosts(
  request: CostRequest,
  source: BarsSource | null,
  repo: BarsRepository | null,
  t?: Float64Array,
): Promise<{ models: CostModels; settings: CostSettings }> {
  const settings = await costSettingsFor(request.settings, source, repo, t);
  return { models: costOptions(request.commissionRate, settings, request.extraBps ?? 0), settings };
}

/** What a backtest runs with and pays, and the rate its Sharpe ratios are over. */
export interface BacktestTerms {
  /** Cash with the engine's cost models. */
  readonly account: BacktestOptions & { readonly cash: number };
  /** Annual, as a fraction. */
  readonly riskFreeRate: number;
  /** The commission per side as a fraction of traded value, and the cost settings the models came from. */
  readonly commissionRate: number;
  readonly costs: CostSettings;
}

/**
 * The terms of a backtest of `source` at these settings, each part asked for winning (cash, commission,
 * cost settings; a part the settings leave null is the asset class's): what the app's learner requests
 * run their windows and policies at, and the bench at the default settings.
 */
export async function settingsBacktestTerms(
  asked: {
    readonly cash?: number | undefined;
    readonly commission?: number | undefined;
    readonly costs?: Partial<CostSettings> | undefined;
  },
  settings: Settings,
  source: BarsSource | null,
  repo: BarsRepository | null,
  t?: Float64Array,
): Promise<BacktestTerms> {
  const request = settingsCostRequest(asked, settings);
  const { models, settings: costs } = await resolveCosts(request, source, repo, t);
  return {
    account: { cash: asked.cash ?? settings.cash, ...models },
    riskFreeRate: settings.riskFreePercent / 100,
    commissionRate: request.commissionRate,
    costs,
  };
}
