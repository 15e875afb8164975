import { describe, expect, it } from 'vitest';
import { auditCsv, chainAuditEntry, verifyAuditChain, type AuditBody, type AuditEntry } from './audit.ts';

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
