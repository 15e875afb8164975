/**
 * One part of a large CSV file (whole lines, cut at a line end), parsed on its own: what a worker thread
 * does for the importer, so that parsing a file of gigabytes never holds the main thread. A later part is
 * read with the header and the previous part's last row in front of it, so the reader itself checks the
 * order and the symbol across the cut (that repeated row is then dropped); its line numbers are mapped
 * back to the file's. The bars come back as staged rows (see STAGED_COLUMNS) for the database to load.
 *
 * The staged rows are bytes, written straight into a buffer that the thread parsing the part appends to
 * the staging file as it is (main/compute/csvPart.ts): no megabyte string per part is built, copied or
 * encoded (the worker's heap used to grow by the strings of hundreds of parts between its collections).
 */
import { DataValidationError } from '../validate.ts';
import { parseBarsCsv, type CsvImport, type CsvImportOptions } from './read.ts';

export interface CsvPartInput {
  /** Whole lines of the file. */
  readonly text: string;
  /** Line number in the file of the text's first line. */
  readonly firstLine: number;
  /** The file's header line with its line end ('' for a file without one); null for the first part. */
  readonly header: string | null;
  /** The last line with content of the part before (null for the first part). */
  readonly previous: CsvLine | null;
  readonly parse: CsvImportOptions;
  /** Return the bars' times too (the import's look at the first part to infer the zone of naive times). */
  readonly withTimes?: boolean;
}

export interface CsvLine {
  readonly text: string;
  /** Line number in the file. */
  readonly line: number;
}

/** What a refused part's DataValidationError holds: it crosses a thread as data and is rebuilt. */
export interface CsvPartRefusal {
  readonly source: string;
  readonly line: number | null;
  readonly column: string | null;
  readonly detail: string;
  readonly at: string | null;
  readonly problem: DataValidationError['problem'];
}

export type CsvPartOutput =
  | {
      readonly ok: true;
      readonly rows: number;
      /** First and last time of the part's bars (NaN without bars). */
      readonly firstT: number;
      readonly lastT: number;
      /** The bars as staged CSV rows in ASCII, one per bar, each ending with a line end. */
      readonly staged: Uint8Array;
      /** First part: the header line to put in front of later parts ('' when the file has none). */
      readonly header: string | null;
      readonly fileSymbol: string | undefined;
      /** The spacing the part's timestamps show (see inferTimeframe); the first part's names the timeframe. */
      readonly spacingLabel: string;
      readonly last: CsvLine;
      /** Line ends in the text: the next part's first line is firstLine + lineEnds. */
      readonly lineEnds: number;
      /** The bars' times, when asked for (`withTimes`). */
      readonly times?: Float64Array;
    }
  | { readonly ok: false; readonly refusal: CsvPartRefusal };

/**
 * Columns of a staged row: epoch ms, OHLCV, vwap and trade count (empty where the file has none), as the
 * shortest decimal that reads back as the same double.
 */
export const STAGED_COLUMNS = [
  'ts',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'vwap',
  'trade_count',
] as const;

/** Parses one part (see the module comment). A refused part is returned, not thrown, to cross threads. */
export function parseCsvPart(input: CsvPartInput): CsvPartOutput {
  const { text, header, previous, firstLine } = input;
  const prefix = header === null ? '' : `${header}${previous!.text}\n`;
  const prefixLines = header === null ? 0 : (header === '' ? 0 : 1) + 1;
  let part: CsvImport;
  try {
    part = parseBarsCsv(prefix + text, input.parse);
  } catch (error) {
    if (!(error instanceof DataValidationError)) throw error;
    return { ok: false, refusal: refusalOf(fileLines(error, prefixLines, firstLine, previous?.line ?? 0)) };
  }
  // The repeated row of the part before is the first row read.
  const from = header === null ? 0 : 1;
  const { bars } = part;
  const n = bars.t.length - from;
  return {
    ok: true,
    rows: n,
    firstT: n > 0 ? bars.t[from]! : NaN,
    lastT: n > 0 ? bars.t[bars.t.length - 1]! : NaN,
    staged: stagedRows(part, from),
    header: header === null ? (part.layout.header.length > 0 ? `${firstNonEmptyLine(text)}\n` : '') : null,
    fileSymbol: part.fileSymbol,
    spacingLabel: part.spacing.label,
    last: lastNonEmptyLine(text, firstLine),
    lineEnds: countLineEnds(text),
    ...(input.withTimes ? { times: bars.t.slice(from) } : {}),
  };
}

/** The refusal a worker returned, as the error it was. */
export function refusalError(refusal: CsvPartRefusal): DataValidationError {
  return new DataValidationError(refusal.source, refusal.line, refusal.column, refusal.detail, {
    ...(refusal.at === null ? {} : { at: refusal.at }),
    ...(refusal.problem === null ? {} : { problem: refusal.problem }),
  });
}

function refusalOf(error: DataValidationError): CsvPartRefusal {
  const { source, line, column, detail, at, problem } = error;
  return { source, line, column, detail, at, problem };
}

/** The longest staged row: eight numbers of at most 24 characters ("-2.2250738585072014e-308"), 8 separators. */
const MAX_STAGED_ROW = STAGED_COLUMNS.length * 25;

const COMMA = 44;
const LINE_END = 10;

/** The staged rows as ASCII bytes. */
function stagedRows(part: CsvImport, from: number): Uint8Array {
  const { t, o, h, l, c, v } = part.bars;
  const { vwap, tradeCount } = part.extra;
  const columns = [t, o, h, l, c, v, vwap, tradeCount];
  // Rows of minute bars take ~45 bytes: one growth at most for typical files.
  let out = new Uint8Array(Math.max(1, t.length - from) * 48);
  let at = 0;
  for (let i = from; i < t.length; i++) {
    if (out.length - at < MAX_STAGED_ROW) {
      const larger = new Uint8Array(out.length * 2);
      larger.set(out.subarray(0, at));
      out = larger;
    }
    for (let k = 0; k < columns.length; k++) {
      if (k > 0) out[at++] = COMMA;
      const value = columns[k]?.[i];
      // A missing optional column and a missing value in one are both written empty (NULL when loaded).
      if (value === undefined || Number.isNaN(value)) continue;
      const text = String(value);
      for (let j = 0; j < text.length; j++) out[at++] = text.charCodeAt(j);
    }
    out[at++] = LINE_END;
  }
  return out.subarray(0, at);
}

/** An error of a later part with its line number as in the file (the part's text has lines in front). */
function fileLines(
  error: DataValidationError,
  prefixLines: number,
  firstLine: number,
  carriedLine: number,
): DataValidationError {
  if (error.line === null || prefixLines === 0) return error;
  const line = error.line > prefixLines ? firstLine + error.line - prefixLines - 1 : carriedLine;
  return new DataValidationError(error.source, line, error.column, error.detail, {
    ...(error.at === null ? {} : { at: error.at }),
    ...(error.problem === null ? {} : { problem: error.problem }),
  });
}

function firstNonEmptyLine(text: string): string {
  for (const line of text.split('\n', 64)) if (line.trim() !== '') return line.replace(/\r$/, '');
  return '';
}

/** The last line with content and its line number in the file (`firstLine` is the text's first). */
function lastNonEmptyLine(text: string, firstLine: number): CsvLine {
  let end = text.length;
  for (;;) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end).replace(/\r$/, '');
    if (line.trim() !== '' || start === 0)
      return { text: line, line: firstLine + countLineEnds(text, start) };
    end = start - 1;
  }
}

/** Line ends in text[0, end). */
function countLineEnds(text: string, end = text.length): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
