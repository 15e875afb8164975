/** Number formatting for the CLI's human-readable tables (JSON output is never formatted). */
const PERCENT_KEYS = new Set([
  'totalReturn',
  'annualizedReturn',
  'maxDrawdown',
  'valueAtRisk',
  'volatility',
  'winRate',
  'exposure',
  'consistencyScore',
  'averageTradeReturn',
  'bestTrade',
  'worstTrade',
]);

export function formatMetric(key: string, value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (PERCENT_KEYS.has(key)) return `${(value * 100).toFixed(2)}%`;
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 1000
    ? value.toLocaleString('en-US', { maximumFractionDigits: 2 })
    : value.toFixed(4);
}

/** Columns two spaces apart: the first left-aligned, the others right-aligned (numbers) unless `leftAligned`. */
export function table(rows: readonly (readonly string[])[], leftAligned = false): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) =>
          col === 0 || leftAligned ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A progress meter, `[####......]`, for a fraction in [0, 1]. */
export function meter(fraction: number, width: number): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** JSON with NaN and ±Infinity as null (JSON has no spelling for them). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}
