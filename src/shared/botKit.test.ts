import { describe, expect, it } from 'vitest';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet } from '../core/live/parameterSet.ts';
import { ApplyRequestSchema, BotRefusal, HaltRequestSchema, parseBody } from './botKit.ts';

const set = sealParameterSet({
  schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
  strategy: { name: 'sma-cross', version: '1' },
  parameters: { fast: 5, slow: 20 },
  limits: { maxPositionFraction: 1, maxDailyLoss: 0.05, maxOrdersPerDay: 50 },
  provenance: { kind: 'manual', note: 'test', engineVersion: 'test' },
});
const apply = {
  changeId: 'c1',
  version: 1,
  set,
  approval: { id: 'a1', approvedBy: ['ana'], at: 1, note: '' },
};

function refusal(work: () => unknown): { status: number; code: string; message: string } {
  try {
    work();
  } catch (error) {
    if (error instanceof BotRefusal)
      return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

describe("the kit's body checks (parseBody over the protocol's schemas)", () => {
  it('takes a well-formed apply with the protocol defaults', () => {
    expect(parseBody(ApplyRequestSchema, JSON.stringify(apply))).toEqual({ ...apply, policy: 'keep' });
  });

  it('refuses a malformed body with 400 naming the field, and a body that is not JSON', () => {
    const noApprover = { ...apply, approval: { ...apply.approval, approvedBy: [] } };
    expect(refusal(() => parseBody(ApplyRequestSchema, JSON.stringify(noApprover)))).toMatchObject({
      status: 400,
      code: 'invalid-request',
      message: expect.stringMatching(/^approval\.approvedBy: /),
    });
    const badLimit = { ...apply, set: { ...set, limits: { ...set.limits, maxDailyLoss: 2 } } };
    expect(refusal(() => parseBody(ApplyRequestSchema, JSON.stringify(badLimit))).message).toMatch(
      /^set\.limits\.maxDailyLoss: /,
    );
    expect(refusal(() => parseBody(HaltRequestSchema, '{"mode":"panic","reason":"x"}')).message).toMatch(
      /^mode: /,
    );
    expect(refusal(() => parseBody(HaltRequestSchema, '{"mode":'))).toEqual({
      status: 400,
      code: 'invalid-json',
      message: 'the request body is not JSON',
    });
  });
});
