import { sha256Hex } from '../math/sha256.ts';
import { canonicalJson } from './canonical.ts';
import type { BotStateChange } from './modes.ts';

/**
 * The live audit trail: every proposal, approval, push, ack, ramp step, rollback, halt and resume, and
 * each new version of a bot's auto-approval policy, one entry each, append-only and hash-chained. An entry's hash covers its content and the previous entry's
 * hash, so editing, deleting or reordering any stored entry breaks every hash after it: verifying the
 * chain names the first entry that no longer fits.
 */
export const AUDIT_KINDS = [
  'proposal',
  'approval',
  'push',
  'ack',
  'ramp-step',
  'rollback',
  'halt',
  'resume',
  'policy',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditBody {
  readonly at: number;
  readonly kind: AuditKind;
  /** Who: a person's name, or "bot" / "policy" for what they did on their own. */
  readonly actor: string;
  /** The bot's URL (or "-" for what concerns no bot yet). */
  readonly bot: string;
  readonly fromHash: string | null;
  readonly toHash: string | null;
  readonly version: number | null;
  /** Why: "manual: <note>", or what a policy or guardrail saw. */
  readonly reason: string;
  /** Everything else, as canonical JSON (the set, the diff, the approvers, the bot's answer). */
  readonly detail: string;
}

export interface AuditEntry extends AuditBody {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export const AUDIT_GENESIS = '0'.repeat(64);

function entryHash(seq: number, prevHash: string, body: AuditBody): string {
  const { at, kind, actor, bot, fromHash, toHash, version, reason, detail } = body;
  return sha256Hex(
    canonicalJson({ seq, prevHash, at, kind, actor, bot, fromHash, toHash, version, reason, detail }),
  );
}

/** The entry that follows `previous` (undefined: the first). */
export function chainAuditEntry(previous: AuditEntry | undefined, body: AuditBody): AuditEntry {
  const seq = previous === undefined ? 1 : previous.seq + 1;
  const prevHash = previous?.hash ?? AUDIT_GENESIS;
  return { ...body, seq, prevHash, hash: entryHash(seq, prevHash, body) };
}

export type AuditVerdict =
  | { readonly ok: true; readonly entries: number }
  | { readonly ok: false; readonly seq: number; readonly problem: string };

/** Checks the whole chain in order; the verdict names the first entry that was edited or misplaced. */
export function verifyAuditChain(entries: readonly AuditEntry[]): AuditVerdict {
  let prevHash = AUDIT_GENESIS;
  for (let k = 0; k < entries.length; k++) {
    const entry = entries[k];
    if (entry.seq !== k + 1)
      return {
        ok: false,
        seq: entry.seq,
        problem: `entry ${k + 1} has seq ${entry.seq} (deleted or reordered)`,
      };
    if (entry.prevHash !== prevHash)
      return { ok: false, seq: entry.seq, problem: `entry ${entry.seq} does not follow entry ${k}'s hash` };
    if (entryHash(entry.seq, entry.prevHash, entry) !== entry.hash)
      return { ok: false, seq: entry.seq, problem: `entry ${entry.seq} was edited: its hash does not match` };
    prevHash = entry.hash;
  }
  return { ok: true, entries: entries.length };
}

const CSV_COLUMNS = [
  'seq',
  'at',
  'kind',
  'actor',
  'bot',
  'fromHash',
  'toHash',
  'version',
  'reason',
  'detail',
  'prevHash',
  'hash',
] as const;

/** RFC 4180 CSV, one row per entry, ISO times. */
export function auditCsv(entries: readonly AuditEntry[]): string {
  const cell = (value: unknown): string => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const rows = entries.map((entry) =>
    CSV_COLUMNS.map((column) =>
      cell(column === 'at' ? new Date(entry.at).toISOString() : entry[column]),
    ).join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** A match in words: the one line when it holds, else a line per change at fault. */
export function botChangesText(bot: string, match: BotChangeMatch): string {
  const older = match.older > 0 ? ` (${match.older} older than the bot still reports, not checked)` : '';
  if (match.ok)
    return `${bot}: each of its ${match.matched} reported state changes has exactly one entry${older}`;
  const problems = [
    ...match.missing.map((id) => `${id}: reported by the bot, not in the audit`),
    ...match.repeated.map((id) => `${id}: in the audit more than once`),
    ...match.unreported.map((id) => `${id}: in the audit, not reported by the bot`),
  ];
  return `${bot}: STATE CHANGES DO NOT MATCH THE AUDIT${older}\n  ${problems.join('\n  ')}`;
}

/** The audit entry of a bot's own state change (a ramp completing is a ramp step, at the last step). */
export function botChangeBody(
  bot: string,
  change: BotStateChange,
): Pick<AuditBody, 'kind' | 'actor' | 'bot' | 'version' | 'reason' | 'detail'> {
  return {
    kind: change.kind === 'ramp-complete' ? 'ramp-step' : change.kind,
    actor: 'bot',
    bot,
    version: change.version,
    reason: change.reason,
    detail: canonicalJson({ botChange: change }),
  };
}

/** The bot's change an audit entry records (undefined: an entry of anything else). */
export function recordedBotChange(entry: AuditEntry): BotStateChange | undefined {
  if (entry.actor !== 'bot' || !entry.detail.includes('"botChange"')) return undefined;
  return (JSON.parse(entry.detail) as { botChange?: BotStateChange }).botChange;
}

export interface BotChangeMatch {
  readonly ok: boolean;
  /** Changes the bot reports with exactly one entry. */
  readonly matched: number;
  /** Reported by the bot, in no entry. */
  readonly missing: readonly string[];
  /** Reported by the bot, in more than one entry. */
  readonly repeated: readonly string[];
  /** In an entry, within what the bot still reports, but not reported by it. */
  readonly unreported: readonly string[];
  /** Entries older than the oldest change the bot still holds (its list is bounded): not checked. */
  readonly older: number;
}

/**
 * Every state change the bot reports matches exactly one audit entry of that bot, and every such entry
 * a reported change (as far back as the bot's bounded list reaches).
 */
export function matchBotChanges(
  bot: string,
  changes: readonly BotStateChange[],
  entries: readonly AuditEntry[],
): BotChangeMatch {
  const count = new Map<string, number>();
  const oldest = changes.reduce((low, c) => Math.min(low, c.seq), Infinity);
  const reported = new Set(changes.map((c) => c.id));
  const unreported: string[] = [];
  let older = 0;
  for (const entry of entries) {
    if (entry.bot !== bot) continue;
    const change = recordedBotChange(entry);
    if (change === undefined) continue;
    count.set(change.id, (count.get(change.id) ?? 0) + 1);
    if (reported.has(change.id)) continue;
    if (change.seq < oldest) older++;
    else unreported.push(change.id);
  }
  const missing = changes.filter((c) => !count.has(c.id)).map((c) => c.id);
  const repeated = changes.filter((c) => (count.get(c.id) ?? 0) > 1).map((c) => c.id);
  return {
    ok: missing.length === 0 && repeated.length === 0 && unreported.length === 0,
    matched: changes.length - missing.length - repeated.length,
    missing,
    repeated,
    unreported,
    older,
  };
}
