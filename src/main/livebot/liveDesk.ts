import { canonicalJson } from '../../core/live/canonical.ts';
import { learnerBasisText, skillUnmeasured } from '../../core/live/learnerBasis.ts';
import {
  diffParameterSets,
  verifyParameterSet,
  type ParameterChange,
  type ParameterSet,
} from '../../core/live/parameterSet.ts';
import { strategyMismatch } from '../../core/live/strategyMatch.ts';
import type { BotStateChange, HaltMode, PositionPolicy } from '../../core/live/modes.ts';
import type { RampPlan } from '../../core/live/ramp.ts';
import {
  botChangeBody,
  matchBotChanges,
  recordedBotChange,
  type AuditEntry,
  type BotChangeMatch,
} from '../../core/live/audit.ts';
import type { PolicyCheck, UnknownRunningSet } from '../../core/live/approvalPolicy.ts';
import { runsApprovedVersion } from '../../core/live/alarms.ts';
import type { ApplyResponse, BotStatus } from '../../shared/botProtocol.ts';
import { InputError } from '../../shared/errors.ts';
import type { AuditLog } from './auditLog.ts';
import { BotRequestError, BotUnreachableError, type BotClient } from './botClient.ts';

/**
 * The workstation's live desk: approve a set (diff, typed confirmation, note, optional second approver),
 * push it (never without an approval record), roll back, halt, and write each step to the audit trail
 * before and after it reaches the bot. Used by `regimen live ...`.
 */
export interface LiveDesk {
  readonly audit: AuditLog;
  readonly client: (bot: string) => BotClient;
  readonly now?: () => number;
}

export interface Proposal {
  readonly approvalId: string;
  readonly set: ParameterSet;
  readonly diff: readonly ParameterChange[];
  /** What the approver must type: the first 8 hex digits of the set's hash. */
  readonly confirmation: string;
}

/** What the auto-approval policy said of a recommendation (absent on a person's own proposal). */
export interface PolicyOutcome {
  readonly version: number;
  readonly approved: boolean;
  readonly checks: readonly PolicyCheck[];
}

interface ProposalDetail {
  readonly approvalId: string;
  readonly set: ParameterSet;
  readonly diff: readonly ParameterChange[];
  readonly policy?: PolicyOutcome;
}

/** What a push entry records besides its version and hashes. */
interface PushDetail {
  readonly approvalId: string;
  readonly changeId: string;
  readonly policy: PositionPolicy;
  readonly ramp: RampPlan | null;
}

export const now = (desk: LiveDesk): number => (desk.now ?? Date.now)();

/**
 * Records a proposal: the set, and what approving it would change over the set the bot runs now (when
 * the audit knows it). `reason` says where it came from ("study s1 trial 12", "manual: ..."). Nothing
 * reaches the bot until it has an approval.
 */
export async function propose(
  desk: LiveDesk,
  bot: string,
  set: ParameterSet,
  proposer: string,
  reason: string,
): Promise<Proposal> {
  checkSetHash(set);
  return recordProposal(desk, bot, set, proposer, reason, await diffAgainstBot(desk, bot, set));
}

export function checkSetHash(set: ParameterSet): void {
  if (!verifyParameterSet(set))
    throw new InputError(`set ${set.hash}: its hash does not match its content`, 'set');
}

/** Writes the proposal entry (with the policy's verdict when a policy judged it). */
export async function recordProposal(
  desk: LiveDesk,
  bot: string,
  set: ParameterSet,
  proposer: string,
  reason: string,
  diff: readonly ParameterChange[],
  policy?: PolicyOutcome,
): Promise<Proposal> {
  const approvalId = `apr-${now(desk).toString(36)}-${set.hash.slice(0, 8)}`;
  const detail: ProposalDetail =
    policy === undefined ? { approvalId, set, diff } : { approvalId, set, diff, policy };
  await desk.audit.append({
    ...entryBase(desk, 'proposal', proposer, bot),
    toHash: set.hash,
    reason,
    detail: canonicalJson(detail),
  });
  return { approvalId, set, diff, confirmation: confirmationOf(set) };
}

/** What pushing `set` would change on the bot now (the audit knows the sets it pushed). */
export async function diffAgainstBot(
  desk: LiveDesk,
  bot: string,
  set: ParameterSet,
): Promise<ParameterChange[]> {
  return diffParameterSets(await activeSet(desk, bot), set);
}

/** The set the bot runs now, as the audit recorded it (undefined: none, or one the audit never saw). */
export async function activeSet(desk: LiveDesk, bot: string): Promise<ParameterSet | undefined> {
  const running = await runningSet(desk, bot);
  return running === undefined || 'unknownHash' in running ? undefined : running;
}

/** The set the bot runs now: none, the audit's record of it, or the hash of one the audit never saw. */
export async function runningSet(
  desk: LiveDesk,
  bot: string,
): Promise<ParameterSet | UnknownRunningSet | undefined> {
  const status = await desk.client(bot).status();
  if (status.active === null) return undefined;
  return (await setByHash(desk.audit, status.active.hash)) ?? { unknownHash: status.active.hash };
}

const confirmationOf = (set: ParameterSet): string => set.hash.slice(0, 8);

/** Refuses unless `typed` is the set's confirmation (the first 8 hex digits of its hash). */
export function checkConfirmation(set: ParameterSet, typed: string): void {
  const confirmation = confirmationOf(set);
  if (typed !== confirmation)
    throw new InputError(
      `confirmation "${typed}" does not match: type ${confirmation} (the set's hash) to approve`,
      'confirm',
    );
}

/** What an approver acknowledges in an approval of a set whose learner's skill is not measured. */
export const SKILL_ACKNOWLEDGEMENT = "approved on confidence alone: the learner's skill is not measured";

/**
 * Refuses a set whose learner's skill is not measured unless the approver acknowledged it: the typed hash
 * proves which set was approved, and this that the approver knew the switch rests on confidence alone.
 */
export function checkSkillAcknowledged(set: ParameterSet, acknowledged: boolean | undefined): void {
  if (skillUnmeasured(set) && acknowledged !== true)
    throw new InputError(
      `set ${set.hash.slice(0, 8)} comes from ${learnerBasisText(set.provenance)}: approving it needs an ` +
        'explicit acknowledgement that it rests on confidence alone',
      'acknowledgeUnmeasuredSkill',
    );
}

/**
 * An approval of a recorded proposal: refused unless `typed` is its confirmation (the first 8 hex digits
 * of the set's hash), the note says why and, for a learner's set whose skill is not measured, the
 * approver acknowledged that (recorded with the approval). A second, different approver approves the
 * same way.
 */
export async function approve(
  desk: LiveDesk,
  approvalId: string,
  approval: { approver: string; note: string; typed: string; acknowledgeUnmeasuredSkill?: boolean },
): Promise<AuditEntry> {
  const { proposal, set, approvers } = await approvalRecord(desk.audit, approvalId);
  checkConfirmation(set, approval.typed);
  if (approval.note.trim() === '') throw new InputError('an approval needs a note saying why', 'note');
  checkSkillAcknowledged(set, approval.acknowledgeUnmeasuredSkill);
  if (approvers.includes(approval.approver))
    throw new InputError(
      `${approval.approver} already approved ${approvalId}: a second approver must be someone else`,
      'approver',
    );
  const acknowledged = skillUnmeasured(set);
  return desk.audit.append({
    ...entryBase(desk, 'approval', approval.approver, proposal.bot),
    toHash: set.hash,
    // The acknowledgement in the reason too: it is what the audit's lists and exports show of an entry.
    reason: `manual: ${approval.note}${acknowledged ? ` (${SKILL_ACKNOWLEDGEMENT})` : ''}`,
    detail: canonicalJson(
      acknowledged ? { approvalId, acknowledged: SKILL_ACKNOWLEDGEMENT } : { approvalId },
    ),
  });
}

export interface PushOptions {
  readonly actor: string;
  readonly policy: PositionPolicy;
  readonly ramp?: RampPlan;
  /** Distinct approvers the approval must have (1, or 2 with a second approver). */
  readonly approversRequired: number;
  readonly kind?: 'push' | 'rollback';
  readonly reason?: string;
}

export interface PushResult {
  readonly version: number;
  readonly answer: ApplyResponse;
}

/** Sends an approved set as the bot's next version, recording the push before and the ack after. */
export async function push(desk: LiveDesk, approvalId: string, options: PushOptions): Promise<PushResult> {
  const { proposal, approvers, set, approvals } = await approvalRecord(desk.audit, approvalId);
  const firstApproval = approvals[0];
  if (firstApproval === undefined || approvers.length < options.approversRequired)
    throw new InputError(
      `${approvalId} has ${approvers.length} approver(s) (${approvers.join(', ')}); ${options.approversRequired} are required`,
      'approval',
    );
  const bot = proposal.bot;
  const client = desk.client(bot);
  const status = await client.status();
  await settleUnknown(desk, bot, status);
  // Pushed again after the bot did not answer, and it turns out to have taken it: not sent twice.
  const repeat = await silentlyApplied(desk, bot, status, (p) => p.approvalId === approvalId);
  if (repeat !== undefined) return repeat;
  // A bot that lists its strategies is told nothing it could not run (it would refuse it anyway).
  const lacking = status.strategies && strategyMismatch(set.strategy, status.strategies, `bot ${bot}`);
  if (lacking) throw new InputError(`${lacking}; nothing was sent`, 'approval');
  // A bot ramps from the set it runs (and rolls back to it): on a bot running none it would drop the
  // ramp and trade the new set at full size at once, which is not what was asked for.
  if (options.ramp !== undefined && status.active === null)
    throw new InputError(
      `bot ${bot} runs no set yet, so there is nothing to ramp from or roll back to: push its first set without a ramp; nothing was sent`,
      'ramp',
    );
  const pushed = await desk.audit.of('push', bot);
  const version = Math.max(status.acceptedVersion, ...pushed.map((e) => e.version ?? 0)) + 1;
  const changeId = `${approvalId}-v${version}`;
  await desk.audit.append({
    ...entryBase(desk, options.kind ?? 'push', options.actor, bot),
    fromHash: status.active?.hash ?? null,
    toHash: set.hash,
    version,
    reason: options.reason ?? `approved by ${approvers.join(' and ')}`,
    detail: canonicalJson({
      approvalId,
      changeId,
      policy: options.policy,
      ramp: options.ramp ?? null,
    } satisfies PushDetail),
  });
  if (options.kind === 'rollback') {
    // The rollback is recorded above; its delivery is an ordinary push, recorded as one.
    await desk.audit.append({
      ...entryBase(desk, 'push', options.actor, bot),
      fromHash: status.active?.hash ?? null,
      toHash: set.hash,
      version,
      reason: `rollback: ${options.reason ?? ''}`,
      detail: canonicalJson({
        approvalId,
        changeId,
        policy: options.policy,
        ramp: null,
      } satisfies PushDetail),
    });
  }
  const note = firstApproval.reason.replace(/^manual: /, '');
  let answer: ApplyResponse;
  try {
    answer = await client.apply({
      changeId,
      version,
      set,
      policy: options.policy,
      ...(options.ramp === undefined ? {} : { ramp: { ...options.ramp, steps: [...options.ramp.steps] } }),
      approval: {
        id: approvalId,
        approvedBy: approvers.slice(0, 2),
        at: firstApproval.at,
        note: note.slice(0, 2000),
      },
    });
  } catch (error) {
    if (error instanceof BotUnreachableError && error.mayHaveArrived) {
      // It may have been applied or not: recorded as neither, and settled by the bot's status at the
      // desk's next look at it (settleUnknownPushes).
      const unknown = `${error.message}; whether it took version ${version} is not known until the desk next reads its status`;
      await desk.audit.append({
        ...entryBase(desk, 'ack', 'bot', bot),
        toHash: set.hash,
        version,
        reason: `unknown: ${unknown}`,
        detail: canonicalJson({ changeId, result: 'unknown' } satisfies AckDetail),
      });
      throw new BotUnreachableError(unknown, true);
    }
    const refusal =
      error instanceof BotRequestError ? `${error.code}: ${error.message}` : (error as Error).message;
    await desk.audit.append({
      ...entryBase(desk, 'ack', 'bot', bot),
      toHash: set.hash,
      version,
      reason: `refused: ${refusal}`,
      detail: canonicalJson({ changeId, result: 'refused' } satisfies AckDetail),
    });
    throw error;
  }
  await desk.audit.append({
    ...entryBase(desk, 'ack', 'bot', bot),
    toHash: set.hash,
    version,
    reason: answer.result,
    detail: canonicalJson({ changeId, result: answer.result } satisfies AckDetail),
  });
  return { version, answer };
}

/** One action back to the last good version: the set acknowledged before the one the bot runs now. */
export async function rollback(
  desk: LiveDesk,
  bot: string,
  actor: string,
  reason: string,
): Promise<PushResult> {
  const status = await desk.client(bot).status();
  await settleUnknown(desk, bot, status);
  // A rollback the bot did not answer and turns out to have taken is not sent again (nor one further back).
  const rollbacks = new Set(
    (await desk.audit.of('rollback', bot)).map((e) => (JSON.parse(e.detail) as PushDetail).changeId),
  );
  const repeat = await silentlyApplied(desk, bot, status, (p) => rollbacks.has(p.changeId));
  if (repeat !== undefined) return repeat;
  if (status.active === null) throw new InputError(`${bot} runs no set: nothing to roll back`, 'bot');
  const acked = (await desk.audit.of('ack', bot)).filter((e) => acceptedAck(e) && e.toHash !== null);
  const previous = [...acked].reverse().find((e) => e.toHash !== status.active!.hash);
  if (previous === undefined)
    throw new InputError(`no earlier good version of ${bot} in the audit trail`, 'bot');
  const proposals = await desk.audit.of('proposal', bot);
  const proposal = [...proposals].reverse().find((e) => e.toHash === previous.toHash)!;
  const { approvalId } = JSON.parse(proposal.detail) as ProposalDetail;
  return push(desk, approvalId, { actor, policy: 'keep', approversRequired: 1, kind: 'rollback', reason });
}

/**
 * Halts the bot: recorded before it is sent. Its status is read first, which settles what an unanswered
 * push, halt or resume did, and a bot already halted in this mode (a halt whose answer was lost, say) is
 * not sent it again: the request is recorded as not sent. A status that cannot be read does not hold a
 * halt back.
 */
export async function halt(
  desk: LiveDesk,
  bot: string,
  actor: string,
  mode: HaltMode,
  reason: string,
): Promise<BotStatus> {
  const client = desk.client(bot);
  const status = await client.status().catch(() => null);
  if (status !== null) {
    await settleUnknown(desk, bot, status);
    if (status.halt?.mode === mode) {
      await desk.audit.append({
        ...entryBase(desk, 'halt', actor, bot),
        reason: `manual: ${reason} (not sent: the bot is already halted, ${mode}: ${status.halt.reason})`,
        detail: canonicalJson({ mode, result: 'duplicate' } satisfies SwitchDetail),
      });
      return status;
    }
  }
  return sendSwitch(desk, bot, 'halt', actor, reason, { mode }, () => client.halt(mode, reason));
}

/** Resumes a halted bot, recorded before it is sent; its status is read first, as for a halt. */
export async function resume(desk: LiveDesk, bot: string, actor: string, reason: string): Promise<BotStatus> {
  const client = desk.client(bot);
  const status = await client.status().catch(() => null);
  if (status !== null) await settleUnknown(desk, bot, status);
  return sendSwitch(desk, bot, 'resume', actor, reason, {}, () => client.resume(reason));
}

/**
 * What a halt or resume entry records: the request ({mode} for a halt), or, from the bot, what became of
 * a request it did not answer (`request` is that entry's seq): unknown when it was given up on; then, at
 * the next status read (`settled`), applied, not applied, or superseded (another was sent before a status
 * could tell). `duplicate`: a halt not sent, the bot being halted so already.
 */
interface SwitchDetail {
  readonly mode?: HaltMode;
  readonly request?: number;
  readonly result?: 'unknown' | 'applied' | 'not-applied' | 'superseded' | 'duplicate';
  readonly settled?: 'status';
}

const switchDetail = (entry: AuditEntry): SwitchDetail => JSON.parse(entry.detail) as SwitchDetail;

/** Sends a halt or resume recorded first; one the bot may have received but did not answer is recorded as unknown. */
async function sendSwitch(
  desk: LiveDesk,
  bot: string,
  kind: 'halt' | 'resume',
  actor: string,
  reason: string,
  detail: { readonly mode?: HaltMode },
  send: () => Promise<BotStatus>,
): Promise<BotStatus> {
  const request = await desk.audit.append({
    ...entryBase(desk, kind, actor, bot),
    reason: `manual: ${reason}`,
    detail: canonicalJson(detail),
  });
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof BotUnreachableError && error.mayHaveArrived)) throw error;
    // It may have halted (resumed) or not: recorded as neither, and settled by the bot's status at the
    // desk's next look at it (settleUnknownSwitches).
    const what = kind === 'halt' ? `halted (${detail.mode})` : 'resumed';
    const unknown = `${error.message}; whether it ${what} is not known until the desk next reads its status`;
    await desk.audit.append({
      ...entryBase(desk, kind, 'bot', bot),
      reason: `unknown: ${unknown}`,
      detail: canonicalJson({ ...detail, request: request.seq, result: 'unknown' } satisfies SwitchDetail),
    });
    throw new BotUnreachableError(unknown, true);
  }
}

/**
 * Settles each halt and resume of `bot` that the bot did not answer by what `status`, read after it,
 * shows: halted in that mode (for a resume: not halted) -> applied, else not applied; one followed by
 * another request before any status was read -> superseded, as its status cannot tell. One entry each,
 * from the bot, naming the status read.
 */
export async function settleUnknownSwitches(desk: LiveDesk, bot: string, status: BotStatus): Promise<number> {
  const entries = (await desk.audit.entries()).filter(
    (e) => e.bot === bot && (e.kind === 'halt' || e.kind === 'resume'),
  );
  const requests = entries.filter((e) => switchDetail(e).request === undefined);
  const lastRequest = requests.at(-1);
  const outcome = new Map<number, AuditEntry>();
  for (const e of entries) {
    const { request } = switchDetail(e);
    if (request !== undefined) outcome.set(request, e);
  }
  let settled = 0;
  for (const [seq, last] of outcome) {
    const detail = switchDetail(last);
    if (detail.result !== 'unknown') continue;
    const halting = last.kind === 'halt';
    const named = halting ? `the halt (${detail.mode})` : 'the resume';
    const now =
      status.halt === null ? 'it is not halted' : `it is halted (${status.halt.mode}: ${status.halt.reason})`;
    const took = halting ? status.halt?.mode === detail.mode : status.halt === null;
    const [result, reason]: [SwitchDetail['result'], string] =
      seq !== lastRequest?.seq
        ? [
            'superseded',
            `not known: the bot did not answer ${named}, and another was sent before its status was read; ${now}`,
          ]
        : took
          ? [
              'applied',
              `${halting ? 'halted' : 'resumed'}: the bot did not answer ${named}, and its status shows it took it (${now})`,
            ]
          : [
              'not-applied',
              `not ${halting ? 'halted' : 'resumed'}: the bot did not answer ${named}, and its status shows it did not take it (${now}); send it again`,
            ];
    await desk.audit.append({
      ...entryBase(desk, last.kind, 'bot', bot),
      reason,
      detail: canonicalJson({
        ...(detail.mode === undefined ? {} : { mode: detail.mode }),
        request: seq,
        result,
        settled: 'status',
      } satisfies SwitchDetail),
    });
    settled++;
  }
  return settled;
}

/**
 * What the desk knows of the last halt or resume it sent without an answer, in one sentence (null when
 * the last was answered): that it waits for the next status read, or what that read showed.
 */
export async function switchOutcomeText(desk: LiveDesk, bot: string): Promise<string | null> {
  const last = (await desk.audit.entries())
    .filter((e) => e.bot === bot && (e.kind === 'halt' || e.kind === 'resume'))
    .at(-1);
  if (last === undefined || switchDetail(last).request === undefined) return null;
  return `${last.reason.charAt(0).toUpperCase()}${last.reason.slice(1)}.`;
}

/** Settles every push, halt and resume the bot did not answer, by its status read just now. */
export async function settleUnknown(desk: LiveDesk, bot: string, status: BotStatus): Promise<void> {
  await settleUnknownPushes(desk, bot, status);
  await settleUnknownSwitches(desk, bot, status);
}

/**
 * The bot stopped its own entries for the day (its daily-loss limit): recorded once, as the bot's halt,
 * however often the workstation sees it.
 */
export async function recordDailyLoss(
  desk: LiveDesk,
  bot: string,
  stop: NonNullable<BotStatus['dailyLoss']>,
): Promise<boolean> {
  const detail = canonicalJson({ mode: 'no-new-entries', until: 'next-day', day: stop.day, at: stop.at });
  if ((await desk.audit.of('halt', bot)).some((e) => e.detail === detail)) return false;
  await desk.audit.append({
    ...entryBase(desk, 'halt', 'bot', bot),
    reason: `daily loss limit: ${stop.reason}`,
    detail,
  });
  return true;
}

/**
 * The bot's own state changes (ramp steps, completion, guardrail rollbacks, its heartbeat halts), each
 * recorded once however often it is reported: keyed on the bot's id of it (change id, kind, step), which
 * outlives restarts of the bot and of the workstation. Answers how many were new.
 */
export async function recordBotChanges(
  desk: LiveDesk,
  bot: string,
  changes: readonly BotStateChange[],
): Promise<number> {
  if (changes.length === 0) return 0;
  const recorded = new Set<string>();
  for (const entry of await desk.audit.entries())
    if (entry.bot === bot) {
      const change = recordedBotChange(entry);
      if (change !== undefined) recorded.add(change.id);
    }
  let added = 0;
  for (const change of changes) {
    if (recorded.has(change.id)) continue;
    await desk.audit.append({ ...entryBase(desk, 'ramp-step', 'bot', bot), ...botChangeBody(bot, change) });
    recorded.add(change.id);
    added++;
  }
  return added;
}

/** Each state change the bot reports now against the trail's entries of it, both ways (issue 13 item 9). */
export async function checkBotChanges(desk: LiveDesk, bot: string): Promise<BotChangeMatch> {
  const changes = (await desk.client(bot).status()).changes ?? [];
  return matchBotChanges(bot, changes, await desk.audit.entries());
}

/** The bot's status, and whether what it runs is the last set pushed to it with an approval. */
export async function checkedStatus(
  desk: LiveDesk,
  bot: string,
): Promise<{ status: BotStatus; approved: boolean | null }> {
  const status = await desk.client(bot).status();
  await settleUnknown(desk, bot, status);
  return { status, approved: runsApprovedVersion(status, lastApprovedHash(await desk.audit.of('ack', bot))) };
}

/** The set the bot last acknowledged as accepted: what it must be running. */
export function lastApprovedHash(acks: readonly AuditEntry[]): string | null {
  return acks.filter(acceptedAck).at(-1)?.toHash ?? null;
}

/**
 * What an ack records of the bot's answer to a push: accepted, duplicate or refused as it answered;
 * unknown when it did not answer after the request may have reached it; and what the bot's status
 * later showed of such a push (`settled`): accepted, not-applied, or superseded (a later version
 * accepted since, so its status cannot tell).
 */
interface AckDetail {
  readonly changeId: string;
  readonly result: 'accepted' | 'duplicate' | 'refused' | 'unknown' | 'not-applied' | 'superseded';
  readonly settled?: 'status';
}

const ackDetail = (entry: AuditEntry): AckDetail => JSON.parse(entry.detail) as AckDetail;

/**
 * An ack of a set the bot took: it answered "accepted", or its status showed it had taken a push it did
 * not answer. Read from the detail, so an ack's reason can say how it was known.
 */
export function acceptedAck(entry: AuditEntry): boolean {
  return entry.kind === 'ack' && ackDetail(entry).result === 'accepted';
}

/**
 * Settles each push of `bot` whose outcome is unknown (the bot did not answer it) by what `status`, read
 * after it, shows: the bot runs it, holds it for its next bar, or accepted exactly its version (and has
 * since rolled it back itself) -> accepted; its accepted version is still below it -> not applied; it has
 * accepted a later version since -> superseded, not known. One ack each, naming the status read. A push
 * settled as not applied that a later status shows the bot running was taken late: accepted, in one more.
 */
export async function settleUnknownPushes(desk: LiveDesk, bot: string, status: BotStatus): Promise<number> {
  const last = new Map<string, AuditEntry>();
  for (const ack of await desk.audit.of('ack', bot)) last.set(ackDetail(ack).changeId, ack);
  let settled = 0;
  for (const [changeId, ack] of last) {
    if (ack.version === null) continue;
    const version = ack.version;
    const runs =
      status.active === null
        ? 'none'
        : `version ${status.active.version} (${status.active.hash.slice(0, 12)})`;
    const runsIt = status.active?.changeId === changeId || status.pending?.changeId === changeId;
    const where =
      status.active?.changeId === changeId
        ? 'it runs it'
        : status.pending?.changeId === changeId
          ? 'it takes over at its next bar'
          : `it runs ${runs} now`;
    if (ackDetail(ack).result === 'not-applied' && runsIt) {
      // Taken after a status had shown it was not (a request held up on the way): the record says so in
      // a new entry, and the "not applied" stays as what that status showed.
      await desk.audit.append({
        ...entryBase(desk, 'ack', 'bot', bot),
        toHash: ack.toHash,
        version,
        reason: `accepted late: the bot took version ${version} after a status read had shown it had not (${where})`,
        detail: canonicalJson({ changeId, result: 'accepted', settled: 'status' } satisfies AckDetail),
      });
      settled++;
      continue;
    }
    if (ackDetail(ack).result !== 'unknown') continue;
    const [result, reason]: [AckDetail['result'], string] =
      runsIt || status.acceptedVersion === version
        ? [
            'accepted',
            `accepted: the bot did not answer the push, and its status shows it took version ${version} (${where})`,
          ]
        : status.acceptedVersion < version
          ? [
              'not-applied',
              `not applied: the bot did not answer the push, and its status shows it never took version ${version} (it runs ${runs}); push again to send it`,
            ]
          : [
              'superseded',
              `not known: the bot did not answer the push of version ${version} and has since accepted version ${status.acceptedVersion}; its status cannot tell whether it took ${version}`,
            ];
    await desk.audit.append({
      ...entryBase(desk, 'ack', 'bot', bot),
      toHash: ack.toHash,
      version,
      reason,
      detail: canonicalJson({ changeId, result, settled: 'status' } satisfies AckDetail),
    });
    settled++;
  }
  return settled;
}

/**
 * The push the bot did not answer and turned out to have taken, when it is what the desk is asked to
 * send again: the bot's last ack settles it as accepted, `matches` its push entry, and the bot runs it or
 * takes it at its next bar. Recorded as a duplicate (so a later, deliberate request sends anew) and
 * answered as the bot answers a push it already holds.
 */
async function silentlyApplied(
  desk: LiveDesk,
  bot: string,
  status: BotStatus,
  matches: (push: PushDetail) => boolean,
): Promise<PushResult | undefined> {
  const last = (await desk.audit.of('ack', bot)).at(-1);
  if (last === undefined || last.version === null) return undefined;
  const detail = ackDetail(last);
  if (detail.result !== 'accepted' || detail.settled !== 'status') return undefined;
  const pushed = (await desk.audit.of('push', bot)).find(
    (e) => (JSON.parse(e.detail) as PushDetail).changeId === detail.changeId,
  );
  if (pushed === undefined || !matches(JSON.parse(pushed.detail) as PushDetail)) return undefined;
  if (![status.active, status.pending].some((v) => v?.changeId === detail.changeId)) return undefined;
  const version = last.version;
  await desk.audit.append({
    ...entryBase(desk, 'ack', 'bot', bot),
    toHash: last.toHash,
    version,
    reason: `duplicate: the bot already took version ${version} though it did not answer its push; not sent again`,
    detail: canonicalJson({ changeId: detail.changeId, result: 'duplicate' } satisfies AckDetail),
  });
  return { version, answer: { result: 'duplicate', version, effective: 'next-bar' } };
}

/** A recorded proposal, its approvers and the version it was pushed as (null: not pushed yet). */
export interface ProposalRecord extends Proposal {
  readonly bot: string;
  readonly proposer: string;
  readonly proposedAt: number;
  readonly reason: string;
  readonly approvers: readonly string[];
  readonly pushedVersion: number | null;
  readonly policy: PolicyOutcome | null;
}

/** Every proposal in the audit trail (for one bot), newest first. */
export async function proposals(audit: AuditLog, bot?: string): Promise<ProposalRecord[]> {
  const entries = await audit.entries();
  const approversOf = new Map<string, string[]>();
  const pushedOf = new Map<string, number>();
  for (const e of entries) {
    const detail = JSON.parse(e.detail) as { approvalId?: string };
    if (detail.approvalId === undefined) continue;
    if (e.kind === 'approval') {
      const list = approversOf.get(detail.approvalId) ?? [];
      if (!list.includes(e.actor)) list.push(e.actor);
      approversOf.set(detail.approvalId, list);
    } else if (e.kind === 'push' && e.version !== null) pushedOf.set(detail.approvalId, e.version);
  }
  return entries
    .filter((e) => e.kind === 'proposal' && (bot === undefined || e.bot === bot))
    .reverse()
    .map((e) => {
      const { approvalId, set, diff, policy } = JSON.parse(e.detail) as ProposalDetail;
      return {
        approvalId,
        set,
        diff,
        confirmation: confirmationOf(set),
        bot: e.bot,
        proposer: e.actor,
        proposedAt: e.at,
        reason: e.reason,
        approvers: approversOf.get(approvalId) ?? [],
        pushedVersion: pushedOf.get(approvalId) ?? null,
        policy: policy ?? null,
      };
    });
}

/** The sets the bot acknowledged, by version: what a shadow backtest replays. */
export async function acknowledgedSets(
  audit: AuditLog,
  bot: string,
): Promise<{ sets: Map<number, ParameterSet>; policies: Map<number, PositionPolicy> }> {
  const sets = new Map<number, ParameterSet>();
  const policies = new Map<number, PositionPolicy>();
  const byHash = new Map<string, ParameterSet>();
  for (const e of await audit.of('proposal', bot)) {
    const { set } = JSON.parse(e.detail) as ProposalDetail;
    byHash.set(set.hash, set);
  }
  for (const e of await audit.of('push', bot)) {
    if (e.version !== null) policies.set(e.version, (JSON.parse(e.detail) as PushDetail).policy);
  }
  for (const e of await audit.of('ack', bot)) {
    const set = e.toHash === null ? undefined : byHash.get(e.toHash);
    if (acceptedAck(e) && e.version !== null && set !== undefined) sets.set(e.version, set);
  }
  return { sets, policies };
}

export function entryBase(desk: LiveDesk, kind: AuditEntry['kind'], actor: string, bot: string) {
  return { at: now(desk), kind, actor, bot, fromHash: null, toHash: null, version: null };
}

async function setByHash(audit: AuditLog, hash: string): Promise<ParameterSet | undefined> {
  const proposal = (await audit.of('proposal')).reverse().find((e) => e.toHash === hash);
  return proposal === undefined ? undefined : (JSON.parse(proposal.detail) as ProposalDetail).set;
}

async function approvalRecord(
  audit: AuditLog,
  approvalId: string,
): Promise<{ proposal: AuditEntry; set: ParameterSet; approvers: string[]; approvals: AuditEntry[] }> {
  const entries = await audit.entries();
  const proposal = entries.find(
    (e) => e.kind === 'proposal' && (JSON.parse(e.detail) as ProposalDetail).approvalId === approvalId,
  );
  if (proposal === undefined)
    throw new InputError(`no approval ${approvalId} in the audit trail`, 'approval');
  const approvals = entries.filter(
    (e) =>
      e.kind === 'approval' && (JSON.parse(e.detail) as { approvalId?: string }).approvalId === approvalId,
  );
  const { set } = JSON.parse(proposal.detail) as ProposalDetail;
  return { proposal, set, approvers: [...new Set(approvals.map((e) => e.actor))], approvals };
}
