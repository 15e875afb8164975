import {
  REGIME_AXES,
  type DetectorName,
  type DetectorSettings,
  type RegimeAxis,
} from '../../core/regime/index.ts';
import type { Database } from './database.ts';

/** One detector's labels over one symbol and timeframe, as the bars with `datasetId` gave them. */
export interface StoredRegimeLabels {
  readonly datasetId: string;
  readonly warmup: number;
  readonly labels: Readonly<Record<RegimeAxis, Int8Array>>;
}

/** What labels are computed with besides the bars: each distinct one is stored under its own key. */
export interface RegimeLabelKey {
  readonly detector: DetectorName;
  readonly settings?: DetectorSettings | undefined;
  /** The session the bars were read with (absent: as stored, which is what older rows hold). */
  readonly session?: 'regular' | 'extended' | undefined;
}

/**
 * The stored row's detector column: the name alone with the detector's defaults, else the name and the
 * settings given (sorted), then the session when one was asked for. Labels under other persistence
 * settings or of another session's bars are kept apart and never served for the defaults; a key without
 * settings or session is the bare name, as rows stored before sessions were keyed.
 */
export function regimeLabelKey({ detector, settings = {}, session }: RegimeLabelKey): string {
  const given = Object.entries(settings)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  const withSettings =
    given.length === 0 ? detector : `${detector}?${given.map(([k, v]) => `${k}=${v}`).join('&')}`;
  return session === undefined ? withSettings : `${withSettings}@${session}`;
}

interface RawRow {
  dataset_id: string;
  warmup: number;
  labels: string;
}

/** The regime_labels table: one row per (symbol, timeframe, key), replaced when recomputed. */
export class RegimeRepository {
  constructor(private readonly db: Database) {}

  /**
   * The labels stored under `key` if they were computed on bars with `datasetId`; undefined when none are
   * stored or the bars changed since (an import, a fetch, a repair): a label at a bar depends on every
   * bar before it, so labels of other bars are never served.
   */
  async current(
    symbol: string,
    timeframe: string,
    key: RegimeLabelKey,
    datasetId: string,
  ): Promise<StoredRegimeLabels | undefined> {
    const stored = await this.get(symbol, timeframe, key);
    return stored?.datasetId === datasetId ? stored : undefined;
  }

  async get(symbol: string, timeframe: string, key: RegimeLabelKey): Promise<StoredRegimeLabels | undefined> {
    const rows = await this.db.all<RawRow>(
      `SELECT dataset_id, warmup, labels::VARCHAR AS labels FROM regime_labels
       WHERE symbol = $symbol AND timeframe = $timeframe AND detector = $detector`,
      { symbol, timeframe, detector: regimeLabelKey(key) },
    );
    const row = rows[0];
    if (!row) return undefined;
    const parsed = JSON.parse(row.labels) as Record<RegimeAxis, number[]>;
    return {
      datasetId: row.dataset_id,
      warmup: Number(row.warmup),
      labels: Object.fromEntries(REGIME_AXES.map((axis) => [axis, Int8Array.from(parsed[axis])])) as Record<
        RegimeAxis,
        Int8Array
      >,
    };
  }

  async put(
    symbol: string,
    timeframe: string,
    key: RegimeLabelKey,
    stored: StoredRegimeLabels,
  ): Promise<void> {
    const labels = JSON.stringify(
      Object.fromEntries(REGIME_AXES.map((axis) => [axis, Array.from(stored.labels[axis])])),
    );
    await this.db.run(
      `INSERT OR REPLACE INTO regime_labels VALUES
       ($symbol, $timeframe, $detector, $datasetId, $warmup, $labels, $computedAt)`,
      {
        symbol,
        timeframe,
        detector: regimeLabelKey(key),
        datasetId: stored.datasetId,
        warmup: stored.warmup,
        labels,
        computedAt: Date.now(),
      },
    );
  }
}
