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

describe('parseCommandArgs: a negative number', () => {
  it("is a value flag's value, spaced or joined, for the command to judge", () => {
    const args = parseCommandArgs(['--trials', '-4', '--symbol=-1', '--json'], OPTIONS);
    expect(stringOption(args, 'trials')).toBe('-4');
    expect(stringOption(args, 'symbol')).toBe('-1');
    expect(args.values['json']).toBe(true);
    expect(stringOption(parseCommandArgs(['--trials', '-.5'], OPTIONS), 'trials')).toBe('-.5');
  });

  it('is a positional where the command takes them, in its place and as given', () => {
    const args = parseCommandArgs(['cash', '-5', '--json', '-2.5e3', '--', '-1'], OPTIONS, true);
    expect(args.positionals).toEqual(['cash', '-5', '-2.5e3', '-1']);
    expect(args.values['json']).toBe(true);
  });

  it('is still refused where the command takes no positionals, and a flag without a value still is', () => {
    expect(refusal(['-5'])).toMatch(/'-5'/);
    expect(refusal(['--trials', '--json'])).toMatch(/--trials/);
  });
});
