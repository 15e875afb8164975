import { BotTimeoutSettings } from '../../../../shared/liveContract.ts';
import { describeIssues } from '../../../../shared/validation.ts';
import { resolveDataDir } from '../../../paths.ts';
import { BotRegistry, botRegistryPath } from '../../../services/live/botRegistry.ts';
import { stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import type { Command } from '../../command.ts';
import { print } from './desk.ts';

/**
 * `regimen live timeouts set | show`: how long a request to a bot waits for its answer, kept in
 * live-bots.json with the bots (the app and `regimen live ...` read it at each request). Flags not given
 * keep their value.
 */
const registryOf = (args: ParsedArgs): BotRegistry =>
  new BotRegistry(botRegistryPath(resolveDataDir(stringOption(args, 'data-dir'))));

const describe = (t: BotTimeoutSettings): string =>
  `A bot's answer is awaited at most ${t.pushSeconds} s for a push, halt or resume and ${t.readSeconds} s for a read`;

export const liveTimeoutsSetCommand: Command = {
  usage: '[--push-seconds S] [--read-seconds S] [--json]',
  options: { 'push-seconds': { type: 'string' }, 'read-seconds': { type: 'string' } },
  run: async (args, io) => {
    const registry = registryOf(args);
    const number = (name: string): number | undefined => {
      const raw = stringOption(args, name);
      return raw === undefined ? undefined : Number(raw);
    };
    const current = registry.botTimeouts();
    const parsed = BotTimeoutSettings.safeParse({
      pushSeconds: number('push-seconds') ?? current.pushSeconds,
      readSeconds: number('read-seconds') ?? current.readSeconds,
    });
    if (!parsed.success) throw new UsageError(`timeouts: ${describeIssues(parsed.error)}`);
    registry.setBotTimeouts(parsed.data);
    print(io, args, parsed.data, describe(parsed.data));
    return 0;
  },
};

export const liveTimeoutsShowCommand: Command = {
  usage: '[--json]',
  options: {},
  run: async (args, io) => {
    const timeouts = registryOf(args).botTimeouts();
    print(io, args, timeouts, describe(timeouts));
    return 0;
  },
};
