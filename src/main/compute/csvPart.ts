/**
 * A part of a CSV file being imported, read, parsed and staged where it is run (a pool worker in the
 * services): the thread that runs it reads the part's bytes from the file itself and appends its staged
 * rows to the staging file itself, so the importer's thread (the one answering requests) handles no
 * megabyte buffers at all. Buffers made and dropped there, part after part, had its garbage collector
 * pause it for 150-300 ms at a time during a large import. Its own module so that the in-process parser
 * of the CLI does not load the engine with tasks.ts.
 */
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { parseCsvPart, type CsvPartInput, type CsvPartOutput } from '../../core/data/csv/part.ts';

export interface CsvFilePart extends Omit<CsvPartInput, 'text'> {
  /** The CSV file. */
  readonly path: string;
  /** Byte offset of the part's first line. */
  readonly offset: number;
  /** Bytes to read; the part ends at the last line end in them (it is read further when none is). */
  readonly bytes: number;
  /** The staging file the part's rows are appended to (none: only parsed, as for the zone's look). */
  readonly staging?: string;
}

/** A parsed part as the importer sees it: its staged rows are in the staging file already. */
export type StagedPart = Omit<Extract<CsvPartOutput, { ok: true }>, 'staged'>;

export type CsvFilePartOutput =
  | {
      readonly ok: true;
      /** Bytes of the file the part took (whole lines): the next part starts there. */
      readonly taken: number;
      /** The file ends with this part. */
      readonly atEnd: boolean;
      /** Line ends in the part, to number the next part's lines. */
      readonly lineEnds: number;
      /** The parsed part; null when its lines are blank (nothing to parse). */
      readonly part: StagedPart | null;
    }
  | Extract<CsvPartOutput, { ok: false }>;

/** A line longer than this is not a bars row; refusing it keeps a file without line ends out of memory. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Reads, parses and stages one part (see the module comment). */
export function parseCsvFilePart(input: CsvFilePart): CsvFilePartOutput {
  const { path, offset, staging, bytes: wanted, ...rest } = input;
  const window = readPart(path, offset, wanted, input.header === null);
  if ('tooLong' in window) {
    return {
      ok: false,
      refusal: {
        source: input.parse.source,
        line: input.firstLine,
        column: null,
        detail: `a line longer than ${MAX_LINE_BYTES} bytes: not a bars file`,
        at: null,
        problem: null,
      },
    };
  }
  const { body, atEnd } = window;
  if (isBlank(body))
    return { ok: true, taken: body.length, atEnd, lineEnds: countLineEnds(body), part: null };
  // Pure ASCII (nearly every bars file) as Latin-1: the same string as UTF-8 gives for those bytes, but a
  // flat one-byte string, which the CSV reader scans faster (see readTextFile).
  const text = isAscii(body) ? body.toString('latin1') : body.toString('utf8');
  const parsed = parseCsvPart({ ...rest, text });
  if (!parsed.ok) return parsed;
  const { staged, ...part } = parsed;
  if (staging !== undefined) {
    const fd = openSync(staging, 'a');
    try {
      for (let at = 0; at < staged.length;) at += writeSync(fd, staged, at);
    } finally {
      closeSync(fd);
    }
  }
  return { ok: true, taken: body.length, atEnd, lineEnds: part.lineEnds, part };
}

/**
 * The part's whole lines from `offset`: `wanted` bytes cut after their last line end, read further when
 * they hold none (or, for the first part, only the header: the reader needs a row to tell the columns).
 */
function readPart(
  path: string,
  offset: number,
  wanted: number,
  first: boolean,
): { body: Buffer; atEnd: boolean } | { tooLong: true } {
  const fd = openSync(path, 'r');
  try {
    for (let length = wanted; ; length *= 2) {
      const buffer = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) {
        const n = readSync(fd, buffer, read, length - read, offset + read);
        if (n === 0) break;
        read += n;
      }
      if (read < length) return { body: buffer.subarray(0, read), atEnd: true };
      const cut = buffer.lastIndexOf(10) + 1;
      const body = buffer.subarray(0, cut);
      const enough = cut > 0 && (!first || body.toString('latin1').trim().includes('\n'));
      if (enough) return { body, atEnd: false };
      if (length > MAX_LINE_BYTES) return { tooLong: true };
    }
  } finally {
    closeSync(fd);
  }
}

/** Only spaces, tabs and line ends (what `trim` removes from the text of a bars file). */
function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 32 || b === 9 || b === 10 || b === 13);
}

function countLineEnds(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}
