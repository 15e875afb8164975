import { describe, expect, it } from 'vitest';
import type { LiveBotView, LiveProposal } from '../../../shared/contract.ts';
import { proposalStrategyProblem } from './strategyBadge.ts';

const URL = 'http://127.0.0.1:8787';
const OWN = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

type Identity = LiveProposal['set']['strategy'];

function proposal(strategy: Identity): LiveProposal {
  return {
    approvalId: 'approval-1',
    bot: URL,
    set: {
      schemaVersion: 1,
      strategy,
      parameters: { period: 14 },
      limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 100 },
      provenance: { kind: 'manual', note: 'test', engineVersion: 'test' },
      hash: 'c'.repeat(64),
    },
    diff: [],
    confirmation: 'cccccccc',
    proposer: 'tester',
    proposedAt: 0,
    reason: 'manual',
    approvers: [],
    pushedVersion: null,
    policy: null,
  };
}

/** The bot as the watcher last saw it, listing `strategies` (undefined: an older bot lists none). */
function bot(strategies: Identity[] | undefined, answered = true): LiveBotView {
  return {
    name: 'paper',
    url: URL,
    autoPause: false,
    status: answered
      ? {
          protocol: 'regimen-bot/1',
          symbol: 'GOOG',
          strategy: null,
          ...(strategies === undefined ? {} : { strategies }),
          active: null,
          pending: null,
          acceptedVersion: 0,
          positions: [],
          equity: 100_000,
          cash: 100_000,
          ramp: null,
          halt: null,
          barsSeen: 0,
          lastBarTime: null,
          heartbeat: { lastAt: null, timeoutMs: 30_000, onTimeout: 'no-new-entries' },
        }
      : null,
    error: answered ? null : 'connection refused',
    approved: null,
    approvedHash: null,
    alarms: [],
    expectation: null,
    session: answered ? { session: 'regular', from: 'settings', settings: 'regular' } : null,
    checkedAt: 0,
  };
}

const sma = { name: 'sma-cross', version: '1' };
const own = { name: 'my-rsi', version: `1+${OWN.slice(0, 8)}`, sourceHash: OWN };

describe('proposalStrategyProblem (the Live view badge before Push)', () => {
  it('names a strategy the bot lacks, with its source shortened, and what the bot runs', () => {
    expect(proposalStrategyProblem(proposal(own), [bot([sma])])).toBe(
      `bot paper lacks strategy my-rsi (source ${OWN.slice(0, 12)}): it runs sma-cross`,
    );
  });

  it('names both sources, shortened, when the bot runs another file of the strategy', () => {
    const theirs = { ...own, version: `1+${OTHER.slice(0, 8)}`, sourceHash: OTHER };
    expect(proposalStrategyProblem(proposal(own), [bot([sma, theirs])])).toBe(
      `strategy my-rsi: the set was approved on source ${OWN.slice(0, 12)}, bot paper runs source ${OTHER.slice(0, 12)}`,
    );
  });

  it('has nothing to say when the bot runs the strategy, lists none, or did not answer', () => {
    expect(proposalStrategyProblem(proposal(own), [bot([sma, own])])).toBeUndefined();
    expect(proposalStrategyProblem(proposal(own), [bot(undefined)])).toBeUndefined();
    expect(proposalStrategyProblem(proposal(own), [bot([sma], false)])).toBeUndefined();
    expect(proposalStrategyProblem(proposal(own), [])).toBeUndefined();
  });
});
