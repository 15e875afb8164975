import { DEFAULT_SETTINGS, type Settings } from '../../shared/settingsContract.ts';
import { stringOption, type OptionSpec, type ParsedArgs } from './args.ts';

/**
 * The flag each setting is the default of, and how the setting reads as that flag's text. A setting left
 * at its default fills nothing, so a command's own default (a small study on this thread) stays until the
 * trader sets one; the cost flags' own defaults are the settings' defaults.
 */
const FLAGS: { readonly [K in keyof Settings]: [flag: string, text: (value: Settings[K]) => string | null] } =
  {
    cash: ['cash', String],
    commissionPercent: ['commission', String],
    fees: ['fees', (fees) => fees],
    spreadBps: ['spread-bps', (bps) => (bps === null ? null : String(bps))],
    impact: ['impact', (impact) => (impact === null ? null : String(impact))],
    borrowPercent: ['borrow-rate', (rate) => (rate === null ? null : String(rate))],
    cryptoFeeTier: ['crypto-fee-tier', (tier) => (tier === null ? null : String(tier))],
    shortSales: ['short-sales', (shorts) => shorts],
    units: ['units', (units) => units],
    riskFreePercent: ['risk-free', String],
    workers: ['workers', (workers) => (workers === null ? null : String(workers))],
    timeZone: ['tz', String],
    session: ['session', String],
  };

/** Cost flags a `--costs none` outranks: the settings must not put back what it took away. */
const COST_FLAGS = new Set(['fees', 'spread-bps', 'impact', 'borrow-rate', 'crypto-fee-tier']);

/**
 * `args` with every flag the command takes but was not given set from the data folder's settings (the
 * ones the trader changed): a flag on the command line always wins.
 */
export function withSettingDefaults(args: ParsedArgs, options: OptionSpec, settings: Settings): ParsedArgs {
  const values = { ...args.values };
  const filled = new Set<string>();
  const noCosts = stringOption(args, 'costs') === 'none';
  for (const key of Object.keys(FLAGS) as Array<keyof Settings>) {
    const [flag, text] = FLAGS[key] as [string, (value: Settings[typeof key]) => string | null];
    if (!(flag in options) || values[flag] !== undefined || settings[key] === DEFAULT_SETTINGS[key]) continue;
    if (noCosts && COST_FLAGS.has(flag)) continue;
    const value = text(settings[key]);
    if (value === null) continue;
    values[flag] = value;
    filled.add(flag);
  }
  return { ...args, values, fromSettings: filled };
}
