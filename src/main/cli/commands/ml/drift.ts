import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DRIFT_DETECTORS, detectDrift, type DriftDetectorName } from '../../../../core/ml/drift/index.ts';
import { numberOption, requiredOption, stringOption, UsageError } from '../../args.ts';
import type { Command } from '../../command.ts';
import { table, toJson } from '../../format.ts';

const NAMES = Object.keys(DRIFT_DETECTORS) as DriftDetectorName[];

export const driftCommand: Command = {
  usage: `--csv FILE --column COL [--detector ${NAMES.join('|')}] [--delta 0.002] [--json]`,
  options: {
    csv: { type: 'string' },
    column: { type: 'string' },
    detector: { type: 'string' },
    delta: { type: 'string' },
  },
  async run(args, io) {
    const file = requiredOption(args, 'csv');
    const column = requiredOption(args, 'column');
    const name = (stringOption(args, 'detector') ?? 'adwin') as DriftDetectorName;
    if (!NAMES.includes(name)) throw new UsageError(`--detector "${name}" is not one of ${NAMES.join(', ')}`);
    const delta = numberOption(args, 'delta', 0.002);
    if (!(delta > 0 && delta < 1)) throw new UsageError(`--delta must be between 0 and 1, got ${delta}`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const values = numericColumn(text, column, basename(file));
    const detections = detectDrift(values, DRIFT_DETECTORS[name]({ delta }));
    if (args.values['json']) {
      io.out(toJson({ detector: name, delta, rows: values.length, detections }));
      return 0;
    }
    io.out(
      `${name} (delta ${delta}) over ${column} of ${basename(file)}: ${values.length.toLocaleString('en-US')} rows, ` +
        `${detections.length} drift${detections.length === 1 ? '' : 's'} (0-based data rows)`,
    );
    if (detections.length > 0)
      io.out(table([['row', 'value'], ...detections.map((i) => [String(i), String(values[i])])]));
    return 0;
  },
};

/**
 * One column of a CSV file as numbers, by header name (case and surrounding spaces ignored). Any series
 * may be checked for drift, not only bars, so this does not go through the bars parser; a cell that is
 * not a finite number is refused with its row and column.
 */
function numericColumn(text: string, column: string, source: string): Float64Array {
  const lines = text.split(/\r?\n/);
  const split = (line: string): string[] =>
    line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
  const header = split(lines[0] ?? '');
  const wanted = column.trim().toLowerCase();
  const index = header.findIndex((name) => name.toLowerCase() === wanted);
  if (index < 0)
    throw new UsageError(`--column "${column}" is not in ${source}; its columns are ${header.join(', ')}`);
  const values: number[] = [];
  for (let row = 1; row < lines.length; row++) {
    if (lines[row]!.trim() === '') continue;
    const cell = split(lines[row]!)[index];
    const value = cell === undefined || cell === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(value)) {
      throw new Error(
        `${source}, line ${row + 1}, column ${header[index]}: "${cell ?? ''}" is not a finite number`,
      );
    }
    values.push(value);
  }
  return Float64Array.from(values);
}
