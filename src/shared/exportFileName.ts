// Zod-free, so the renderer may import it (the contract's schemas stay out of its bundle).

/**
 * The file name an export is offered under: symbol, timeframe and the range's UTC days when given, in
 * letters, digits, '-', '_' and '.' only (a symbol such as BTC/USD has a slash).
 */
export function barsExportFileName(request: {
  readonly symbol: string;
  readonly timeframe: string;
  readonly format: 'csv' | 'parquet';
  readonly start?: number;
  readonly end?: number;
}): string {
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
  const parts = [
    request.symbol.toUpperCase(),
    request.timeframe,
    ...(request.start === undefined ? [] : [`from-${day(request.start)}`]),
    // The end is exclusive: the name gives the last day it includes.
    ...(request.end === undefined ? [] : [`to-${day(request.end - 1)}`]),
  ];
  return `${parts.map((p) => p.replace(/[^A-Za-z0-9_.-]+/g, '-')).join('_')}.${request.format}`;
}
