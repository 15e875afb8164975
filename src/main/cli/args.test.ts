import { describe, expect, it } from 'vitest';
import { listOption, parseCommandArgs, stringOption, UsageError, type OptionSpec } from './args.ts';

const OPTIONS: OptionSpec = {
  symbol: { type: 'string' },
  trials: { type: 'string' },
  space: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

function refusal(argv: string[]): string {
  try {
    parseCommandArgs(argv, OPTIONS);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseCommandArgs: a flag given more than once', () => {
  it('refuses a value flag given twice, naming the flag, how often and the values', () => {
    expect(refusal(['--symbol', 'A', '--symbol', 'B'])).toBe(
      '--symbol was given 2 times (A, B): give it once',
    );
    // `--flag=value` is the same flag, and a number is a value flag like any other.
    expect(refusal(['--trials', '20', '--json', '--trials=200', '--trials', '20'])).toBe(
      '--trials was given 3 times (20, 200, 20): give it once',
    );
  });

  it('takes a value flag given once, and a boolean given twice (it means the same thing)', () => {
    const args = parseCommandArgs(['--symbol', 'A', '--json', '--json', '-h', '--help'], OPTIONS);
    expect(stringOption(args, 'symbol')).toBe('A');
    expect(args.values['json']).toBe(true);
    expect(args.values['help']).toBe(true);
  });

  it('keeps every value of a flag declared multiple, in order, for the command to read', () => {
    const args = parseCommandArgs(['--space', 'fast=2:20', '--symbol', 'A', '--space', 'slow=5:60'], OPTIONS);
    expect(listOption(args, 'space')).toEqual(['fast=2:20', 'slow=5:60']);
  });
});
