import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../../core/engine/random-walk.ts';
import { DEFAULT_SETTINGS, type SettingsState } from '../../../shared/settingsContract.ts';
import { resolveDataDir } from '../../paths.ts';
import { dispatch } from '../dispatch.ts';
import {
  HOST_SYMBOL,
  servicesOnTempDir,
  startServiceHost,
  testServices,
} from '../../../../test/support/serviceHost.ts';
import { tempDir } from '../../../../test/marketdata/helpers.ts';
import { SETTINGS_FILE, SettingsStore, type WorkerPool } from './settingsStore.ts';

const dirs: Array<{ remove(): void }> = [];
const folder = (prefix: string): string => {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir.path;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A pool that is busy or idle as the test says, and remembers its size. */
function fakePool(busy: { now: boolean }): WorkerPool & { size: number } {
  return {
    size: 4,
    get running() {
      return this.size;
    },
    cores: 4,
    resize(threads) {
      if (busy.now) return false;
      this.size = threads ?? 4;
      return true;
    },
  };
}

describe('the settings record', () => {
  it('persists across a restart, versioned, and tells every change', () => {
    const dataDir = folder('settings-persist-');
    const told: SettingsState[] = [];
    const first = new SettingsStore({ dataDir, onChange: (state) => told.push(state) });
    expect(first.settings).toEqual(DEFAULT_SETTINGS);
    const before = first.state().revision;
    first.set({ cash: 25_000, riskFreePercent: 4.5, session: 'extended', spreadBps: 3 });
    expect(told.map((state) => state.settings.cash)).toEqual([25_000]);
    // Each state told is numbered after the one before, so a client can keep the latest of two that
    // arrive out of order; a refused change tells nothing and numbers nothing.
    expect(() => first.set({ cash: -1 })).toThrow(/cash/);
    first.set({ session: 'regular' });
    expect(told.map((state) => state.revision)).toEqual([
      { instance: before.instance, count: before.count + 1 },
      { instance: before.instance, count: before.count + 2 },
    ]);

    const stored = JSON.parse(readFileSync(join(dataDir, SETTINGS_FILE), 'utf8')) as { version: number };
    expect(stored.version).toBe(4);
    const again = new SettingsStore({ dataDir });
    expect(again.settings).toEqual({
      ...DEFAULT_SETTINGS,
      cash: 25_000,
      riskFreePercent: 4.5,
      spreadBps: 3,
    });
    expect(again.state().revision.instance).not.toBe(before.instance);
  });

  it("reads a version 1 record's fee switch as the schedule it meant, keeping every other setting", () => {
    const version1 = (regulatoryFees: boolean | null) => {
      const dataDir = folder('settings-v1-');
      // A record as version 1 wrote it: today's settings with the switch where the schedule is.
      const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS, cash: 12_345, regulatoryFees };
      delete settings['fees'];
      writeFileSync(
        join(dataDir, SETTINGS_FILE),
        JSON.stringify({ version: 1, settings, nextDataFolder: null }),
      );
      return new SettingsStore({ dataDir });
    };
    // On was SEC and FINRA fees; off, none; null, the asset class's (now Alpaca's crypto fee on crypto).
    for (const [on, fees] of [
      [true, 'us-equity'],
      [false, 'none'],
      [null, null],
    ] as const) {
      const store = version1(on);
      expect(store.state().problem).toBeNull();
      expect(store.settings).toEqual({ ...DEFAULT_SETTINGS, cash: 12_345, fees });
    }
    expect(() => version1(true).set({ fees: 'alpaca' })).toThrow(/fees/);
  });

  it('reads a version 2 record, which had no borrow fee nor crypto fee tier, as leaving them to the asset class', () => {
    const dataDir = folder('settings-v2-');
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS, cash: 12_345, spreadBps: 4 };
    delete settings['borrowPercent'];
    delete settings['cryptoFeeTier'];
    delete settings['shortSales'];
    delete settings['units'];
    writeFileSync(
      join(dataDir, SETTINGS_FILE),
      JSON.stringify({ version: 2, settings, nextDataFolder: null }),
    );
    const store = new SettingsStore({ dataDir });
    expect(store.state().problem).toBeNull();
    expect(store.settings).toEqual({ ...DEFAULT_SETTINGS, cash: 12_345, spreadBps: 4 });
    store.set({ borrowPercent: 0.3 });
    expect(new SettingsStore({ dataDir }).settings.borrowPercent).toBe(0.3);
    expect(() => store.set({ borrowPercent: 1_500 })).toThrow(/borrowPercent: must be at most 1,000/);
    expect(() => store.set({ cryptoFeeTier: 9 })).toThrow(/cryptoFeeTier: must be 1 to 8/);
  });

  it('reads a version 3 record, which had no short sales nor units, as leaving them to the asset class', () => {
    const dataDir = folder('settings-v3-');
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS, borrowPercent: 0.5, cryptoFeeTier: 2 };
    delete settings['shortSales'];
    delete settings['units'];
    writeFileSync(
      join(dataDir, SETTINGS_FILE),
      JSON.stringify({ version: 3, settings, nextDataFolder: null }),
    );
    const store = new SettingsStore({ dataDir });
    expect(store.state().problem).toBeNull();
    expect(store.settings).toEqual({ ...DEFAULT_SETTINGS, borrowPercent: 0.5, cryptoFeeTier: 2 });
    store.set({ shortSales: 'none' });
    const again = new SettingsStore({ dataDir });
    expect(again.settings).toEqual({
      ...DEFAULT_SETTINGS,
      borrowPercent: 0.5,
      cryptoFeeTier: 2,
      shortSales: 'none',
    });
    expect(() => store.set({ shortSales: 'sometimes' as 'none' })).toThrow(/shortSales/);
    store.set({ units: 'fractional' });
    expect(new SettingsStore({ dataDir }).settings.units).toBe('fractional');
  });

  it('refuses a bad value naming the setting, and nothing stored changes', () => {
    const dataDir = folder('settings-refuse-');
    const store = new SettingsStore({ dataDir });
    store.set({ cash: 5_000 });
    const before = readFileSync(join(dataDir, SETTINGS_FILE), 'utf8');
    expect(() => store.set({ cash: 7_000, riskFreePercent: 45 })).toThrow(
      /riskFreePercent: must be at most 20/,
    );
    expect(() => store.set({ workers: 1.5 })).toThrow(/workers: must be a whole number/);
    // The commission's bound is the Backtest and Optimize forms' and the CLI's (10 %), not a tighter 5 %.
    expect(() => store.set({ commissionPercent: 11 })).toThrow(/commissionPercent: must be at most 10 \(%\)/);
    expect(() => store.set({ timeZone: 'Mars/Olympus' })).toThrow(/timeZone/);
    expect(() => store.set({ colour: 'blue' })).toThrow(/colour/);
    expect(readFileSync(join(dataDir, SETTINGS_FILE), 'utf8')).toBe(before);
    expect(store.settings.cash).toBe(5_000);
    store.set({ commissionPercent: 7 });
    expect(store.settings.commissionPercent).toBe(7);
  });

  it('reads a record it cannot use as the defaults, says why, and leaves the file until a change', () => {
    const dataDir = folder('settings-broken-');
    writeFileSync(join(dataDir, SETTINGS_FILE), '{"version":1,"settings":{"cash":-3}}');
    const store = new SettingsStore({ dataDir });
    expect(store.settings).toEqual(DEFAULT_SETTINGS);
    expect(store.state().problem).toMatch(
      /settings\.json: settings\.cash: must be more than 0; the defaults are in use/,
    );
    writeFileSync(join(dataDir, SETTINGS_FILE), '{"version":7}');
    expect(new SettingsStore({ dataDir }).state().problem).toMatch(/newer Regimen \(version 7/);
    store.set({ cash: 1_000 });
    expect(new SettingsStore({ dataDir }).state().problem).toBeNull();
  });

  it('resizes an idle pool now, and says a restart is needed while it computes', () => {
    const busy = { now: false };
    const pool = fakePool(busy);
    const store = new SettingsStore({ dataDir: folder('settings-workers-') });
    store.usePool(pool);
    expect(store.set({ workers: 2 }).workers).toEqual({ running: 2, cores: 4, restartNeeded: false });
    busy.now = true;
    expect(store.set({ workers: 3 }).workers).toEqual({ running: 2, cores: 4, restartNeeded: true });
    expect(store.settings.workers).toBe(3);
  });
});

describe('the data folder', () => {
  it('moves: copies the data, leaves the old folder whole, and the next start opens the new one', async () => {
    const old = folder('settings-move-old-');
    const target = join(folder('settings-move-new-'), 'nested');
    mkdirSync(join(old, 'strategies'));
    writeFileSync(join(old, 'strategies', 'mine.ts'), 'export {}');
    writeFileSync(join(old, 'regimen.duckdb'), 'cache');
    writeFileSync(join(old, 'regimen.owner.json'), '{}');
    const store = new SettingsStore({ dataDir: old });
    store.set({ cash: 3_000 });
    const { state, message } = await store.dataFolder({ folder: target, mode: 'move' });
    expect(state.dataFolder).toEqual({ current: old, next: target });
    expect(message).toMatch(/Copied the data of .* next start/);
    expect(readFileSync(join(target, 'strategies', 'mine.ts'), 'utf8')).toBe('export {}');
    expect(readFileSync(join(old, 'regimen.duckdb'), 'utf8')).toBe('cache');
    expect(existsSync(join(target, 'regimen.owner.json'))).toBe(false);
    expect(new SettingsStore({ dataDir: target }).settings.cash).toBe(3_000);
    expect(resolveDataDir(old)).toBe(target);
    // Back again: the folder moved to no longer sends anywhere, so the two never loop.
    await new SettingsStore({ dataDir: target }).dataFolder({ folder: old, mode: 'switch' });
    expect([resolveDataDir(target), resolveDataDir(old)]).toEqual([old, old]);
  });

  it('will not move over another cache, nor into a folder it cannot write, and changes nothing then', async () => {
    const old = folder('settings-refuse-old-');
    const other = folder('settings-refuse-other-');
    writeFileSync(join(other, 'regimen.duckdb'), 'theirs');
    const store = new SettingsStore({ dataDir: old });
    await expect(store.dataFolder({ folder: other, mode: 'move' })).rejects.toThrow(
      `${other} already holds a Regimen cache: choose "switch"`,
    );
    // Under a plain file no folder can be made, whoever runs the test (root may write anywhere else).
    const file = join(other, 'regimen.duckdb');
    await expect(store.dataFolder({ folder: join(file, 'data'), mode: 'switch' })).rejects.toThrow(
      `the folder ${join(file, 'data')} is not writable (ENOTDIR)`,
    );
    await expect(store.dataFolder({ folder: join(old, 'inside'), mode: 'move' })).rejects.toThrow(
      `${join(old, 'inside')} is inside the current data folder ${old}`,
    );
    expect(existsSync(join(old, 'inside'))).toBe(false);
    // A folder nothing was written to yet: refused in words (it was Node's ENOENT), the target left uncreated.
    const unwritten = new SettingsStore({ dataDir: join(old, 'never-written') });
    const target = join(folder('settings-refuse-target-'), 'regimen');
    await expect(unwritten.dataFolder({ folder: target, mode: 'move' })).rejects.toThrow(
      `the current data folder ${join(old, 'never-written')} holds no data yet: nothing to move`,
    );
    expect(existsSync(target)).toBe(false);
    expect(store.state().dataFolder.next).toBeNull();
    expect(readFileSync(join(other, 'regimen.duckdb'), 'utf8')).toBe('theirs');
    // A switch uses what is there as it is.
    await store.dataFolder({ folder: other, mode: 'switch' });
    expect(resolveDataDir(old)).toBe(other);
  });
});

describe('settings over the contract', () => {
  it('validates at the boundary, naming the setting, and pushes settings:changed', async () => {
    const { dir, services } = await servicesOnTempDir('settings-services-');
    try {
      const pushed: unknown[] = [];
      services.events.subscribe((channel, payload) => {
        if (channel === 'settings:changed') pushed.push(payload);
      });
      await expect(
        dispatch(services.handlers, 'settings:set', { commissionPercent: 'a lot' }),
      ).rejects.toThrow(/commissionPercent/);
      const state = (await dispatch(services.handlers, 'settings:set', {
        commissionPercent: 0.05,
      })) as SettingsState;
      expect(state.settings.commissionPercent).toBe(0.05);
      expect(state.dataFolder.current).toBe(dir.path);
      expect(pushed).toHaveLength(1);
    } finally {
      await services.close();
      dir.remove();
    }
  });
});

describe('the data folder over the contract (the Settings view\'s "Move here" and "Switch to")', () => {
  it('moves the cache with the bars written just before, then refuses to move onto it; a relative path is refused', async () => {
    const h = await startServiceHost();
    const target = join(folder('settings-host-move-'), 'regimen');
    try {
      const stored = await h.services.bars.read(HOST_SYMBOL, '1m');
      expect(stored.t.length).toBeGreaterThan(0);
      const relative = await h.post('settings:data-folder', { folder: 'regimen', mode: 'move' });
      expect(relative.status).toBe(400);
      expect(JSON.stringify(relative.body)).toMatch(/folder.*must be an absolute path/);
      const moved = await h.post('settings:data-folder', { folder: target, mode: 'move' });
      expect(moved.status).toBe(200);
      const { state, message } = moved.body as { state: SettingsState; message: string };
      expect(state.dataFolder).toEqual({ current: h.dataDir, next: target });
      expect(message).toMatch(/opens it at its next start/);
      // The next start (services on the new folder) finds every bar written before the move.
      const next = await testServices(target);
      try {
        expect((await next.bars.read(HOST_SYMBOL, '1m')).t).toEqual(stored.t);
      } finally {
        await next.close();
      }
      const again = await h.post('settings:data-folder', { folder: target, mode: 'move' });
      expect(again.status).toBe(409);
      expect(JSON.stringify(again.body)).toContain('already holds a Regimen cache');
      expect(((await h.post('settings:get', {})).body as SettingsState).dataFolder.next).toBe(target);
    } finally {
      await h.close();
    }
  });
});

describe('a move flushes the database first', () => {
  it('copies rows written just before it, still only in the write-ahead log, into the new folder', async () => {
    const h = await startServiceHost();
    const target = join(folder('settings-flush-move-'), 'regimen');
    try {
      // Written after the host's last checkpoint: until the move flushes, these rows live in the log alone.
      const bars = randomWalkBars(500, 11, { stepMs: 60_000 });
      await h.services.bars.write('FLUSHED', '1m', bars, 'test');
      expect(existsSync(join(h.dataDir, 'regimen.duckdb.wal'))).toBe(true);
      const moved = await h.post('settings:data-folder', { folder: target, mode: 'move' });
      expect(moved.status).toBe(200);
      const next = await testServices(target);
      try {
        expect((await next.bars.read('FLUSHED', '1m')).t).toEqual(bars.t);
      } finally {
        await next.close();
      }
    } finally {
      await h.close();
    }
  });
});

describe('the risk-free rate', () => {
  it('is what backtest:run measures Sharpe and Sortino against unless the request gives its own', async () => {
    const h = await startServiceHost();
    try {
      const run = async (extra: Record<string, unknown> = {}) => {
        const answer = await h.post('backtest:run', {
          symbol: HOST_SYMBOL,
          timeframe: '1h',
          strategy: 'sma-cross',
          params: { fast: 5, slow: 20 },
          cash: 10_000,
          ...extra,
        });
        expect(answer.status).toBe(200);
        return (answer.body as { metrics: Record<string, number> }).metrics;
      };
      const atZero = await run();
      expect((await h.post('settings:set', { riskFreePercent: 5 })).status).toBe(200);
      const atFive = await run();
      expect(atFive.sharpeRatio).toBeLessThan(atZero.sharpeRatio!);
      expect(atFive.sortinoRatio).toBeLessThan(atZero.sortinoRatio!);
      expect(atFive.finalEquity).toBe(atZero.finalEquity);
      expect((await run({ riskFreePercent: 0 })).sharpeRatio).toBe(atZero.sharpeRatio);
    } finally {
      await h.close();
    }
  });
});
