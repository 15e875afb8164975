/**
 * The settings a trader expects to persist and apply everywhere (the app's forms, the CLI's defaults,
 * `regimen serve`): one record, owned by main, stored versioned in the data folder (settings.json) and
 * checked here at every boundary (its names: settingsChannels.ts).
 */
import { z } from 'zod';
import { FEE_SCHEDULES, SHORT_SALES, UNIT_RULES } from '../core/engine/assetCosts.ts';
import { costNumberSchema, cryptoFeeTierSchema } from './costs.ts';
import { MAX_COMMISSION_PERCENT } from './commission.ts';
import type { SETTINGS_CHANNELS } from './settingsChannels.ts';
import type { DomainContract } from './domain.ts';
import { sessionSchema } from './schemas.ts';
import { TIME_ZONE_SETTINGS, type TimeZoneSetting } from './timeZone.ts';

/** The record's layout; a stored record of an older version is migrated when read (settingsStore.ts). */
export const SETTINGS_VERSION = 4;

export const Settings = z.strictObject({
  /** Starting cash of every backtest, study and walk-forward that does not say its own. */
  cash: z.number().positive('must be more than 0').max(1e12, 'must be at most 1e12'),
  /** Commission in percent of traded value (0.1 means 0.1 %). */
  commissionPercent: z
    .number()
    .min(0, 'must be at least 0')
    .max(MAX_COMMISSION_PERCENT, `must be at most ${MAX_COMMISSION_PERCENT} (%)`),
  /**
   * The venue's fees (us-equity: SEC fee and FINRA TAF on sells; alpaca-crypto: Alpaca's crypto fee on
   * every fill; none); null: the symbol's asset class decides.
   */
  fees: z.enum(FEE_SCHEDULES).nullable(),
  /** The full quoted spread in basis points; null: the asset class's default. */
  spreadBps: costNumberSchema('spreadBps').nullable(),
  /** Square-root impact coefficient; null: the asset class's default. */
  impact: costNumberSchema('impact').nullable(),
  /** Stock borrow fee on a short held overnight, annual percent of its value; null: the asset class's (none). */
  borrowPercent: costNumberSchema('borrowPercent').nullable(),
  /** Alpaca's crypto fee tier by 30-day crypto volume, 1 to 8; null: the first. */
  cryptoFeeTier: cryptoFeeTierSchema.nullable(),
  /** Whether runs may sell short (allowed, none: long only); null: the asset class's (crypto none). */
  shortSales: z.enum(SHORT_SALES).nullable(),
  /** Whole or fractional units; null: the asset class's (crypto fractional). */
  units: z.enum(UNIT_RULES).nullable(),
  /** Annual risk-free rate in percent that every Sharpe and Sortino ratio is measured against. */
  riskFreePercent: z.number().min(0, 'must be at least 0').max(20, 'must be at most 20 (%)'),
  /** Worker threads of this machine's compute pool; null: one per core. */
  workers: z.number().int('must be a whole number').min(1, 'must be at least 1').max(256).nullable(),
  timeZone: z.enum(TIME_ZONE_SETTINGS as readonly [TimeZoneSetting, ...TimeZoneSetting[]]),
  /** Which hours of an equity's minute bars every timeframe, backtest and study keeps. */
  session: sessionSchema,
});
export type Settings = z.output<typeof Settings>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Settings = {
  cash: 10_000,
  commissionPercent: 0,
  fees: null,
  spreadBps: null,
  impact: null,
  borrowPercent: null,
  cryptoFeeTier: null,
  shortSales: null,
  units: null,
  riskFreePercent: 0,
  workers: null,
  timeZone: 'exchange',
  session: 'regular',
};

/** What `settings:get` answers and `settings:changed` pushes: the record and what it took effect as. */
export const SettingsState = z.object({
  settings: Settings,
  dataFolder: z.object({
    /** The folder this process reads and writes. */
    current: z.string(),
    /** Where the next start will open (after a move or a switch); null: the current one. */
    next: z.string().nullable(),
  }),
  workers: z.object({
    /** Threads the pool runs with now. */
    running: z.number().int(),
    cores: z.number().int(),
    /** True when the setting could not be applied to the running pool (it was busy): a restart applies it. */
    restartNeeded: z.boolean(),
  }),
  /** Why a stored record was not used (a hand-edited file that does not parse), else null. */
  problem: z.string().nullable(),
  /**
   * Which state this is of those the owning process handed out (its instance, and how many changes it had
   * made then): answers go over HTTP and events over a WebSocket, so two quick changes' states can arrive
   * in either order, and a client keeps the latest one rather than the last to arrive.
   */
  revision: z.object({ instance: z.string(), count: z.number().int().nonnegative() }),
});
export type SettingsState = z.output<typeof SettingsState>;

/** Some settings changed; the others keep their value. A bad value changes nothing stored. */
export const SettingsPatch = Settings.partial();
export type SettingsPatch = z.input<typeof SettingsPatch>;

/**
 * Where the data (cache, strategies, studies) lives from the next start: 'move' copies the current
 * folder's data there first (the old folder is left as it was), 'switch' opens what the folder holds.
 */
export const DataFolderRequest = z.strictObject({
  // Absolute only: a relative path would be read against wherever the owner happened to start.
  folder: z
    .string()
    .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'must be an absolute path (/home/me/regimen, C:\\Regimen)'),
  mode: z.enum(['move', 'switch']),
});
export const DataFolderResult = z.object({
  state: SettingsState,
  /** One plain sentence of what was done and what happens at the next start. */
  message: z.string(),
});

export const settingsContract = {
  requests: {
    'settings:get': { input: z.strictObject({}), output: SettingsState, refused: 'Settings not read' },
    'settings:set': { input: SettingsPatch, output: SettingsState, refused: 'Settings not saved' },
    'settings:data-folder': {
      input: DataFolderRequest,
      output: DataFolderResult,
      refused: 'Data folder not changed',
    },
  },
  events: {
    'settings:changed': SettingsState,
  },
} as const satisfies DomainContract<typeof SETTINGS_CHANNELS>;
