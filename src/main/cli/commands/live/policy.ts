import { readFileSync } from 'node:fs';
import { unmeasuredSkillText } from '../../../../core/live/learnerBasis.ts';
import { ApprovalPolicySchema, type LivePolicyView } from '../../../../shared/liveContract.ts';
import { describeIssues } from '../../../../shared/validation.ts';
import { approvalPolicyOf, setApprovalPolicy } from '../../../livebot/autoApproval.ts';
import {
  keyValueNumbers,
  listOption,
  requiredOption,
  stringOption,
  UsageError,
  type ParsedArgs,
} from '../../args.ts';
import type { Command } from '../../command.ts';
import { timeFormatFrom } from '../../format.ts';
import type { TimeFormat } from '../../../../shared/timeZone.ts';
import { ACTOR, actor, BOT, print, withDesk } from './desk.ts';

/**
 * `regimen live policy set | show`: a bot's auto-approval policy, kept as versions in the audit trail
 * (main/livebot/autoApproval.ts). Set it from flags or from a JSON file shaped like `show --json`'s
 * `policy`; either way it is validated whole before anything is recorded.
 */
function policyFromArgs(args: ParsedArgs): unknown {
  const file = stringOption(args, 'file');
  if (file !== undefined) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--file ${file}: ${(error as Error).message}`);
    }
  }
  const bounds: Record<string, Record<string, number>> = {};
  for (const raw of listOption(args, 'bound')) {
    const match = /^([^=]+)=([^.]*)\.\.(.*)$/.exec(raw);
    const ends =
      match === null ? [] : [match[2], match[3]].map((v) => (v.trim() === '' ? undefined : Number(v)));
    if (match === null || ends.some((v) => v !== undefined && !Number.isFinite(v)))
      throw new UsageError(`--bound expects name=min..max (either end may be left out), got "${raw}"`);
    bounds[match[1].trim()] = {
      ...(ends[0] === undefined ? {} : { min: ends[0] }),
      ...(ends[1] === undefined ? {} : { max: ends[1] }),
    };
  }
  for (const [name, maxStep] of Object.entries(keyValueNumbers(listOption(args, 'step'), 'step')))
    bounds[name] = { ...bounds[name], maxStep };
  const perDay = stringOption(args, 'per-day');
  const confidence = stringOption(args, 'min-confidence');
  return {
    bounds,
    maxChangesPerDay: perDay === undefined ? undefined : Number(perDay),
    ...(confidence === undefined ? {} : { minConfidence: Number(confidence) }),
    ...(args.values['approve-unmeasured-skill'] === true ? { approveUnmeasuredSkill: true } : {}),
  };
}

function describe(view: LivePolicyView, time: TimeFormat): string {
  const { policy } = view;
  const names = Object.entries(policy.bounds);
  if (view.version === 0) return `${view.bot}: no policy (version 0): nothing is approved automatically`;
  return [
    `${view.bot}: policy v${view.version}, set by ${view.setBy} at ${time.dateTime(view.setAt ?? 0)} ${time.zone} (${view.reason})`,
    ...names.map(
      ([name, b]) =>
        `  ${name}: [${b.min ?? '-inf'}, ${b.max ?? 'inf'}]${b.maxStep === undefined ? '' : `, step at most ${b.maxStep}`}`,
    ),
    `  at most ${policy.maxChangesPerDay} change(s) in any 24 h` +
      (policy.minConfidence === undefined ? '' : `, confidence at least ${policy.minConfidence}`),
    `  ${unmeasuredSkillText(policy.approveUnmeasuredSkill === true)}`,
  ].join('\n');
}

export const livePolicySetCommand: Command = {
  usage:
    '--bot URL (--file POLICY.json | --bound name=MIN..MAX... [--step name=N...] --per-day K [--min-confidence C]\n' +
    '  [--approve-unmeasured-skill]) --reason TEXT [--as NAME]',
  options: {
    ...BOT,
    ...ACTOR,
    file: { type: 'string' },
    bound: { type: 'string', multiple: true },
    step: { type: 'string', multiple: true },
    'per-day': { type: 'string' },
    'min-confidence': { type: 'string' },
    'approve-unmeasured-skill': { type: 'boolean' },
    reason: { type: 'string' },
  },
  run: (args, io) => {
    const bot = requiredOption(args, 'bot');
    const reason = requiredOption(args, 'reason');
    const parsed = ApprovalPolicySchema.safeParse(policyFromArgs(args));
    if (!parsed.success) throw new UsageError(`policy: ${describeIssues(parsed.error)}`);
    return withDesk(args, false, async (desk) => {
      const view = await setApprovalPolicy(desk, bot, parsed.data, actor(args), reason);
      print(io, args, view, describe(view, timeFormatFrom(args)));
      return 0;
    });
  },
};

export const livePolicyShowCommand: Command = {
  usage: '--bot URL [--json]',
  options: { ...BOT },
  run: (args, io) =>
    withDesk(args, false, async (desk) => {
      const view = await approvalPolicyOf(desk.audit, requiredOption(args, 'bot'));
      print(io, args, view, describe(view, timeFormatFrom(args)));
      return 0;
    }),
};
