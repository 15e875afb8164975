import { describe, expect, it } from 'vitest';
import type { Requests } from '../../shared/contract.ts';
import { InputError, toWireError } from '../../shared/errors.ts';
import { dispatch, dispatchOrWireError } from './dispatch.ts';

// Only the channel under test answers; a payload the contract refuses never reaches it.
const handlers = {
  'settings:set': () => Promise.reject(new Error('the handler ran on a refused payload')),
} as unknown as Requests;

describe('a refused payload, in the words of the action', () => {
  it('says what was not done, the field and why, without the internal channel name', async () => {
    const refusal = dispatch(handlers, 'settings:set', { cash: -5 });
    await expect(refusal).rejects.toBeInstanceOf(InputError);
    await expect(refusal).rejects.toThrow(/^Settings not saved: cash: must be more than 0$/);
    const wire = await dispatchOrWireError(handlers, 'settings:set', { cash: -5 });
    expect(wire).toEqual(
      toWireError(new InputError('Settings not saved: cash: must be more than 0', 'cash')),
    );
    expect(JSON.stringify(wire)).not.toContain('settings:set');
  });

  it('names an unknown field as a field', async () => {
    await expect(dispatch(handlers, 'settings:set', { cahs: 5 })).rejects.toThrow(
      /^Settings not saved: cahs: unknown field$/,
    );
  });
});
