import { describe, expect, it } from 'vitest';
import { OrderType, Sizing, type Direction, type OrderPort } from '../../strategy-api/order-port.ts';
import { STRATEGIES } from '../../strategy/registry.ts';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet } from '../parameterSet.ts';
import {
  advanceRamp,
  decideDelivery,
  EMPTY_LEDGER,
  GatedPort,
  pushProblem,
  rampBudget,
  recordDelivery,
  REFUSAL_MESSAGES,
  RequestVerifier,
  sign,
  SIGNATURE_HEADERS,
  verifyRequest,
  startRamp,
  switchActions,
  switchPolicy,
  type RampPlan,
} from './index.ts';

/** A trader's own execution: it records what reaches it (a broker API would send it on). */
class RecordingPort implements OrderPort {
  position = 0;
  averageEntryPrice = 0;
  readonly orders: Array<[Direction, Sizing, number]> = [];
  equityAt(): number {
    return 10_000;
  }
  submit(direction: Direction, _type: OrderType, sizing: Sizing, amount: number): number {
    this.orders.push([direction, sizing, amount]);
    return this.orders.length;
  }
  close(): number {
    return this.submit(1, OrderType.Market, Sizing.Close, 0);
  }
  attachExits(): void {}
  recordEntryReason(): void {}
  cancel(): boolean {
    return true;
  }
  setStopLoss(): void {}
  setTakeProfit(): void {}
  setTrailingStop(): void {}
}

describe('kit: a trader-built bot over its own order port', () => {
  const set = sealParameterSet({
    schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
    strategy: { name: 'sma-cross', version: '1' },
    parameters: { fast: 5, slow: 20 },
    limits: { maxPositionFraction: 0.8, maxDailyLoss: 0.05, maxOrdersPerDay: 2 },
    provenance: { kind: 'manual', note: 'n', engineVersion: 'e' },
  });
  const ramp: RampPlan = {
    steps: [0.25, 1],
    barsPerStep: 2,
    guardrails: { maxDrawdown: 0.05, maxLoss: 0.05, maxSlippageBps: 20 },
  };

  it("verifies a request as Node's HTTP server gives it: method, path with query, headers, body", () => {
    const secret = 'kit-secret-0123456789abcdef';
    const verifier = new RequestVerifier(secret, { now: () => 5_000 });
    const body = '{"at":5000}';
    const signed = (nonce: string, parts: { method: string; path: string; body: string }) => ({
      [SIGNATURE_HEADERS.timestamp]: '5000',
      [SIGNATURE_HEADERS.nonce]: nonce,
      [SIGNATURE_HEADERS.signature]: sign({ ...parts, timestamp: 5_000, nonce }, secret),
    });
    const heartbeat = { method: 'POST', path: '/v1/heartbeat', body };
    const request = { method: 'POST', url: '/v1/heartbeat', headers: signed('a', heartbeat) };
    expect(verifyRequest(verifier, request, body)).toBeUndefined();
    expect(verifyRequest(verifier, request, body)).toEqual({
      code: 'reused-nonce',
      message: REFUSAL_MESSAGES['reused-nonce'],
    });
    // The query string is signed with the path: another page of reports is another request.
    const reports = { method: 'GET', path: '/v1/reports?fillsFrom=20', body: '' };
    const paged = signed('b', reports);
    expect(
      verifyRequest(verifier, { ...request, url: '/v1/reports?fillsFrom=40', headers: paged }, ''),
    ).toEqual({ code: 'bad-signature', message: REFUSAL_MESSAGES['bad-signature'] });
    // A header sent twice arrives as an array: its first copy is the one checked.
    const twice = { ...signed('c', heartbeat), [SIGNATURE_HEADERS.nonce]: ['c', 'd'] };
    expect(verifyRequest(verifier, { ...request, headers: twice }, body)).toBeUndefined();
    expect(verifyRequest(verifier, { ...request, headers: {} }, body)?.code).toBe('missing-headers');
    expect(verifyRequest(verifier, { ...request, method: 'GET' }, body)?.code).toBe('bad-signature');
  });

  it('verifies, validates and orders pushes, then trades through the gate at the ramp budget', () => {
    const secret = 'kit-secret-0123456789abcdef';
    const body = JSON.stringify({ changeId: 'c1', version: 1, set });
    const parts = { method: 'POST', path: '/v1/apply', body, timestamp: 1_000, nonce: 'n' };
    const verifier = new RequestVerifier(secret, { now: () => 1_000 });
    expect(verifier.verify({ ...parts, timestamp: '1000', signature: sign(parts, secret) })).toBeUndefined();

    expect(pushProblem({ set, ramp }, STRATEGIES)).toBeUndefined();
    expect(pushProblem({ set: { ...set, parameters: { fast: 30, slow: 20 } } }, STRATEGIES)).toMatch(/hash/);
    const push = { changeId: 'c1', version: 1, hash: set.hash };
    expect(decideDelivery(EMPTY_LEDGER, push)).toEqual({ kind: 'apply' });
    const ledger = recordDelivery(EMPTY_LEDGER, push);
    expect(decideDelivery(ledger, push)).toEqual({ kind: 'duplicate', version: 1 });

    const port = new RecordingPort();
    const gate = new GatedPort(
      port,
      1,
      { entryVersion: 0, exitVersion: 0 },
      { used: 0, limit: set.limits.maxOrdersPerDay },
    );
    gate.maxFraction = set.limits.maxPositionFraction;
    let state = startRamp(ramp, 10_000);
    gate.budget = rampBudget(ramp, state);
    gate.submit(1, OrderType.Market, Sizing.EquityFraction, 1);
    expect(port.orders[0]).toEqual([1, Sizing.EquityFraction, 0.25]);
    state = advanceRamp(ramp, state, { equity: 10_010, slippageBps: 0 });
    state = advanceRamp(ramp, state, { equity: 10_020, slippageBps: 0 });
    gate.budget = rampBudget(ramp, state);
    gate.submit(1, OrderType.Market, Sizing.EquityFraction, 1);
    // Full budget now, capped by the set's position limit.
    expect(port.orders[1]).toEqual([1, Sizing.EquityFraction, 0.8]);
    // maxOrdersPerDay 2: the third order of the day is dropped.
    expect(gate.submit(1, OrderType.Market, Sizing.Units, 1)).toBe(-1);
    expect(advanceRamp(ramp, startRamp(ramp, 10_000), { equity: 9_000, slippageBps: 0 })).toMatchObject({
      phase: 'rolled-back',
      reason: 'loss 10.00 % since the ramp started exceeds maxLoss 5.00 %',
    });
  });

  it('exits-only lets a reduction through and turns a reversal into a close', () => {
    const port = new RecordingPort();
    port.position = 10;
    const gate = new GatedPort(port, 1, { entryVersion: 0, exitVersion: 0 });
    gate.mode = 'exits-only';
    expect(gate.submit(1, OrderType.Market, Sizing.Units, 5)).toBe(-1);
    gate.submit(-1, OrderType.Market, Sizing.Units, 4);
    gate.submit(-1, OrderType.Market, Sizing.EquityFraction, 1);
    expect(port.orders).toEqual([
      [-1, Sizing.Units, 4],
      [1, Sizing.Close, 0],
    ]);
  });
});

describe('kit: what a trader-built bot does on a switch, as the reference bot', () => {
  it('flatten cancels the old set’s waiting orders flat or not, and closes only what is held', () => {
    expect(switchActions('flatten', false)).toEqual({
      windDown: false,
      cancelWaiting: true,
      close: false,
      waitForFlat: false,
    });
    expect(switchActions('flatten', true)).toMatchObject({ cancelWaiting: true, close: true });
    expect(switchActions('keep', true)).toMatchObject({ windDown: true, cancelWaiting: false });
    expect(switchActions('no-new-entries-until-flat', true)).toMatchObject({ waitForFlat: true });
  });

  it('a guardrail rollback to an older version runs under the leaving push’s policy', () => {
    const v1 = { version: 1, policy: 'adopt' } as const;
    const v2 = { version: 2, policy: 'keep' } as const;
    expect(switchPolicy(v1, v2)).toBe('keep');
    expect(switchPolicy(v2, v1)).toBe('keep');
    expect(switchPolicy({ version: 3, policy: 'flatten' }, v2)).toBe('flatten');
    expect(switchPolicy(v1, null)).toBe('adopt');
  });
});
