import { userInfo } from 'node:os';
import { auditCsv, botChangesText, verifyAuditChain } from '../../../core/live/audit.ts';
import type { DomainHandlers } from '../../../shared/contract.ts';
import { InputError, NotFoundError, UpstreamError } from '../../../shared/errors.ts';
import type { LIVE_CHANNELS } from '../../../shared/liveChannels.ts';
import type { LiveBotsResult, LiveProposal } from '../../../shared/liveContract.ts';
import type { Settings } from '../../../shared/settingsContract.ts';
import { AuditLog, auditLogPath } from '../../livebot/auditLog.ts';
import { approvalPolicyOf, recommend, setApprovalPolicy } from '../../livebot/autoApproval.ts';
import { BotClient, BotRequestError, BotUnreachableError } from '../../livebot/botClient.ts';
import {
  approve,
  checkBotChanges,
  diffAgainstBot,
  halt,
  proposals,
  push,
  resume,
  rollback,
  type LiveDesk,
  type ProposalRecord,
} from '../../livebot/liveDesk.ts';
import { BOT_SECRET_ENV, resolveBotSecret } from '../../livebot/secret.ts';
import { restoreLearner } from '../../ml/ledgerLearner.ts';
import type { SecretStore } from '../../secrets/secretStore.ts';
import { LedgerRepository } from '../../store/ledgerRepository.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { Database } from '../../store/database.ts';
import { settingsBacktestTerms } from '../costs.ts';
import { recommendationPopulation } from '../learner/learnerService.ts';
import type { EventBus } from '../events.ts';
import { studyRecords } from '../optimize/studyRecords.ts';
import { BotRegistry, botRegistryPath } from './botRegistry.ts';
import { verifyProvenance } from './provenance.ts';
import { proposalFromTrial } from './studyProposal.ts';
import {
  RegimeUpdateRecords,
  regimeUpdateRecordsPath,
  RegimeUpdates,
  type LearnerSource,
} from './regimeUpdates.ts';
import { LiveWatcher } from './watcher.ts';
import { createAlarmWebhook } from './webhook.ts';

export interface LiveHandlersDeps {
  readonly dataDir: string;
  readonly db: Database;
  readonly bars: BarsRepository;
  /** Where a provenance check re-runs a trial (the pool: a user strategy runs on its workers only). */
  readonly executor: TaskExecutor;
  readonly events: EventBus;
  readonly secrets: SecretStore;
  readonly env: NodeJS.ProcessEnv;
  /** Between two looks at each bot (15 s by default, at most 60 s). */
  readonly pollMs?: number;
  /** Start the standing watch (the hosts do; tests drive `watcher.tick()`). */
  readonly watch?: boolean;
  /** Where regime updates get their learner (default: each strategy's learner as the ledger saved it). */
  readonly learnerFor?: LearnerSource;
  /** The settings record: the cash, costs and risk-free rate regime updates score candidates at. */
  readonly settings: () => Settings;
}

export interface LiveService {
  readonly handlers: DomainHandlers<typeof LIVE_CHANNELS>;
  readonly watcher: LiveWatcher;
  /** Settles when the alarms raised so far have reached the webhook (or failed to). */
  alarmsSent(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The live desk behind the contract. The bot secret is resolved here, per request, from
 * REGIMEN_BOT_SECRET or the keychain, and only ever signs requests: no answer, event or error carries
 * it. The audit trail (live-audit.duckdb) is opened per operation, one at a time, so `regimen live` can
 * use it between two while the server runs.
 */
export function createLiveHandlers(deps: LiveHandlersDeps): LiveService {
  const registry = new BotRegistry(botRegistryPath(deps.dataDir));
  const records = studyRecords(deps.db);
  const ledger = new LedgerRepository(deps.db);
  let queue: Promise<unknown> = Promise.resolve();

  const withDesk = <T>(work: (desk: LiveDesk) => Promise<T>, talksToBot = true): Promise<T> => {
    const next = queue.then(async () => {
      const secret = talksToBot ? await resolveBotSecret(deps.env, deps.secrets) : '';
      const audit = await AuditLog.open(auditLogPath(deps.dataDir));
      try {
        // Read per operation, as the bots are: a change (here or by `regimen live timeouts set`) holds at once.
        const timeouts = registry.clientTimeouts();
        return await work({ audit, client: (url) => new BotClient(url, secret, { timeouts }) });
      } finally {
        audit.close();
      }
    });
    queue = next.catch(() => undefined);
    return next.then(undefined, (error: unknown) => {
      throw asRequestError(error);
    });
  };

  /** A proposal waiting for a person, or one the bot's policy approved: it leaves the app (notification, webhook). */
  const announce = (bot: string, approved: boolean, approvalId: string, message: string): void =>
    deps.events.emit('live:approval', {
      kind: approved ? 'auto-approved' : 'approval-waiting',
      bot,
      name: registry.list().find((b) => b.url === bot)?.name ?? bot,
      approvalId,
      message,
      at: Date.now(),
    });
  const regimeUpdates = new RegimeUpdates(
    registry,
    deps.learnerFor ?? {
      // In the priority lane, as the population's read: a check holds the desk.
      version: (strategy) => deps.db.priority(() => ledger.latestVersion(strategy)),
      // Read afresh each time (the recorder's learner saved it again since); restored off the database's queue.
      load: async (strategy) =>
        restoreLearner(strategy, await deps.db.priority(() => ledger.latestState(strategy))),
    },
    // The Learner view's population for the same symbol, timeframe and session (the bot's, else
    // Settings'). In the priority lane, as a study's read for a proposal is: the check holds the desk,
    // and a person's approval queued behind it must not wait on the Optimize view's reads.
    (of) => deps.db.priority(() => recommendationPopulation(ledger, of)),
    new RegimeUpdateRecords(regimeUpdateRecordsPath(deps.dataDir)),
    (t) => settingsBacktestTerms({}, deps.settings(), null, null, t),
    (bot, proposal) =>
      announce(bot, proposal.action === 'pushed', proposal.approvalId, `regime update: ${proposal.detail}`),
  );
  const watcher = new LiveWatcher({
    bots: () => registry.list(),
    withDesk,
    events: deps.events,
    pollMs: deps.pollMs,
    executor: deps.executor,
    settingsSession: () => deps.settings().session,
    onBars: (desk, bot, bars, from, session) => regimeUpdates.onBars(desk, bot, bars, from, session),
  });
  if (deps.watch) watcher.start();
  const webhook = createAlarmWebhook({ registry, secrets: deps.secrets, env: deps.env, events: deps.events });

  const knownBot = (url: string) => {
    const bot = registry.list().find((b) => b.url === normalise(url));
    if (bot === undefined)
      throw new NotFoundError(`no bot ${url} is registered: add it in the Live view first`, 'bot');
    return bot;
  };
  const proposalView = async (approvalId: string): Promise<LiveProposal> => {
    const found = (await withDesk((desk) => proposals(desk.audit), false)).find(
      (p) => p.approvalId === approvalId,
    );
    if (found === undefined) throw new NotFoundError(`no proposal ${approvalId}`, 'approvalId');
    return wireProposal(found);
  };
  const who = (actor: string | undefined): string => actor ?? userInfo().username;
  /**
   * Looks at the bot again once an action on it returns: the Live view reads the watcher's last look,
   * which otherwise showed the state before a push, rollback, halt or resume until the next poll (15 s).
   * The look also sends `live:status`, so every open view follows. A bot removed meanwhile is not looked at.
   */
  const lookedAgain = async <T>(url: string, result: T): Promise<T> => {
    const bot = registry.list().find((b) => b.url === url);
    if (bot !== undefined) await watcher.look(bot);
    return result;
  };

  const handlers: DomainHandlers<typeof LIVE_CHANNELS> = {
    'live:bots': async () => {
      const bots = registry.list();
      const views = [];
      for (const bot of bots) views.push(watcher.last(bot.url) ?? (await watcher.look(bot)));
      return {
        secret: await secretStatus(deps.env, deps.secrets),
        pollSeconds: watcher.pollMs / 1000,
        timeouts: registry.botTimeouts(),
        bots: views,
      };
    },
    'live:bot-add': async ({ name, url, autoPause }) =>
      registry.add({ name, url: normalise(url), autoPause }),
    'live:bot-remove': async ({ bot }) => {
      watcher.forget(normalise(bot));
      regimeUpdates.forget(normalise(bot));
      return { url: normalise(bot), removed: registry.remove(normalise(bot)) };
    },
    'live:bot': async ({ bot }) => watcher.look(knownBot(bot)),
    'live:propose': async ({ bot, studyId, trialNumber, limits, actor }) => {
      const url = knownBot(bot).url;
      const set = await proposalFromTrial(records, deps.bars, studyId, trialNumber, limits);
      const source = `study ${studyId} trial ${trialNumber}`;
      // A study's winner is a recommendation like the learner's: the bot's policy may approve it.
      const { proposal, policy } = await withDesk((desk) =>
        recommend(desk, url, { set, source }, who(actor)),
      );
      const failed = policy.checks.filter((c) => !c.passed).map((c) => c.detail);
      announce(
        url,
        policy.approved,
        proposal.approvalId,
        policy.approved
          ? `${source}: approved by policy v${policy.version}, ready to push`
          : `${source} waits for approval${failed.length === 0 ? '' : ` (${failed.join('; ')})`}`,
      );
      return proposalView(proposal.approvalId);
    },
    'live:proposals': async ({ bot }) =>
      (
        await withDesk((desk) => proposals(desk.audit, bot === undefined ? undefined : normalise(bot)), false)
      ).map(wireProposal),
    'live:diff': async ({ approvalId }) => {
      const proposal = await proposalView(approvalId);
      const diff = await withDesk((desk) => diffAgainstBot(desk, proposal.bot, proposal.set));
      return diff.map((c) => ({ name: c.name, from: c.from ?? null, to: c.to ?? null }));
    },
    'live:approve': async ({ approvalId, typed, note, approver, acknowledgeUnmeasuredSkill }) => {
      await withDesk(
        (desk) =>
          approve(desk, approvalId, { approver: who(approver), note, typed, acknowledgeUnmeasuredSkill }),
        false,
      );
      return proposalView(approvalId);
    },
    'live:push': async ({ approvalId, policy, ramp, approversRequired, actor }) => {
      const result = await withDesk((desk) =>
        push(desk, approvalId, { actor: who(actor), policy, ramp, approversRequired }),
      );
      return lookedAgain((await proposalView(approvalId)).bot, {
        version: result.version,
        result: result.answer.result,
      });
    },
    'live:rollback': async ({ bot, reason, actor }) => {
      const url = knownBot(bot).url;
      const result = await withDesk((desk) => rollback(desk, url, who(actor), reason));
      return lookedAgain(url, { version: result.version, result: result.answer.result });
    },
    'live:halt': async ({ bot, mode, reason, actor }) => {
      const url = knownBot(bot).url;
      return lookedAgain(url, await withDesk((desk) => halt(desk, url, who(actor), mode, reason)));
    },
    'live:resume': async ({ bot, reason, actor }) => {
      const url = knownBot(bot).url;
      return lookedAgain(url, await withDesk((desk) => resume(desk, url, who(actor), reason)));
    },
    'live:audit': async ({ bot }) => {
      const entries = await withDesk((desk) => desk.audit.entries(), false);
      const verdict = verifyAuditChain(entries);
      const url = bot === undefined ? undefined : normalise(bot);
      return { entries: url === undefined ? entries : entries.filter((e) => e.bot === url), verdict };
    },
    'live:audit-bot-changes': async ({ bot }) => {
      const url = knownBot(bot).url;
      const match = await withDesk((desk) => checkBotChanges(desk, url));
      return {
        bot: url,
        ...match,
        missing: [...match.missing],
        repeated: [...match.repeated],
        unreported: [...match.unreported],
        text: botChangesText(url, match),
      };
    },
    'live:verify-provenance': ({ set }) => verifyProvenance(records, deps.bars, set, deps.executor),
    'live:policy': async ({ bot }) =>
      withDesk((desk) => approvalPolicyOf(desk.audit, knownBot(bot).url), false),
    'live:policy-set': async ({ bot, policy, reason, actor }) =>
      withDesk((desk) => setApprovalPolicy(desk, knownBot(bot).url, policy, who(actor), reason), false),
    'live:audit-export': async ({ format }) => {
      const entries = await withDesk((desk) => desk.audit.entries(), false);
      const stamp = new Date().toISOString().slice(0, 10);
      return {
        format,
        fileName: `live-audit-${stamp}.${format}`,
        text: format === 'csv' ? auditCsv(entries) : `${JSON.stringify(entries, null, 2)}\n`,
      };
    },
    'live:regime-updates': async ({ bot }) => regimeUpdates.view(knownBot(bot).url),
    'live:regime-updates-set': async ({ bot, settings }) => regimeUpdates.set(knownBot(bot).url, settings),
    'live:bot-timeouts-set': async (timeouts) => {
      registry.setBotTimeouts(timeouts);
      return registry.botTimeouts();
    },
    ...webhook.handlers,
  };
  return {
    handlers,
    watcher,
    alarmsSent: webhook.idle,
    close: async () => {
      webhook.close();
      await watcher.stop();
    },
  };
}

const normalise = (url: string): string => url.trim().replace(/\/+$/, '');

function wireProposal(record: ProposalRecord): LiveProposal {
  return {
    approvalId: record.approvalId,
    bot: record.bot,
    set: record.set,
    diff: record.diff.map((c) => ({ name: c.name, from: c.from ?? null, to: c.to ?? null })),
    confirmation: record.confirmation,
    proposer: record.proposer,
    proposedAt: record.proposedAt,
    reason: record.reason,
    approvers: [...record.approvers],
    pushedVersion: record.pushedVersion,
    policy:
      record.policy === null
        ? null
        : { ...record.policy, checks: record.policy.checks.map((c) => ({ ...c })) },
  };
}

/** Whether a bot secret is configured and where from; never its value. */
async function secretStatus(env: NodeJS.ProcessEnv, secrets: SecretStore): Promise<LiveBotsResult['secret']> {
  try {
    await resolveBotSecret(env, secrets);
    return { configured: true, source: env[BOT_SECRET_ENV] ? 'env' : 'keychain', problem: null };
  } catch (error) {
    return { configured: false, source: null, problem: (error as Error).message };
  }
}

/** A bot's refusal or silence as the contract's upstream error, naming the bot's own code. */
function asRequestError(error: unknown): unknown {
  if (error instanceof BotRequestError)
    return new UpstreamError(`the bot refused (${error.code}): ${error.message}`);
  if (error instanceof BotUnreachableError) return new UpstreamError(error.message, 'unavailable');
  if (error instanceof Error && /^No bot secret|bot secret in/.test(error.message))
    return new InputError(error.message, 'secret');
  return error;
}
