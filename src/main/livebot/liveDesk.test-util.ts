import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApprovalPolicy } from '../../core/live/approvalPolicy.ts';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import type { HeartbeatPolicy } from '../../core/live/runner.ts';
import type { ParameterSet, PreTradeLimits } from '../../core/live/parameterSet.ts';
import { RegimeUpdatePolicy } from '../../core/live/regimeUpdates.ts';
import { fastPeriodLearner } from '../../core/ml/learner/planted.test-util.ts';
import type { RecommendOptions } from '../../core/ml/learner/recommend.ts';
import { parseSpace } from '../../core/optimize/space.ts';
import { RuleDetector } from '../../core/regime/rules.ts';
import { ledgerStanding } from '../compute/learnerTasks.ts';
import { AuditLog } from './auditLog.ts';
import { setApprovalPolicy } from './autoApproval.ts';
import { BotClient } from './botClient.ts';
import { approve, propose, push, type LiveDesk } from './liveDesk.ts';
import { startReferenceBot, type ReferenceBot } from './referenceBot.ts';
import { RegimeUpdater } from './regimeUpdater.ts';

/** A reference bot on a fast random-walk replay and a desk with its own audit trail, for desk tests. */
export interface DeskFixture {
  readonly bot: ReferenceBot;
  readonly audit: AuditLog;
  readonly desk: LiveDesk;
  /** The audit's database file (a test edits it behind the log's back). */
  readonly auditPath: string;
  /** Closes the audit (again, if a test closed it: closing twice is harmless), the bot and the folder. */
  close(): Promise<void>;
}

export async function openDeskFixture(secret: string, heartbeat: HeartbeatPolicy): Promise<DeskFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'regimen-desk-'));
  const bot = await startReferenceBot({
    bars: randomWalkBars(50_000, 8, { volatility: 0.004 }),
    symbol: 'TEST',
    speed: 30_000,
    secret,
    heartbeat,
  });
  const auditPath = join(dir, 'audit.duckdb');
  const audit = await AuditLog.open(auditPath);
  return {
    bot,
    audit,
    desk: { audit, client: (url) => new BotClient(url, secret) },
    auditPath,
    close: async () => {
      audit.close();
      await bot.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What a trader does before a policy may act on a bot: a person approves and pushes its first set
 * (waiting until the bot runs it, as the policy judges against the active set), then sets the policy.
 */
export async function firstSetAndPolicy(
  desk: LiveDesk,
  bot: string,
  set: ParameterSet,
  policy: ApprovalPolicy,
): Promise<void> {
  const proposal = await propose(desk, bot, set, 'trader', 'manual: first set');
  await approve(desk, proposal.approvalId, {
    approver: 'trader',
    note: 'first set',
    typed: proposal.confirmation,
  });
  await push(desk, proposal.approvalId, { actor: 'trader', policy: 'keep', approversRequired: 1 });
  while ((await desk.client(bot).status()).active?.hash !== set.hash) await sleep(10);
  await setApprovalPolicy(desk, bot, policy, 'trader', 'regime updates within the search space');
}

/**
 * A regime updater on daily bars (rule detector, the planted fast-period learner, 16 sma-cross
 * candidates a recommendation), as the updater's tests and the live bench drive it.
 */
export function dailySmaCrossUpdater(
  desk: LiveDesk,
  bot: string,
  options: {
    minDwellMs: number;
    seed: number;
    modelVersion: string;
    limits: PreTradeLimits;
    /** Other recommendation settings (a measured skill, say). */
    recommend?: Partial<RecommendOptions>;
  },
): RegimeUpdater {
  const learner = { learner: fastPeriodLearner(), modelVersion: options.modelVersion };
  return new RegimeUpdater({
    desk,
    bot,
    policy: new RegimeUpdatePolicy(new RuleDetector({ timeframe: '1d' }), {
      minDwellMs: options.minDwellMs,
    }),
    learner: () => learner,
    recommend: {
      strategy: 'sma-cross',
      space: parseSpace(['fast=2:40', 'slow=10:120'], ['fast<slow']),
      timeframe: '1d',
      windowBars: 40,
      trials: 16,
      seed: options.seed,
      threshold: 0.2,
      // The ledger's learner the live updates use: its skill is not measured.
      ...ledgerStanding([]),
      ...options.recommend,
    },
    limits: options.limits,
  });
}
