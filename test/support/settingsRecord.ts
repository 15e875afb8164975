import type { SettingsState } from '../../src/shared/settingsContract.ts';

/**
 * A settings record as `settings:get` answers it, the defaults written out (renderer tests do not import
 * values from a contract file) with `patch` over them, as the owner's `count`th state.
 */
export const settingsRecord = (patch: Partial<SettingsState['settings']> = {}, count = 0): SettingsState => ({
  settings: {
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
    ...patch,
  },
  dataFolder: { current: '/data', next: null },
  workers: { running: 2, cores: 2, restartNeeded: false },
  problem: null,
  revision: { instance: 'test', count },
});
