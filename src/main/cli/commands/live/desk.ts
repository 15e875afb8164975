import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { auditCsv, botChangesText, verifyAuditChain } from '../../../../core/live/audit.ts';
import {
  HALT_MODES,
  POSITION_POLICIES,
  type HaltMode,
  type PositionPolicy,
} from '../../../../core/live/modes.ts';
import { learnerBasisText } from '../../../../core/live/learnerBasis.ts';
import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  strategyIdentity,
  type ParameterSet,
} from '../../../../core/live/parameterSet.ts';
import type { RampPlan } from '../../../../core/live/ramp.ts';
import { findStrategy } from '../../../../core/strategy-api/ref.ts';
import { strategyCatalogue } from '../../../../core/strategy/registry.ts';
import { ParameterSetSchema } from '../../../../shared/botProtocol.ts';
import { deskSession, deskSessionText } from '../../../../shared/botSession.ts';
import { AuditLog, auditLogPath } from '../../../livebot/auditLog.ts';
import { BotClient } from '../../../livebot/botClient.ts';
import {
  approve,
  checkBotChanges,
  checkConfirmation,
  checkedStatus,
  checkSkillAcknowledged,
  diffAgainstBot,
  halt,
  propose,
  proposals,
  push,
  resume,
  rollback,
  switchOutcomeText,
  type LiveDesk,
} from '../../../livebot/liveDesk.ts';
import { resolveBotSecret } from '../../../livebot/secret.ts';
import { resolveDataDir } from '../../../paths.ts';
import { BotRegistry, botRegistryPath } from '../../../services/live/botRegistry.ts';
import {
  keyValueNumbers,
  listOption,
  numberOption,
  requiredOption,
  stringOption,
  UsageError,
  type ParsedArgs,
} from '../../args.ts';
import { sessionOption } from '../../barsSource.ts';
import type { Command, CommandIO } from '../../command.ts';
import { timeFormatFrom } from '../../format.ts';

/**
 * `regimen live approve | cosign | push | status | rollback | halt | resume | audit`: the workstation's
 * side of a live bot from the command line, every step in the audit trail (live-audit.duckdb in the
 * data directory).
 */
export const ACTOR = { as: { type: 'string' } } as const;
export const BOT = { bot: { type: 'string' } } as const;

/** Opens the audit trail (and, when the command talks to a bot, resolves the shared secret). */
export async function withDesk<T>(
  args: ParsedArgs,
  talksToBot: boolean,
  work: (desk: LiveDesk) => Promise<T>,
): Promise<T> {
  const secret = talksToBot ? await resolveBotSecret() : '';
  const dataDir = resolveDataDir(stringOption(args, 'data-dir'));
  const registry = new BotRegistry(botRegistryPath(dataDir));
  const audit = await AuditLog.open(auditLogPath(dataDir));
  try {
    // The waits the app uses, from live-bots.json in the same data directory.
    return await work({
      audit,
      client: (url) => new BotClient(url, secret, { timeouts: registry.clientTimeouts() }),
    });
  } finally {
    audit.close();
  }
}

export const actor = (args: ParsedArgs): string => stringOption(args, 'as') ?? userInfo().username;

export function print(io: CommandIO, args: ParsedArgs, value: unknown, text: string): void {
  io.out(args.values['json'] ? JSON.stringify(value, null, 2) : text);
}

/** A parameter-set artifact from a JSON file, refused naming the file and the field at fault. */
export function readSetFile(file: string, label = ''): ParameterSet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${label}${file}: ${(error as Error).message}`);
  }
  const result = ParameterSetSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`${label}${file}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  return result.data;
}

function setFromArgs(args: ParsedArgs): ParameterSet {
  const file = stringOption(args, 'set');
  if (file !== undefined) return readSetFile(file, '--set ');
  let definition;
  try {
    // The data folder's own strategies too (loaded before the command), each with its source's hash.
    definition = findStrategy(requiredOption(args, 'strategy'), strategyCatalogue());
  } catch (error) {
    throw new UsageError(`--strategy: ${(error as Error).message}`);
  }
  try {
    return sealParameterSet({
      schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
      strategy: strategyIdentity(definition),
      parameters: keyValueNumbers(listOption(args, 'param'), 'param'),
      limits: {
        maxPositionFraction: numberOption(args, 'max-position', 1),
        maxDailyLoss: numberOption(args, 'max-daily-loss', 0.05),
        maxOrdersPerDay: numberOption(args, 'max-orders', 50),
      },
      provenance: { kind: 'manual', note: requiredOption(args, 'note'), engineVersion: 'regimen' },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Shown before an approval: a learner's set says which learner proposed it and on what skill. */
const basisLine = (set: ParameterSet): string => {
  const basis = learnerBasisText(set.provenance);
  return basis === undefined ? '' : `  from ${basis}\n`;
};

const ACKNOWLEDGE = {
  'acknowledge-unmeasured-skill': { type: 'boolean' },
} as const;

const acknowledged = (args: ParsedArgs): boolean => args.values['acknowledge-unmeasured-skill'] === true;

async function typedConfirmation(args: ParsedArgs, io: CommandIO, expected: string): Promise<string> {
  const given = stringOption(args, 'confirm');
  if (given !== undefined) return given;
  if (!process.stdin.isTTY)
    throw new UsageError(`--confirm is required: type ${expected} (the set's hash) to approve`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(`Type ${expected} to approve: `)).trim();
  } finally {
    prompt.close();
    io.err('');
  }
}

export const liveApproveCommand: Command = {
  usage:
    '--bot URL (--set FILE | --strategy NAME --param name=value...) --note TEXT [--confirm HASH8] [--as NAME]\n' +
    '  [--max-position F] [--max-daily-loss F] [--max-orders N] [--acknowledge-unmeasured-skill]',
  options: {
    ...BOT,
    ...ACTOR,
    ...ACKNOWLEDGE,
    set: { type: 'string' },
    strategy: { type: 'string' },
    param: { type: 'string', multiple: true },
    note: { type: 'string' },
    confirm: { type: 'string' },
    'max-position': { type: 'string' },
    'max-daily-loss': { type: 'string' },
    'max-orders': { type: 'string' },
  },
  run: (args, io) =>
    withDesk(args, true, async (desk) => {
      const bot = requiredOption(args, 'bot');
      const note = requiredOption(args, 'note');
      const set = setFromArgs(args);
      const diff = await diffAgainstBot(desk, bot, set);
      io.err(
        `${set.strategy.name} ${set.hash}\n` +
          basisLine(set) +
          (diff.length === 0
            ? '  no parameter changes\n'
            : diff.map((c) => `  ${c.name}: ${c.from ?? '-'} -> ${c.to ?? '-'}\n`).join('')),
      );
      // Checked before anything is recorded: a mistyped confirmation or a missing acknowledgement leaves
      // no proposal behind.
      checkSkillAcknowledged(set, acknowledged(args));
      const typed = await typedConfirmation(args, io, set.hash.slice(0, 8));
      checkConfirmation(set, typed);
      const proposal = await propose(desk, bot, set, actor(args), `manual: ${note}`);
      await approve(desk, proposal.approvalId, {
        approver: actor(args),
        note,
        typed,
        acknowledgeUnmeasuredSkill: acknowledged(args),
      });
      print(
        io,
        args,
        { approvalId: proposal.approvalId, hash: proposal.set.hash, diff: proposal.diff },
        `Approved: ${proposal.approvalId}`,
      );
      return 0;
    }),
};

export const liveCosignCommand: Command = {
  usage: '--approval ID --note TEXT [--confirm HASH8] [--as NAME] [--acknowledge-unmeasured-skill]',
  options: {
    ...ACTOR,
    ...ACKNOWLEDGE,
    approval: { type: 'string' },
    note: { type: 'string' },
    confirm: { type: 'string' },
  },
  run: (args, io) =>
    withDesk(args, false, async (desk) => {
      const id = requiredOption(args, 'approval');
      const proposal = (await proposals(desk.audit)).find((p) => p.approvalId === id);
      if (proposal === undefined) throw new UsageError(`--approval: no approval ${id} in the audit trail`);
      io.err(
        `${proposal.set.strategy.name} ${proposal.set.hash} for ${proposal.bot}\n${basisLine(proposal.set)}`,
      );
      checkSkillAcknowledged(proposal.set, acknowledged(args));
      const typed = await typedConfirmation(args, io, proposal.confirmation);
      await approve(desk, id, {
        approver: actor(args),
        note: requiredOption(args, 'note'),
        typed,
        acknowledgeUnmeasuredSkill: acknowledged(args),
      });
      print(io, args, { approvalId: id }, `Second approval recorded on ${id}`);
      return 0;
    }),
};

function rampFromArgs(args: ParsedArgs): RampPlan | undefined {
  const raw = stringOption(args, 'ramp');
  if (raw === undefined) return undefined;
  const steps = raw.split(',').map((part) => Number(part) / 100);
  if (steps.some((s) => !Number.isFinite(s)))
    throw new UsageError(`--ramp takes percentages like 10,25,50,100, got "${raw}"`);
  return {
    steps,
    barsPerStep: numberOption(args, 'bars-per-step', 390),
    guardrails: {
      maxDrawdown: numberOption(args, 'max-drawdown', 0.05),
      maxLoss: numberOption(args, 'max-loss', 0.03),
      maxSlippageBps: numberOption(args, 'max-slippage-bps', 25),
    },
  };
}

function choice<T extends string>(args: ParsedArgs, flag: string, choices: readonly T[], fallback?: T): T {
  const raw = stringOption(args, flag) ?? fallback;
  if (raw === undefined || !(choices as readonly string[]).includes(raw))
    throw new UsageError(
      `--${flag} must be one of ${choices.join(', ')}${raw === undefined ? '' : `, got "${raw}"`}`,
    );
  return raw as T;
}

export const livePushCommand: Command = {
  usage:
    '--approval ID [--policy keep|adopt|flatten|no-new-entries-until-flat] [--approvers 1|2] [--as NAME]\n' +
    '  [--ramp 10,25,50,100 --bars-per-step N --max-drawdown F --max-loss F --max-slippage-bps N]',
  options: {
    ...ACTOR,
    approval: { type: 'string' },
    policy: { type: 'string' },
    approvers: { type: 'string' },
    ramp: { type: 'string' },
    'bars-per-step': { type: 'string' },
    'max-drawdown': { type: 'string' },
    'max-loss': { type: 'string' },
    'max-slippage-bps': { type: 'string' },
  },
  run: (args, io) =>
    withDesk(args, true, async (desk) => {
      const started = performance.now();
      const result = await push(desk, requiredOption(args, 'approval'), {
        actor: actor(args),
        policy: choice<PositionPolicy>(args, 'policy', POSITION_POLICIES, 'keep'),
        ramp: rampFromArgs(args),
        approversRequired: numberOption(args, 'approvers', 1),
      });
      const ms = performance.now() - started;
      print(
        io,
        args,
        { ...result, ms },
        `Version ${result.version}: ${result.answer.result} (${ms.toFixed(0)} ms)`,
      );
      return 0;
    }),
};

export const liveStatusCommand: Command = {
  usage:
    '--bot URL [--session regular|extended]\n\n' +
    "--session: the session a bot that reports none is read in (default Settings' session).",
  options: { ...BOT, session: { type: 'string' } },
  run: (args, io) =>
    withDesk(args, true, async (desk) => {
      const bot = requiredOption(args, 'bot');
      const { status, approved } = await checkedStatus(desk, bot);
      const switchOutcome = await switchOutcomeText(desk, bot);
      const version =
        status.active === null ? 'none' : `v${status.active.version} ${status.active.hash.slice(0, 12)}`;
      const session = deskSession(status.session, sessionOption(args));
      const told = deskSessionText(session);
      print(
        io,
        args,
        { ...status, approved, deskSession: session, switchOutcome },
        [
          `${status.symbol} ${status.strategy?.name ?? '-'} active ${version}` +
            (approved === false ? '  NOT THE APPROVED VERSION' : ''),
          `equity ${status.equity.toFixed(2)}  position ${status.positions[0]?.units ?? 0}  bars ${status.barsSeen}`,
          `ramp ${status.ramp === null ? '-' : `${status.ramp.phase} ${(status.ramp.budget * 100).toFixed(0)} %`}` +
            `  halt ${status.halt === null ? '-' : `${status.halt.mode} (${status.halt.reason})`}`,
          `runs ${
            status.strategies
              ?.map((s) => `${s.name} ${s.version}${s.sourceHash ? ` (source ${s.sourceHash})` : ''}`)
              .join(', ') ?? '(strategies not listed)'
          }`,
          ...(told === null ? [] : [told]),
          ...(switchOutcome === null ? [] : [switchOutcome]),
        ].join('\n'),
      );
      return approved === false ? 1 : 0;
    }),
};

export const liveRollbackCommand: Command = {
  usage: '--bot URL --reason TEXT [--as NAME]',
  options: { ...BOT, ...ACTOR, reason: { type: 'string' } },
  run: (args, io) =>
    withDesk(args, true, async (desk) => {
      const result = await rollback(
        desk,
        requiredOption(args, 'bot'),
        actor(args),
        requiredOption(args, 'reason'),
      );
      print(io, args, result, `Rolled back: version ${result.version} ${result.answer.result}`);
      return 0;
    }),
};

export const liveHaltCommand: Command = {
  usage: '--bot URL --mode no-new-entries|reduce-only|flatten --reason TEXT [--as NAME]',
  options: { ...BOT, ...ACTOR, mode: { type: 'string' }, reason: { type: 'string' } },
  run: (args, io) =>
    withDesk(args, true, async (desk) => {
      const mode = choice<HaltMode>(args, 'mode', HALT_MODES);
      const status = await halt(
        desk,
        requiredOption(args, 'bot'),
        actor(args),
        mode,
        requiredOption(args, 'reason'),
      );
      print(io, args, status, `Halted: ${mode}`);
      return 0;
    }),
};

export const liveResumeCommand: Command = {
  usage: '--bot URL --reason TEXT [--as NAME]',
  options: { ...BOT, ...ACTOR, reason: { type: 'string' } },
  run: (args, io) =>
    withDesk(args, true, async (desk) => {
      await resume(desk, requiredOption(args, 'bot'), actor(args), requiredOption(args, 'reason'));
      print(io, args, { halt: null }, 'Resumed');
      return 0;
    }),
};

export const liveAuditCommand: Command = {
  usage: '[--verify [--bot URL]] [--format table|csv|json]',
  options: { verify: { type: 'boolean' }, format: { type: 'string' }, ...BOT },
  run: (args, io) => {
    const bot = stringOption(args, 'bot');
    if (bot !== undefined && !args.values['verify'])
      throw new UsageError('--bot: only with --verify (the audit lists every bot)');
    return withDesk(args, bot !== undefined, async (desk) => {
      const entries = await desk.audit.entries();
      if (args.values['verify']) {
        const verdict = verifyAuditChain(entries);
        const lines = [
          verdict.ok
            ? `Audit chain intact: ${verdict.entries} entries`
            : `AUDIT CHAIN BROKEN at entry ${verdict.seq}: ${verdict.problem}`,
        ];
        // Each state change the bot reports against the entries recorded of it, both ways.
        const changes = bot === undefined ? null : await checkBotChanges(desk, bot);
        if (changes !== null) lines.push(botChangesText(bot!, changes));
        print(io, args, changes === null ? verdict : { chain: verdict, changes }, lines.join('\n'));
        return verdict.ok && (changes?.ok ?? true) ? 0 : 1;
      }
      const format = args.values['json']
        ? 'json'
        : choice(args, 'format', ['table', 'csv', 'json'] as const, 'table');
      if (format === 'json') io.out(JSON.stringify(entries, null, 2));
      else if (format === 'csv') io.out(auditCsv(entries));
      else {
        // In --tz as every table; the CSV and JSON keep the exact instant (ISO UTC, epoch ms).
        const time = timeFormatFrom(args);
        if (entries.length > 0) io.out(`times in ${time.zone}`);
        for (const e of entries)
          io.out(
            `${e.seq}  ${time.dateTime(e.at)}  ${e.kind.padEnd(9)} ${e.actor.padEnd(10)} ` +
              `${e.version === null ? '' : `v${e.version} `}${e.toHash?.slice(0, 12) ?? ''}  ${e.reason}`,
          );
      }
      return 0;
    });
  },
};
