import { basename } from 'node:path';
import { DRIFT_DETECTORS, detectDrift, type DriftDetectorName } from '../../../../core/ml/drift/index.ts';
import { numberOption, requiredOption, stringOption, UsageError } from '../../args.ts';
import { CSV_OPTION, requiredCsvFile } from '../../barsSource.ts';
import type { Command } from '../../command.ts';
import { readNumericColumn } from '../../csvColumn.ts';
import { table, toJson } from '../../format.ts';

const NAMES = Object.keys(DRIFT_DETECTORS) as DriftDetectorName[];

export const driftCommand: Command = {
  usage: `--csv FILE --column COL [--detector ${NAMES.join('|')}] [--delta 0.002] [--json]`,
  options: {
    csv: CSV_OPTION,
    column: { type: 'string' },
    detector: { type: 'string' },
    delta: { type: 'string' },
  },
  async run(args, io) {
    const file = requiredCsvFile(args);
    const column = requiredOption(args, 'column');
    const name = (stringOption(args, 'detector') ?? 'adwin') as DriftDetectorName;
    if (!NAMES.includes(name)) throw new UsageError(`--detector "${name}" is not one of ${NAMES.join(', ')}`);
    const delta = numberOption(args, 'delta', 0.002);
    if (!(delta > 0 && delta < 1)) throw new UsageError(`--delta must be between 0 and 1, got ${delta}`);
    const values = await readNumericColumn(file, column, 'column');
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
