import { resolveDataDir } from '../../../paths.ts';
import { RegimeUpdateSettings } from '../../../../shared/liveContract.ts';
import { describeIssues } from '../../../../shared/validation.ts';
import { BotRegistry, botRegistryPath } from '../../../services/live/botRegistry.ts';
import {
  REGIME_UPDATES_OFF,
  RegimeUpdateRecords,
  regimeUpdateRecordsPath,
  type RegimeUpdateRecord,
} from '../../../services/live/regimeUpdates.ts';
import { requiredOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import type { Command } from '../../command.ts';
import { timeFormatFrom } from '../../format.ts';
import type { TimeFormat } from '../../../../shared/timeZone.ts';
import { BOT, print } from './desk.ts';

/**
 * `regimen live regime-updates set | show`: a bot's regime-driven updates, kept in live-bots.json beside
 * the bot (a running `regimen serve` takes a change at its next poll). Flags not given keep their value.
 */
const registryOf = (args: ParsedArgs): BotRegistry =>
  new BotRegistry(botRegistryPath(resolveDataDir(stringOption(args, 'data-dir'))));

function knownBot(registry: BotRegistry, args: ParsedArgs): string {
  const bot = requiredOption(args, 'bot').trim().replace(/\/+$/, '');
  if (!registry.list().some((b) => b.url === bot))
    throw new UsageError(`--bot ${bot}: no such bot is registered (add it in the Live view first)`);
  return bot;
}

const describe = (bot: string, s: RegimeUpdateSettings): string =>
  s.enabled
    ? `${bot}: regime updates on: ${s.detector} detector, ${s.axis} axis, confidence at least ${s.threshold}, ` +
      `${s.minDwellHours} h between changes, daily check at ${s.dailyAt} ${s.timeZone}` +
      (s.tradingDaysOnly ? ' on trading days' : ' every day')
    : `${bot}: regime updates off`;

const number = (args: ParsedArgs, name: string): number | undefined => {
  const raw = stringOption(args, name);
  return raw === undefined ? undefined : Number(raw);
};

export const liveRegimeUpdatesSetCommand: Command = {
  usage:
    '--bot URL (--on | --off) [--detector rules|hmm|jump|bocpd] [--axis both|trend|volatility]\n' +
    '  [--threshold C] [--min-dwell-hours H] [--daily-at HH:MM] [--time-zone ZONE]\n' +
    '  [--trading-days-only | --every-day] [--json]',
  options: {
    ...BOT,
    on: { type: 'boolean' },
    off: { type: 'boolean' },
    detector: { type: 'string' },
    axis: { type: 'string' },
    threshold: { type: 'string' },
    'min-dwell-hours': { type: 'string' },
    'daily-at': { type: 'string' },
    'time-zone': { type: 'string' },
    'trading-days-only': { type: 'boolean' },
    'every-day': { type: 'boolean' },
  },
  run: async (args, io) => {
    const registry = registryOf(args);
    const bot = knownBot(registry, args);
    if (args.values['on'] === args.values['off']) throw new UsageError('give exactly one of --on or --off');
    if (args.values['trading-days-only'] === true && args.values['every-day'] === true)
      throw new UsageError('give at most one of --trading-days-only or --every-day');
    const current = registry.regimeUpdates(bot) ?? REGIME_UPDATES_OFF;
    const given = {
      enabled: args.values['on'] === true,
      detector: stringOption(args, 'detector'),
      axis: stringOption(args, 'axis'),
      threshold: number(args, 'threshold'),
      minDwellHours: number(args, 'min-dwell-hours'),
      dailyAt: stringOption(args, 'daily-at'),
      timeZone: stringOption(args, 'time-zone'),
      tradingDaysOnly:
        args.values['every-day'] === true
          ? false
          : args.values['trading-days-only'] === true
            ? true
            : undefined,
    };
    const parsed = RegimeUpdateSettings.safeParse({
      ...current,
      ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    });
    if (!parsed.success) throw new UsageError(`regime updates: ${describeIssues(parsed.error)}`);
    registry.setRegimeUpdates(bot, parsed.data);
    print(io, args, { bot, settings: parsed.data }, describe(bot, parsed.data));
    return 0;
  },
};

export const liveRegimeUpdatesShowCommand: Command = {
  usage: '--bot URL [--json]',
  options: { ...BOT },
  run: async (args, io) => {
    const registry = registryOf(args);
    const bot = knownBot(registry, args);
    const settings = registry.regimeUpdates(bot) ?? REGIME_UPDATES_OFF;
    const record = new RegimeUpdateRecords(
      regimeUpdateRecordsPath(resolveDataDir(stringOption(args, 'data-dir'))),
    ).get(bot);
    print(
      io,
      args,
      { bot, settings, ...record },
      [describe(bot, settings), ...outcomeLines(record, timeFormatFrom(args))].join('\n'),
    );
    return 0;
  },
};

/** What the server's regime updates last did for the bot (the server writes it; none: never ran). */
function outcomeLines(
  { last, lastRegimeChange, lastProposal }: RegimeUpdateRecord,
  time: TimeFormat,
): string[] {
  const stamp = (at: number): string => `${time.dateTime(at)} ${time.zone}`;
  if (last === null) return ['  no check yet'];
  const change = lastRegimeChange;
  return [
    `  last check: ${stamp(last.at)}${last.trigger === null ? '' : ` (${last.trigger}${last.regime === null ? '' : ` in ${last.regime}`})`}: ${last.action}: ${last.detail}`,
    change === null
      ? '  last regime change: none seen yet'
      : `  last regime change: ${stamp(change.at)} ${change.from ?? '(start)'} -> ${change.regime}`,
    lastProposal === null
      ? '  last proposal: none'
      : `  last proposal: ${stamp(lastProposal.at)} ${lastProposal.action === 'pushed' ? 'pushed' : 'waits for a person'}: ${lastProposal.detail}`,
  ];
}
