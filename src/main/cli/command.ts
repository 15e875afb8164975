import type { OptionSpec, ParsedArgs } from './args.ts';

/** Where a command writes: stdout for results (a table or --json), stderr for progress and notes. */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal, so progress bars may redraw in place. */
  readonly interactive: boolean;
}

/** A command's options and work; its name and summary are listed by its domain's commands/<domain>/index.ts. */
export interface Command {
  /** Usage lines after `regimen <name>`. */
  readonly usage: string;
  readonly options: OptionSpec;
  readonly allowPositionals?: boolean;
  /** Resolves to the exit code. */
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}

/** A command as `regimen --help` lists it; its module (and what that imports) loads only when it runs. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpec = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  tz: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};
