import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how the CLI was called: printed as one line plus the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /**
   * The flags the data folder's settings filled, not the command line (see settingDefaults.ts): a flag
   * that goes with only some of a command's forms, or means something else in it, is refused or read
   * only when the trader gave it.
   */
  fromSettings?: ReadonlySet<string>;
}

/**
 * `--NAME was given N times (a, b): REMEDY`, the one wording of a flag given more often than the command
 * takes it (a command that takes a `multiple` flag once, as one-file commands take --csv, says its own
 * remedy).
 */
export function repeatedFlagMessage(
  name: string,
  values: readonly string[],
  remedy = 'give it once',
): string {
  return `--${name} was given ${values.length} times (${values.join(', ')}): ${remedy}`;
}

export function parseCommandArgs(argv: string[], options: OptionSpec, allowPositionals = false): ParsedArgs {
  const given = joinNegativeValues(argv, options);
  // A positional negative number goes to parseArgs behind a space (so not as a flag) and is read back as given.
  const args = given.map((arg, index) =>
    allowPositionals && NEGATIVE_NUMBER.test(arg) && !given.slice(0, index).includes('--') ? ` ${arg}` : arg,
  );
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals, tokens: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  refuseRepeatedValues(parsed.tokens, options);
  const positionals = (parsed.tokens ?? []).flatMap((token) =>
    token.kind === 'positional' ? [given[token.index]!] : [],
  );
  return { values: parsed.values as ParsedArgs['values'], positionals };
}

/** "-5", "-0.5", "-.5", "-1e3": a number, never one of the CLI's flags (no flag is a digit). */
const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * parseArgs reads a negative number as a short flag, so `--cash -5` stopped at "Option '--cash' argument
 * is ambiguous" and `settings set cash -5` at "Unknown option '-5'", before the command could say what is
 * wrong with the number. A value flag followed by a negative number takes it as its value (`--cash=-5`).
 */
function joinNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--') return [...joined, ...argv.slice(i)];
    const takesValue = arg.startsWith('--') && options[arg.slice(2)]?.type === 'string';
    if (takesValue && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${arg}=${next}`);
      i += 1;
    } else joined.push(arg);
  }
  return joined;
}

/**
 * parseArgs keeps the last value of a single-value flag given twice, silently: a pasted command with
 * `--trials 200` appended would run a study nobody asked for. A value flag not declared `multiple` is
 * taken once; a boolean given twice means the same thing and passes.
 */
function refuseRepeatedValues(tokens: ReturnType<typeof parseArgs>['tokens'], options: OptionSpec): void {
  const given = new Map<string, string[]>();
  for (const token of tokens ?? []) {
    if (token.kind !== 'option' || token.value === undefined || options[token.name]?.multiple) continue;
    given.set(token.name, [...(given.get(token.name) ?? []), token.value]);
  }
  for (const [name, values] of given)
    if (values.length > 1) throw new UsageError(repeatedFlagMessage(name, values));
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(args: ParsedArgs, name: string): string {
  const value = stringOption(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return value;
}

/** Epoch ms of an ISO date (midnight UTC) or date-time flag; undefined when the flag is absent. */
export function timeOption(args: ParsedArgs, name: string): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} must be an ISO date or date-time, got "${raw}"`);
  return ms;
}

/**
 * `--start ISO` and `--end ISO`, each optional; an end not after the start is refused naming both (a file's
 * bars were otherwise "fewer than 2 between" the two dates, and the cache's "end: must be after start").
 */
export function timeRangeOptions(args: ParsedArgs): { start: number | undefined; end: number | undefined } {
  const start = timeOption(args, 'start');
  const end = timeOption(args, 'end');
  if (start !== undefined && end !== undefined && !(end > start))
    throw new UsageError(
      `--end ${stringOption(args, 'end')} must be after --start ${stringOption(args, 'start')}`,
    );
  return { start, end };
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

/** Parses repeated `--param name=value` flags into numbers, naming the flag that is malformed. */
export function keyValueNumbers(pairs: string[], flag: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    const value = Number(pair.slice(eq + 1));
    if (eq <= 0 || !Number.isFinite(value))
      throw new UsageError(`--${flag} expects name=number, got "${pair}"`);
    out[key] = value;
  }
  return out;
}
