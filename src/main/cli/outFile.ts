import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { ExportTargetExistsError, writeAtomically } from '../marketdata/exporter.ts';
import { stringOption, UsageError, type ParsedArgs } from './args.ts';

/** `--out FILE [--overwrite]`, shared by backtest, optimize and walk-forward. */
export const OUT_OPTIONS = {
  out: { type: 'string' },
  overwrite: { type: 'boolean' },
} as const;

export type OutFormat = 'csv' | 'html';

export interface OutTarget {
  readonly path: string;
  readonly format: OutFormat;
  readonly overwrite: boolean;
}

/** The file `--out` names and the format its extension asks for (one of `formats`); null without --out. */
export function outTarget(args: ParsedArgs, formats: readonly OutFormat[]): OutTarget | null {
  const out = stringOption(args, 'out');
  if (out === undefined) {
    if (args.values['overwrite']) throw new UsageError('--overwrite goes with --out FILE');
    return null;
  }
  const format = extname(out).slice(1).toLowerCase();
  if (!(formats as readonly string[]).includes(format))
    throw new UsageError(
      `--out ${out}: the file name must end in ${formats.map((f) => `.${f}`).join(' or ')}, which says what to write`,
    );
  const target = {
    path: resolve(out),
    format: format as OutFormat,
    overwrite: args.values['overwrite'] === true,
  };
  // Refused before the run, not after minutes of it (writeOut checks again: the file may appear meanwhile).
  if (!target.overwrite && existsSync(target.path)) throw exists(target);
  return target;
}

const exists = (target: OutTarget): UsageError =>
  new UsageError(`${target.path} already exists: choose another --out or pass --overwrite`);

/**
 * Writes `text` to the target through a temporary file renamed into place (see writeAtomically): an
 * existing file is replaced only with --overwrite, and an interrupted write leaves the old one whole.
 */
export async function writeOut(target: OutTarget, text: string): Promise<void> {
  try {
    await writeAtomically(target.path, target.overwrite, (temporary) => writeFile(temporary, text, 'utf8'));
  } catch (error) {
    if (error instanceof ExportTargetExistsError) throw exists(target);
    throw error;
  }
}
