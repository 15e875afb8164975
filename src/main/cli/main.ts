import { RequestError, UpstreamError } from '../../shared/errors.ts';
import { UsageError, parseCommandArgs, stringOption, type OptionSpec, type ParsedArgs } from './args.ts';
import { COMMON_OPTIONS, type Command, type CommandEntry, type CommandIO } from './command.ts';
import { COMMANDS } from './commands/index.ts';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: regimen <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --data-dir DIR (or REGIMEN_DATA_DIR), --json and --help, and --tz ZONE for the',
    'times its tables print: exchange (America/New_York, the default), utc, local or an IANA name.',
    'Run `regimen <command> --help` for its options.',
  ].join('\n');
}

function commandUsage(entry: CommandEntry, command: Command): string {
  return `Usage: regimen ${entry.name} ${command.usage}\n\n${entry.summary}`;
}

const defaultIO: CommandIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
};

/**
 * Loads the data folder's strategy files before the command (so `--strategy` can name them) and says
 * which were left out and why, once, on stderr: a broken file fails no command that does not use it.
 */
async function reportStrategyProblems(args: ParsedArgs, io: CommandIO): Promise<void> {
  const [{ loadUserStrategies }, { resolveDataDir }, { strategyProblemText }] = await Promise.all([
    import('../services/backtest/userStrategyFiles.ts'),
    import('../paths.ts'),
    import('../../shared/userStrategy.ts'),
  ]);
  const { problems } = await loadUserStrategies(resolveDataDir(stringOption(args, 'data-dir')));
  for (const problem of problems)
    io.err(`regimen: strategy file left out: ${strategyProblemText(problem)}\n`);
}

/**
 * The flags the command takes and was not given, from the data folder's settings (the record its owner
 * writes through on every change, so reading the file agrees with the owner). A record that does not
 * read is said once and the command runs on its own defaults.
 */
async function settingDefaults(args: ParsedArgs, command: Command, io: CommandIO): Promise<ParsedArgs> {
  const [{ readStoredSettings }, { resolveDataDir }, { withSettingDefaults }] = await Promise.all([
    import('../services/settings/settingsStore.ts'),
    import('../paths.ts'),
    import('./settingDefaults.ts'),
  ]);
  try {
    const stored = readStoredSettings(resolveDataDir(stringOption(args, 'data-dir')));
    return stored === null
      ? args
      : withSettingDefaults(args, { ...COMMON_OPTIONS, ...command.options }, stored.settings);
  } catch (error) {
    io.err(`regimen: settings not used: ${error instanceof Error ? error.message : String(error)}\n`);
    return args;
  }
}

/** Runs the CLI; resolves to the exit code (2 for bad arguments, 1 for failures). */
export async function main(argv: string[], io: CommandIO = defaultIO): Promise<number> {
  // Commands may be several words (`data fetch`, `live policy set`): the longest name that matches wins.
  const entry = [3, 2, 1]
    .map((words) => (argv.length >= words ? argv.slice(0, words).join(' ') : undefined))
    .map((words) => COMMANDS.find((c) => c.name === words))
    .find((found) => found !== undefined);
  const name = argv[0];
  const rest = argv.slice(entry === undefined ? 1 : entry.name.split(' ').length);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (!entry) {
    io.err(`regimen: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  const command = await entry.load();
  try {
    const args = parseCommandArgs(rest, { ...COMMON_OPTIONS, ...command.options }, command.allowPositionals);
    if (args.values['help']) {
      io.out(commandUsage(entry, command));
      return 0;
    }
    await reportStrategyProblems(args, io);
    return await command.run(await settingDefaults(args, command, io), io);
  } catch (error) {
    // A refusal of Alpaca's is not a misuse of the command: no usage text, exit 1 like other failures.
    if (error instanceof UsageError || (error instanceof RequestError && !(error instanceof UpstreamError))) {
      io.err(`regimen ${entry.name}: ${usageMessage(error, { ...COMMON_OPTIONS, ...command.options })}
${commandUsage(entry, command)}
`);
      return 2;
    }
    io.err(
      `regimen ${entry.name}: ${await printable(error instanceof Error ? error.message : String(error))}\n`,
    );
    return 1;
  }
}

/**
 * A failure's message as the terminal may show it: an upstream that quoted a URL or a secret it was sent
 * (a Redis without AUTH echoes the password) is masked as the services mask their answers.
 */
async function printable(message: string): Promise<string> {
  const [{ redactSecrets }, { environmentSecrets }] = await Promise.all([
    import('../secrets/redact.ts'),
    import('../services/scrub.ts'),
  ]);
  return redactSecrets(message, environmentSecrets(process.env));
}

/** Request fields that no single flag sets (the FILE argument, the window settings). */
const FIELDS_WITHOUT_FLAG = new Set(['path', 'windows']);

/** Request fields whose flag is not their name in kebab case (a study's several symbols and weights). */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  studyId: 'study',
  symbols: 'symbol',
  symbolWeights: 'weights',
  weights: 'tf-weight',
};

/**
 * A refusal in the CLI's words: the services name the request field at fault (`data.start`, `minTrades`),
 * the CLI names the flag that sets it (`--start`, `--min-trades`). A field the command sets from its
 * arguments (`studies ID`, `data delete SYM`) has no flag to name: `--study-id` and `--symbol` sent the
 * trader looking for flags the command does not take.
 */
function usageMessage(error: UsageError | RequestError, options: OptionSpec): string {
  if (error instanceof UsageError || error.field === undefined) return error.message;
  // `data.symbols.2` and `data.symbolWeights.ORCL` name a list's item or a record's key: the flag is the list's.
  const name = error.field.split('.').findLast((part) => /^[a-z][A-Za-z]*$/.test(part)) ?? error.field;
  const option = FLAG_OF_FIELD[name] ?? name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  if (FIELDS_WITHOUT_FLAG.has(name) || options[option] === undefined) return error.message;
  const flag = `--${option}`;
  const stated = `${error.field}: `;
  return error.message.startsWith(stated)
    ? `${flag}: ${error.message.slice(stated.length)}`
    : `${flag}: ${error.message}`;
}
