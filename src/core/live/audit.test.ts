import { describe, expect, it } from 'vitest';
import {
  auditCsv,
  botChangeBody,
  chainAuditEntry,
  matchBotChanges,
  verifyAuditChain,
  type AuditBody,
  type AuditEntry,
} from './audit.ts';
import type { BotStateChange } from './modes.ts';

const body = (k: number): AuditBody => ({
  at: 1_700_000_000_000 + k,
  kind: k % 2 === 0 ? 'push' : 'ack',
  actor: 'ana',
  bot: 'http://127.0.0.1:9',
  fromHash: null,
  toHash: 'a'.repeat(64),
  version: k,
  reason: 'manual: "ok", ready',
  detail: '{"k":1}',
});

function chain(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let k = 0; k < n; k++) entries.push(chainAuditEntry(entries.at(-1), body(k)));
  return entries;
}

describe('audit chain', () => {
  it('verifies as written, and names the first edited, deleted or reordered entry', () => {
    const entries = chain(6);
    expect(verifyAuditChain(entries)).toEqual({ ok: true, entries: 6 });
    const edited = entries.map((e) => (e.seq === 4 ? { ...e, reason: 'manual: something else' } : e));
    expect(verifyAuditChain(edited)).toEqual({
      ok: false,
      seq: 4,
      problem: 'entry 4 was edited: its hash does not match',
    });
    const rehashed = edited.map((e) => (e.seq === 4 ? chainAuditEntry(entries[2], e) : e));
    expect(verifyAuditChain(rehashed)).toMatchObject({ ok: false, seq: 5 });
    expect(verifyAuditChain([...entries.slice(0, 2), ...entries.slice(3)])).toMatchObject({
      ok: false,
      seq: 4,
    });
  });

  it('exports CSV with quoted fields', () => {
    const csv = auditCsv(chain(1));
    expect(csv.split('\r\n')[0]).toBe(
      'seq,at,kind,actor,bot,fromHash,toHash,version,reason,detail,prevHash,hash',
    );
    expect(csv).toContain('"manual: ""ok"", ready","{""k"":1}"');
  });
});

describe("the bot's own state changes against the audit", () => {
  const BOT = 'http://127.0.0.1:9';
  const change = (seq: number, step: number): BotStateChange => ({
    seq,
    id: `c2:ramp-step:${step}`,
    kind: 'ramp-step',
    at: 1_700_000_000_000 + seq,
    version: 2,
    changeId: 'c2',
    step,
    reason: `ramp step ${step + 1}`,
  });
  const record = (entries: AuditEntry[], c: BotStateChange, bot = BOT): AuditEntry[] => [
    ...entries,
    chainAuditEntry(entries.at(-1), {
      at: c.at,
      fromHash: null,
      toHash: null,
      ...botChangeBody(bot, c),
    }),
  ];

  it('each reported change in exactly one entry and each entry reported: ok; every way of failing it is named', () => {
    const [a, b, c] = [change(1, 1), change(2, 2), change(3, 3)];
    let entries = record(record(record(chain(2), a), b), c);
    entries = record(entries, change(1, 1), 'http://127.0.0.1:8');
    expect(matchBotChanges(BOT, [a, b, c], entries)).toEqual({
      ok: true,
      matched: 3,
      missing: [],
      repeated: [],
      unreported: [],
      older: 0,
    });
    // The bot's bounded list no longer holds `a`: its entry is older than what can be checked.
    expect(matchBotChanges(BOT, [b, c], entries)).toMatchObject({ ok: true, matched: 2, older: 1 });
    expect(matchBotChanges(BOT, [a, b, c, change(4, 4)], entries)).toMatchObject({
      ok: false,
      missing: ['c2:ramp-step:4'],
    });
    expect(matchBotChanges(BOT, [a, b, c], record(entries, b))).toMatchObject({
      ok: false,
      matched: 2,
      repeated: ['c2:ramp-step:2'],
    });
    expect(matchBotChanges(BOT, [a, c], entries)).toMatchObject({
      ok: false,
      unreported: ['c2:ramp-step:2'],
    });
  });

  it('a completed ramp is a ramp step entry; a rollback and a halt keep their kind; the actor is the bot', () => {
    expect(botChangeBody(BOT, { ...change(1, 3), kind: 'ramp-complete' })).toMatchObject({
      kind: 'ramp-step',
      actor: 'bot',
      version: 2,
    });
    expect(botChangeBody(BOT, { ...change(1, 0), kind: 'rollback' }).kind).toBe('rollback');
    expect(botChangeBody(BOT, { ...change(1, 0), kind: 'halt' }).kind).toBe('halt');
  });
});
