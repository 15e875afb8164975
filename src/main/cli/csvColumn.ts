import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { headerFieldList } from '../../core/data/csv/header.ts';
import { refuseBinaryText } from '../../core/data/csv/read.ts';
import { UsageError } from './args.ts';

/** A refusal of the file's content, said as a misuse (exit 2) as the column's other refusals are. */
function wrapUsage(check: () => void): void {
  try {
    check();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * One column of a CSV file as numbers, by header name (case and surrounding spaces ignored). Any series
 * may be analysed (a drift stream, an equity curve, trade returns), not only bars, so this does not go
 * through the bars parser. `flag` is the option that chose the column, so an unknown column names it; a
 * cell that is not a finite number (or not positive, when `positive`) is refused with its line and column.
 */
export async function readNumericColumn(
  file: string,
  column: string,
  flag: string,
  positive = false,
): Promise<Float64Array> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const source = basename(file);
  const lines = text.split(/\r?\n/);
  if (text.trim() === '') throw new UsageError(`${source}: the file is empty`);
  wrapUsage(() => refuseBinaryText(text, lines[0]!, 1, source));
  const split = (line: string): string[] =>
    line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
  const header = split(lines[0] ?? '');
  const wanted = column.trim().toLowerCase();
  const index = header.findIndex((name) => name.toLowerCase() === wanted);
  if (index < 0)
    throw new UsageError(
      `--${flag} "${column}" is not in ${source}; its columns are ${headerFieldList(header)}`,
    );
  const values: number[] = [];
  for (let row = 1; row < lines.length; row++) {
    if (lines[row]!.trim() === '') continue;
    const cell = split(lines[row]!)[index];
    const value = cell === undefined || cell === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(value) || (positive && value <= 0)) {
      const expected = positive ? 'a positive number' : 'a finite number';
      throw new UsageError(
        `${source}, line ${row + 1}, column ${header[index]}: "${cell ?? ''}" is not ${expected}`,
      );
    }
    values.push(value);
  }
  if (values.length === 0) throw new UsageError(`${source}: the file has no data rows`);
  return Float64Array.from(values);
}
