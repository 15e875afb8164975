import { REGIME_AXES, type RegimeAxis } from '../../core/regime/labels.ts';
import type { Database } from './database.ts';

/** One detector's labels over one symbol and timeframe, as the bars with `datasetId` gave them. */
export interface StoredRegimeLabels {
  readonly datasetId: string;
  readonly warmup: number;
  readonly labels: Readonly<Record<RegimeAxis, Int8Array>>;
}

interface RawRow {
  dataset_id: string;
  warmup: number;
  labels: string;
}

/** The regime_labels table: one row per (symbol, timeframe, detector), replaced when recomputed. */
export class RegimeRepository {
  constructor(private readonly db: Database) {}

  async get(symbol: string, timeframe: string, detector: string): Promise<StoredRegimeLabels | undefined> {
    const rows = await this.db.all<RawRow>(
      `SELECT dataset_id, warmup, labels::VARCHAR AS labels FROM regime_labels
       WHERE symbol = $symbol AND timeframe = $timeframe AND detector = $detector`,
      { symbol, timeframe, detector },
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

  async put(symbol: string, timeframe: string, detector: string, stored: StoredRegimeLabels): Promise<void> {
    const labels = JSON.stringify(
      Object.fromEntries(REGIME_AXES.map((axis) => [axis, Array.from(stored.labels[axis])])),
    );
    await this.db.run(
      `INSERT OR REPLACE INTO regime_labels VALUES
       ($symbol, $timeframe, $detector, $datasetId, $warmup, $labels, $computedAt)`,
      {
        symbol,
        timeframe,
        detector,
        datasetId: stored.datasetId,
        warmup: stored.warmup,
        labels,
        computedAt: Date.now(),
      },
    );
  }
}
