import { FEE_SCHEDULES, SHORT_SALES, UNIT_RULES } from '../../../../core/engine/assetCosts.ts';
import {
  DEFAULT_SETTINGS,
  type SettingKey,
  type SettingsState,
} from '../../../../shared/settingsContract.ts';
import { RequestError } from '../../../../shared/errors.ts';
import { stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import { ownerBackend } from '../../backend.ts';
import { requestSchemas, type RequestInput, type RequestOutput } from '../../../../shared/contract.ts';
import type { SETTINGS_CHANNELS } from '../../../../shared/settingsChannels.ts';
import { parseOrRefuse } from '../../../../shared/validation.ts';
import { resolveDataDir } from '../../../paths.ts';
import { createSettingsHandlers } from '../../../services/settings/handlers.ts';
import { SettingsStore } from '../../../services/settings/settingsStore.ts';
import type { Command, CommandIO } from '../../command.ts';
import { table, toJson } from '../../format.ts';

/** How a setting's VALUE is read and printed; `default` clears the nullable ones (the asset class, all cores). */
type Kind = 'number' | 'number-or-default' | 'text-or-default' | 'text';
const KINDS: Record<SettingKey, { kind: Kind; help: string }> = {
  cash: { kind: 'number', help: 'starting cash of every run' },
  commissionPercent: { kind: 'number', help: 'commission, % of traded value (0.1 means 0.1 %)' },
  fees: {
    kind: 'text-or-default',
    help: `${FEE_SCHEDULES.join(', ')}: the venue's fees (default: asset class)`,
  },
  spreadBps: {
    kind: 'number-or-default',
    help: 'quoted spread in bp, half paid per fill (default: asset class)',
  },
  impact: { kind: 'number-or-default', help: 'square-root impact coefficient (default: asset class)' },
  borrowPercent: {
    kind: 'number-or-default',
    help: 'stock borrow fee on a short held overnight, % a year (default: asset class, none)',
  },
  cryptoFeeTier: {
    kind: 'number-or-default',
    help: "Alpaca's crypto fee tier by 30-day volume, 1 to 8 (default: the first)",
  },
  shortSales: {
    kind: 'text-or-default',
    help: `${SHORT_SALES.join(', ')}: whether a run may sell short (default: asset class, crypto none)`,
  },
  units: {
    kind: 'text-or-default',
    help: `${UNIT_RULES.join(', ')}: what an order may be for (default: asset class, crypto fractional)`,
  },
  riskFreePercent: { kind: 'number', help: 'annual risk-free rate in % for Sharpe and Sortino' },
  workers: { kind: 'number-or-default', help: 'compute pool threads (default: one per core)' },
  timeZone: { kind: 'text', help: 'exchange, utc or local' },
  session: { kind: 'text', help: 'regular or extended' },
};

const isSettingKey = (key: string): key is SettingKey => key in KINDS;

function valueOf(key: SettingKey, raw: string): unknown {
  const { kind } = KINDS[key];
  if (kind === 'text') return raw;
  if (kind !== 'number' && raw === 'default') return null;
  if (kind === 'text-or-default') return raw;
  const number = Number(raw.endsWith('%') ? raw.slice(0, -1) : raw);
  if (raw.trim() === '' || !Number.isFinite(number))
    throw new UsageError(`${key} must be a number${kind === 'number' ? '' : ' or default'}, got "${raw}"`);
  return number;
}

function printed(key: SettingKey, value: unknown): string {
  if (value === null) return key === 'workers' ? 'default (one per core)' : 'default (asset class)';
  return String(value);
}

function show(state: SettingsState, io: CommandIO, json: boolean): void {
  if (json) {
    io.out(toJson(state));
    return;
  }
  const rows = (Object.keys(KINDS) as SettingKey[]).map((key) => [
    key,
    printed(key, state.settings[key]),
    state.settings[key] === DEFAULT_SETTINGS[key] ? '' : 'set',
    KINDS[key].help,
  ]);
  rows.push(['dataFolder', state.dataFolder.current, '', 'where the cache and strategies live']);
  if (state.dataFolder.next !== null)
    rows.push(['', `→ ${state.dataFolder.next}`, '', 'opened from the next start']);
  io.out(table([['setting', 'value', '', ''], ...rows], true));
  if (state.workers.restartNeeded)
    io.out(
      `workers: ${state.settings.workers ?? 'one per core'} from the next start (the pool was computing)`,
    );
  if (state.problem !== null) io.err(`regimen: ${state.problem}\n`);
}

type SettingsChannel = (typeof SETTINGS_CHANNELS.requests)[number];
/** The settings channels of the folder's owner, or of the folder itself when no process owns it. */
interface SettingsBackend {
  request<K extends SettingsChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
}

/**
 * Through the owner when one runs (it holds the record every window shows); else the folder's record
 * directly, behind the same schemas: settings need no database, so none is opened.
 */
async function withBackend<T>(
  args: ParsedArgs,
  io: CommandIO,
  work: (backend: SettingsBackend) => Promise<T>,
): Promise<T> {
  const owner = await ownerBackend(args);
  if (owner !== null) {
    io.err(`(through ${owner.owner})\n`);
    return work(owner);
  }
  const handlers = createSettingsHandlers(
    new SettingsStore({ dataDir: resolveDataDir(stringOption(args, 'data-dir')) }),
  );
  return work({
    request: async (channel, input) => {
      const request = parseOrRefuse(requestSchemas[channel].input, input, requestSchemas[channel].refused);
      const handler = handlers[channel] as (request: unknown) => Promise<RequestOutput<typeof channel>>;
      return handler(request);
    },
  });
}

export const settingsShowCommand: Command = {
  usage: '[--json]',
  options: {},
  run: async (args, io) =>
    withBackend(args, io, async (backend) => {
      show(await backend.request('settings:get', {}), io, args.values['json'] === true);
      return 0;
    }),
};

export const settingsSetCommand: Command = {
  usage: `KEY VALUE\n\n${(Object.keys(KINDS) as SettingKey[]).map((key) => `  ${key.padEnd(18)}${KINDS[key].help}`).join('\n')}`,
  options: {},
  allowPositionals: true,
  run: async (args, io) => {
    const [key, raw, ...extra] = args.positionals;
    if (key === undefined || raw === undefined || extra.length > 0)
      throw new UsageError('expected KEY VALUE, e.g. regimen settings set cash 25000');
    if (!isSettingKey(key))
      throw new UsageError(
        `unknown setting "${key}" (one of ${Object.keys(KINDS).join(', ')}; the data folder: settings data-folder)`,
      );
    const value = valueOf(key, raw);
    return withBackend(args, io, async (backend) => {
      let state: SettingsState;
      try {
        state = await backend.request('settings:set', { [key]: value });
      } catch (error) {
        // The services name the setting ("cash: must be more than 0"): said as it is, not as a --flag.
        if (error instanceof RequestError && error.kind === 'invalid') throw new UsageError(error.message);
        throw error;
      }
      show(state, io, args.values['json'] === true);
      return 0;
    });
  },
};

export const settingsDataFolderCommand: Command = {
  usage:
    'FOLDER (--move | --switch)\n\n' +
    '  --move copies the data (cache, strategies, studies) to FOLDER, which must hold no cache yet;\n' +
    '  --switch uses FOLDER as it is. Either way the next start opens FOLDER and the old folder is kept.',
  options: { move: { type: 'boolean' }, switch: { type: 'boolean' } },
  allowPositionals: true,
  run: async (args, io) => {
    const [folder, ...extra] = args.positionals;
    const move = args.values['move'] === true;
    if (folder === undefined || extra.length > 0 || move === (args.values['switch'] === true))
      throw new UsageError('expected FOLDER and one of --move or --switch');
    return withBackend(args, io, async (backend) => {
      const result = await backend.request('settings:data-folder', {
        folder,
        mode: move ? 'move' : 'switch',
      });
      io.out(result.message);
      return 0;
    });
  },
};
