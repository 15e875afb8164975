import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.ts';
import { LEDGER_LEARNER, learnerSet, smaCrossSet } from './manualSet.test-util.ts';
import { learnerBasisText, skillUnmeasured } from './learnerBasis.ts';
import {
  diffParameterSets,
  PARAMETER_SET_SCHEMA_VERSION,
  type ParameterSetBody,
  sealParameterSet,
  verifyParameterSet,
} from './parameterSet.ts';
import { RequestVerifier, sign } from './signing.ts';

const body: ParameterSetBody = {
  schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
  strategy: { name: 'sma-cross', version: '1' },
  parameters: { fast: 10, slow: 30 },
  limits: { maxPositionFraction: 1, maxDailyLoss: 0.05, maxOrdersPerDay: 20 },
  provenance: {
    kind: 'study',
    studyId: 's1',
    trial: 4,
    seed: 1,
    dataFingerprint: 'abc',
    engineVersion: '0.1.0',
    expected: { sharpeRatio: 1.2, maxDrawdown: -0.1 },
  },
};

describe('canonicalJson', () => {
  it('sorts keys at every depth and ignores insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}',
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (record) => {
          const reversed = Object.fromEntries(Object.entries(record).reverse());
          expect(canonicalJson(reversed)).toBe(canonicalJson(record));
          expect(JSON.parse(canonicalJson(record))).toEqual(
            Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Object.is(v, -0) ? 0 : v])),
          );
        },
      ),
    );
  });

  it('refuses what cannot be hashed, naming where', () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow('$.a[1] is NaN');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('$.f is a function');
  });
});

describe('parameter-set artifact', () => {
  it('export, import and re-hash give the same hash; any edit breaks it', () => {
    const sealed = sealParameterSet(body);
    expect(sealed.hash).toMatch(/^[0-9a-f]{64}$/);
    const imported = JSON.parse(JSON.stringify(sealed)) as typeof sealed;
    expect(verifyParameterSet(imported)).toBe(true);
    expect(sealParameterSet(imported).hash).toBe(sealed.hash);
    expect(verifyParameterSet({ ...imported, parameters: { fast: 11, slow: 30 } })).toBe(false);
    expect(verifyParameterSet({ ...imported, limits: { ...imported.limits, maxOrdersPerDay: 21 } })).toBe(
      false,
    );
  });

  it('refuses limits out of range and non-finite parameters, naming them', () => {
    expect(() => sealParameterSet({ ...body, limits: { ...body.limits, maxPositionFraction: 2 } })).toThrow(
      /maxPositionFraction must be in \(0, 1\], got 2/,
    );
    expect(() => sealParameterSet({ ...body, parameters: { fast: Number.POSITIVE_INFINITY } })).toThrow(
      /parameters\.fast is Infinity/,
    );
  });

  it('diffs two sets parameter by parameter', () => {
    expect(diffParameterSets(body, { ...body, parameters: { fast: 12, slow: 30, stop: 2 } })).toEqual([
      { name: 'fast', from: 10, to: 12 },
      { name: 'stop', from: undefined, to: 2 },
    ]);
    expect(diffParameterSets(undefined, body)).toHaveLength(2);
  });
});

describe("a learner's set: its learner's basis and skill", () => {
  it('says the skill is not measured, or not recorded, and asks for an acknowledgement then only', () => {
    const unmeasured = learnerSet(10, 30, LEDGER_LEARNER);
    expect(learnerBasisText(unmeasured.provenance)).toBe(
      "the ledger's learner, 1,200 results learned; skill not measured: it proposed on confidence alone",
    );
    expect(skillUnmeasured(unmeasured)).toBe(true);
    const unrecorded = learnerSet(10, 30, undefined);
    expect(learnerBasisText(unrecorded.provenance)).toMatch(/^skill not recorded/);
    expect(skillUnmeasured(unrecorded)).toBe(true);
    const measured = learnerSet(10, 30, { name: 'a learner', learned: 1, skill: { mean: 0.0814, t: 2.46 } });
    expect(learnerBasisText(measured.provenance)).toBe(
      'a learner, 1 result learned; skill: rank correlation 0.081 out of sample (t 2.5)',
    );
    expect(skillUnmeasured(measured)).toBe(false);
    const undefinedT = learnerSet(10, 30, { name: 'a learner', learned: 2, skill: { mean: 0.1, t: null } });
    expect(learnerBasisText(undefinedT.provenance)).toContain('(t not defined)');
    // A study's or a person's set has no learner to speak of.
    expect(learnerBasisText(body.provenance)).toBeUndefined();
    expect(skillUnmeasured(body)).toBe(false);
    expect(skillUnmeasured(smaCrossSet(10, 30))).toBe(false);
  });

  it('the learner and its skill are inside the hash: an approver approves them with the set', () => {
    const set = learnerSet(10, 30, LEDGER_LEARNER);
    expect(verifyParameterSet(set)).toBe(true);
    const claimed = {
      ...set,
      provenance: { ...set.provenance, learner: { ...LEDGER_LEARNER, skill: { mean: 0.3, t: 4 } } },
    };
    expect(verifyParameterSet(claimed)).toBe(false);
  });
});

describe('RequestVerifier', () => {
  const secret = 'a-bot-secret-of-32-characters!!!';
  let clock = 1_700_000_000_000;
  const verifier = () => new RequestVerifier(secret, { now: () => clock });
  const signed = (overrides: Partial<{ body: string; timestamp: number; nonce: string }> = {}) => {
    const parts = {
      method: 'POST',
      path: '/v1/apply',
      body: '{"a":1}',
      timestamp: clock,
      nonce: 'n1',
      ...overrides,
    };
    return { ...parts, timestamp: String(parts.timestamp), signature: sign(parts, secret) };
  };

  it('accepts a signed request once, and refuses its replay', () => {
    const v = verifier();
    expect(v.verify(signed())).toBeUndefined();
    expect(v.verify(signed())).toBe('reused-nonce');
    expect(v.verify(signed({ nonce: 'n2' }))).toBeUndefined();
  });

  it('refuses an altered body, a wrong secret, a stale or future timestamp and missing headers', () => {
    const v = verifier();
    expect(v.verify({ ...signed(), body: '{"a":2}' })).toBe('bad-signature');
    const forged = { method: 'POST', path: '/v1/apply', body: '{}', timestamp: clock, nonce: 'f' };
    expect(
      v.verify({
        ...forged,
        timestamp: String(clock),
        signature: sign(forged, 'another-secret-of-32-chars!!!!!'),
      }),
    ).toBe('bad-signature');
    expect(v.verify(signed({ timestamp: clock - 31_000, nonce: 'old' }))).toBe('stale-timestamp');
    expect(v.verify(signed({ timestamp: clock + 31_000, nonce: 'future' }))).toBe('stale-timestamp');
    expect(v.verify({ ...signed(), signature: undefined })).toBe('missing-headers');
  });

  it('a forged request cannot burn a genuine nonce, and a remembered nonce expires with the window', () => {
    const v = verifier();
    expect(v.verify({ ...signed({ nonce: 'keep' }), signature: '0'.repeat(64) })).toBe('bad-signature');
    expect(v.verify(signed({ nonce: 'keep' }))).toBeUndefined();
    clock += 40_000;
    // The same nonce, after the window: refused as stale (its timestamp is old), never accepted twice.
    expect(v.verify({ ...signed({ nonce: 'keep', timestamp: clock - 40_000 }) })).toBe('stale-timestamp');
  });
});
