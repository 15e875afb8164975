import { findStrategy } from '../../../../core/strategy-api/ref.ts';
import { STRATEGIES } from '../../../../core/strategy/registry.ts';
import { BotClient } from '../../../livebot/botClient.ts';
import { runConformance } from '../../../livebot/conformance.ts';
import { resolveBotSecret } from '../../../livebot/secret.ts';
import { keyValueNumbers, listOption, requiredOption, stringOption, UsageError } from '../../args.ts';
import type { Command } from '../../command.ts';

/** Two sets the suite pushes when the strategy is sma-cross and none are given. */
const SMA_CROSS_SETS = [
  { fast: 10, slow: 30 },
  { fast: 5, slow: 20 },
] as const;

export const botConformanceCommand: Command = {
  usage:
    '--bot URL [--strategy NAME --set-a name=value... --set-b name=value...]\n\n' +
    "Checks a bot against the protocol's mandatory behaviours (signature refusals, idempotent apply,\n" +
    'version ordering, bar-boundary apply, halt modes, status shape). It pushes two versions and halts and\n' +
    'resumes the bot: run it against a paper or test bot. Exit code 1 when a check fails.',
  options: {
    bot: { type: 'string' },
    strategy: { type: 'string' },
    'set-a': { type: 'string', multiple: true },
    'set-b': { type: 'string', multiple: true },
  },
  async run(args, io) {
    const url = requiredOption(args, 'bot');
    let definition;
    try {
      definition = findStrategy(stringOption(args, 'strategy') ?? 'sma-cross', STRATEGIES);
    } catch (error) {
      throw new UsageError(`--strategy: ${(error as Error).message}`);
    }
    const a = keyValueNumbers(listOption(args, 'set-a'), 'set-a');
    const b = keyValueNumbers(listOption(args, 'set-b'), 'set-b');
    const given = Object.keys(a).length > 0 && Object.keys(b).length > 0;
    if (!given && definition.name !== 'sma-cross')
      throw new UsageError(`--set-a and --set-b are required for ${definition.name}`);
    let client: BotClient;
    try {
      client = new BotClient(url, await resolveBotSecret());
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const checks = await runConformance(client, {
      strategy: { name: definition.name, version: definition.version },
      parameters: given ? [a, b] : SMA_CROSS_SETS,
    });
    if (args.values['json']) io.out(JSON.stringify(checks, null, 2));
    else {
      const width = Math.max(...checks.map((c) => c.id.length));
      for (const c of checks) io.out(`${c.ok ? 'pass' : 'FAIL'}  ${c.id.padEnd(width)}  ${c.detail}`);
    }
    const failed = checks.filter((c) => !c.ok).length;
    io.err(`${checks.length - failed}/${checks.length} checks passed\n`);
    return failed === 0 ? 0 : 1;
  },
};
