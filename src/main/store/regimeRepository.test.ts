import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_LABEL } from '../../core/regime/index.ts';
import { Database } from './database.ts';
import { regimeLabelKey, RegimeRepository, type StoredRegimeLabels } from './regimeRepository.ts';

/** Labels with warm-up marks and every code, distinct per axis so an axis mix-up shows. */
function labels(datasetId: string, shift = 0): StoredRegimeLabels {
  const column = (offset: number): Int8Array =>
    Int8Array.from({ length: 12 }, (_, i) => (i < 3 ? NO_LABEL : (i + offset + shift) % 3));
  return { datasetId, warmup: 3, labels: { trend: column(0), volatility: column(1), volume: column(2) } };
}

let db: Database;
let store: RegimeRepository;
beforeEach(async () => {
  db = await Database.open(':memory:');
  store = new RegimeRepository(db);
});
afterEach(() => db.close());

describe('RegimeRepository', () => {
  it('round-trips labels, warm-up marks included, and replaces them when put again', async () => {
    const key = { detector: 'rules' } as const;
    await store.put('SPY', '1m', key, labels('bars-1'));
    expect(await store.get('SPY', '1m', key)).toEqual(labels('bars-1'));
    await store.put('SPY', '1m', key, labels('bars-2', 1));
    expect(await store.get('SPY', '1m', key)).toEqual(labels('bars-2', 1));
    const rows = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM regime_labels');
    expect(rows[0]!.n).toBe(1);
  });

  it('serves stored labels only for the bars they were computed on', async () => {
    const key = { detector: 'hmm' } as const;
    expect(await store.current('SPY', '1m', key, 'bars-1')).toBeUndefined();
    await store.put('SPY', '1m', key, labels('bars-1'));
    expect(await store.current('SPY', '1m', key, 'bars-1')).toEqual(labels('bars-1'));
    // The bars changed (another fingerprint): nothing is served until labels of those bars are put.
    expect(await store.current('SPY', '1m', key, 'bars-2')).toBeUndefined();
    await store.put('SPY', '1m', key, labels('bars-2', 2));
    expect(await store.current('SPY', '1m', key, 'bars-2')).toEqual(labels('bars-2', 2));
    expect(await store.current('SPY', '1m', key, 'bars-1')).toBeUndefined();
  });

  it('keeps labels apart per symbol, timeframe, detector, settings and session', async () => {
    const keys = [
      { detector: 'rules' },
      { detector: 'jump' },
      { detector: 'jump', settings: { jumpPenalty: 40 } },
      { detector: 'jump', settings: { jumpPenalty: 40, minDwell: 3 } },
      { detector: 'rules', session: 'regular' },
      { detector: 'rules', session: 'extended' },
    ] as const;
    for (const [k, key] of keys.entries()) await store.put('SPY', '15m', key, labels(`bars-${k}`, k));
    await store.put('GOOG', '15m', keys[0], labels('goog'));
    await store.put('SPY', '1h', keys[0], labels('hourly'));
    for (const [k, key] of keys.entries())
      expect(await store.get('SPY', '15m', key)).toEqual(labels(`bars-${k}`, k));
    expect(await store.get('GOOG', '15m', keys[0])).toEqual(labels('goog'));
    expect(await store.get('SPY', '1h', keys[0])).toEqual(labels('hourly'));
    expect(await store.get('GOOG', '1h', keys[0])).toBeUndefined();
  });

  it('keys settings whatever their order, ignoring absent ones, as rows stored before sessions were', () => {
    expect(regimeLabelKey({ detector: 'rules' })).toBe('rules');
    expect(regimeLabelKey({ detector: 'rules', settings: {} })).toBe('rules');
    expect(regimeLabelKey({ detector: 'rules', settings: { minDwell: undefined } })).toBe('rules');
    expect(regimeLabelKey({ detector: 'hmm', settings: { minDwell: 3, hysteresis: 0.2 } })).toBe(
      regimeLabelKey({ detector: 'hmm', settings: { hysteresis: 0.2, minDwell: 3 } }),
    );
    expect(regimeLabelKey({ detector: 'hmm', settings: { minDwell: 3, hysteresis: 0.2 } })).toBe(
      'hmm?hysteresis=0.2&minDwell=3',
    );
    expect(regimeLabelKey({ detector: 'hmm', settings: { minDwell: 3 }, session: 'extended' })).toBe(
      'hmm?minDwell=3@extended',
    );
  });

  it('reads a row stored under the earlier key format (detector and settings only)', async () => {
    await db.run(`INSERT INTO regime_labels VALUES ('SPY', '1m', 'jump?minDwell=4', 'old', 3, $labels, 0)`, {
      labels: JSON.stringify({ trend: [-1, 0], volatility: [-1, 1], volume: [-1, 2] }),
    });
    const stored = await store.current('SPY', '1m', { detector: 'jump', settings: { minDwell: 4 } }, 'old');
    expect(stored?.labels.volume).toEqual(Int8Array.of(NO_LABEL, 2));
  });
});
