import { describe, expect, it } from 'vitest';
import type { ComparedPin } from '../../shared/contract.ts';
import { FakeRegimenClient } from '../../../test/support/fakeRegimenClient.ts';
import { createCompareStore, referencePin } from './compareStore.ts';

const pin = (id: string): ComparedPin => ({
  id,
  label: id,
  source: { kind: 'trial', studyId: 's1', trial: 1 },
  pinnedAt: 1,
  result: { ok: false, error: 'study s1 was deleted' },
});

describe('the compare store against a fake client', () => {
  it('pins, lists again, keeps a refusal in words, and falls back to the first pin as reference', async () => {
    let pins = [pin('a')];
    const client = new FakeRegimenClient()
      .handle('compare:list', () => pins)
      .handle('compare:pin', () => {
        if (pins.length >= 2) throw new Error('the compare set holds at most 8 pins: unpin one first');
        pins = [...pins, pin('b')];
        return pins[1]!;
      })
      .handle('compare:unpin', ({ pinId }) => {
        pins = pins.filter((p) => p.id !== pinId);
        return { pinId, removed: true as const };
      });
    const store = createCompareStore(client);
    await store.getState().refresh();
    const request = { source: { kind: 'trial' as const, studyId: 's1', trial: 2 } };
    expect(await store.getState().pin(request)).toBe(true);
    const listed = store.getState().pins;
    expect(listed.status === 'ready' && listed.data.map((p) => p.id)).toEqual(['a', 'b']);
    expect(await store.getState().pin(request)).toBe(false);
    expect(store.getState().error).toContain('at most 8 pins');

    store.getState().setReference('b');
    expect(referencePin(pins, store.getState().reference)?.id).toBe('b');
    await store.getState().unpin('b');
    expect(store.getState().error).toBeNull();
    expect(referencePin(pins, store.getState().reference)?.id).toBe('a');
  });
});
