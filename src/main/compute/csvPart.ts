/**
 * A CSV part as the importer sends it: the bytes it read, which the pool moves to the worker rather than
 * copying a string of them, decoded there. Its own module so that the in-process parser of the CLI does
 * not load the engine with tasks.ts.
 */
import { isAscii } from 'node:buffer';
import { parseCsvPart, type CsvPartInput, type CsvPartOutput } from '../../core/data/csv/part.ts';

export interface CsvPartBytes extends Omit<CsvPartInput, 'text'> {
  /** Whole lines of the file, as read; the buffer is the part's own (it is moved, see taskTransfers). */
  readonly bytes: Uint8Array;
}

/** Decodes and parses one part (see core/data/csv/part.ts). */
export function parseCsvPartBytes(input: CsvPartBytes): CsvPartOutput {
  const { bytes, ...rest } = input;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Pure ASCII (nearly every bars file) as Latin-1: the same string as UTF-8 gives for those bytes, but a
  // flat one-byte string, which the CSV reader scans faster (see readTextFile).
  const text = isAscii(buffer) ? buffer.toString('latin1') : buffer.toString('utf8');
  return parseCsvPart({ ...rest, text });
}
