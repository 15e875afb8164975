import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApprovalPolicy } from '../../core/live/approvalPolicy.ts';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import type { HeartbeatPolicy } from '../../core/live/runner.ts';
import type { ParameterSet } from '../../core/live/parameterSet.ts';
import { AuditLog } from './auditLog.ts';
import { setApprovalPolicy } from './autoApproval.ts';
import { BotClient } from './botClient.ts';
import { approve, propose, push, type LiveDesk } from './liveDesk.ts';
import { startReferenceBot, type ReferenceBot } from './referenceBot.ts';

/** A reference bot on a fast random-walk replay and a desk with its own audit trail, for desk tests. */
export interface DeskFixture {
  readonly bot: ReferenceBot;
  readonly audit: AuditLog;
  readonly desk: LiveDesk;
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
  const audit = await AuditLog.open(join(dir, 'audit.duckdb'));
  return {
    bot,
    audit,
    desk: { audit, client: (url) => new BotClient(url, secret) },
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
