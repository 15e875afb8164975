import { useState } from 'react';
import type {
  AuditEntryView,
  LiveBotView,
  LiveProposal,
  ProvenanceVerdict,
} from '../../../shared/contract.ts';
import { learnerBasisText, skillUnmeasured } from '../../../core/live/learnerBasis.ts';
import { deskSessionText } from '../../../shared/botSession.ts';
import { HALT_MODES, POSITION_POLICIES } from '../../../shared/liveChoices.ts';
import type { RegimenClient } from '../../../shared/client.ts';
import { EChart } from '../../charts/EChart.tsx';
import { formatMoney, formatNumber, formatParamValue, formatPercent } from '../../format.ts';
import { useApp } from '../../store/context.tsx';
import { useTimeFormat } from '../../timeFormat.ts';
import { liveEquityOption } from './liveChart.ts';
import { BotChangesCheck } from './BotChangesCheck.tsx';
import { BotTimeoutsSection } from './BotTimeoutsSection.tsx';
import { PolicySection } from './PolicySection.tsx';
import { RegimeUpdatesSection } from './RegimeUpdatesSection.tsx';
import { WebhookSection } from './WebhookSection.tsx';
import { proposalStrategyProblem } from './strategyBadge.ts';
import { useLive, type Act } from './useLive.ts';
import './live.css';

/**
 * The live desk: the bots the workstation watches (state, version, ramp, live against the backtest,
 * alarms), the proposals waiting for approval and push, and the audit trail. The bot secret never
 * reaches this page: main signs every request, and the page learns only whether a secret is set.
 */
export function LiveView() {
  const client = useApp((s) => s.client);
  const { state, act, dismiss } = useLive(client);
  const bots = state.bots;

  return (
    <div className="live-layout" data-testid="live-view">
      {state.error ? (
        <div className="notice" role="alert" data-testid="live-error">
          <span className="notice-tag">ERROR</span>
          <span className="notice-message">{state.error}</span>
          <button type="button" className="notice-close" aria-label="Dismiss" onClick={dismiss}>
            ×
          </button>
        </div>
      ) : null}
      <div className="live-main">
        {bots === null ? <div className="panel">Loading…</div> : null}
        {bots?.secret.configured === false ? (
          <div className="notice" data-testid="live-no-secret">
            <span className="notice-tag">SECRET</span>
            <span className="notice-message">{bots.secret.problem}</span>
          </div>
        ) : null}
        {bots?.bots.map((bot) => (
          <BotPanel key={bot.url} bot={bot} client={client} act={act} />
        ))}
        <AddBot client={client} act={act} />
        {bots === null ? null : <BotTimeoutsSection timeouts={bots.timeouts} client={client} act={act} />}
      </div>
      <div className="live-side">
        <Proposals
          proposals={state.proposals}
          bots={bots?.bots ?? []}
          client={client}
          act={act}
          busy={state.busy}
        />
        <AuditTrail audit={state.audit} bots={bots?.bots ?? []} client={client} act={act} />
        <WebhookSection client={client} act={act} />
      </div>
    </div>
  );
}

function BotPanel({ bot, client, act }: { bot: LiveBotView; client: RegimenClient; act: Act }) {
  const [reason, setReason] = useState('');
  const [mode, setMode] = useState<(typeof HALT_MODES)[number]>('no-new-entries');
  const status = bot.status;
  const ramp = status?.ramp ?? null;
  const expectation = bot.expectation;
  const session = bot.session === null ? null : deskSessionText(bot.session);
  return (
    <section className="panel live-bot" data-testid="live-bot" data-url={bot.url}>
      <div className="panel-title">
        {bot.name}
        <span className="panel-sub">{bot.url}</span>
        <span className="status-spacer" />
        <span
          className={bot.approved === false ? 'live-tag bad' : 'live-tag'}
          data-testid="live-bot-version"
          data-version={status?.active?.version ?? ''}
          data-approved={String(bot.approved)}
        >
          {status?.active ? `v${status.active.version} ${status.active.hash.slice(0, 12)}` : 'no set'}
          {bot.approved === true ? ' · approved' : bot.approved === false ? ' · NOT APPROVED' : ''}
        </span>
      </div>
      {bot.error ? <div className="live-line bad">{bot.error}</div> : null}
      {status ? (
        <div className="live-grid" data-testid="live-bot-state">
          <span>Strategy</span>
          <span>{status.strategy ? `${status.strategy.name} ${status.strategy.version}` : '-'}</span>
          <span>Equity</span>
          <span>{formatMoney(status.equity)}</span>
          <span>Position</span>
          <span>{formatNumber(status.positions[0]?.units ?? 0, 4)}</span>
          <span>Bars seen</span>
          <span>{status.barsSeen}</span>
          <span>Pending</span>
          <span>{status.pending ? `v${status.pending.version} (next bar)` : '-'}</span>
          <span>Short sales</span>
          <span
            data-testid="live-bot-short-sales"
            title="Whether the bot may sell short; its shadow backtest trades alike"
          >
            {status.shortSales === 'none' ? 'none (long only)' : (status.shortSales ?? 'allowed (not said)')}
          </span>
          <span>Units</span>
          <span data-testid="live-bot-units" title="Whether its orders are for whole units or fractions">
            {status.units ?? 'whole (not said)'}
          </span>
          <span>Halt</span>
          <span data-testid="live-bot-halt">
            {status.halt ? `${status.halt.mode}: ${status.halt.reason}` : '-'}
          </span>
        </div>
      ) : null}
      {bot.switchOutcome ? (
        <div className="live-line" data-testid="live-bot-switch-outcome">
          {bot.switchOutcome}
        </div>
      ) : null}
      {session !== null ? (
        <div className="live-line muted" data-testid="live-bot-session" data-from={bot.session?.from}>
          {session}
        </div>
      ) : null}
      {ramp ? (
        <div className="live-ramp" data-testid="live-ramp" data-phase={ramp.phase} data-budget={ramp.budget}>
          <span>
            Ramp {ramp.phase}: step {ramp.step + 1} of {ramp.steps.length}, budget{' '}
            {formatPercent(ramp.budget, 0)}
            {ramp.reason ? ` (${ramp.reason})` : ''}
          </span>
          <progress max={ramp.steps.length} value={ramp.step + (ramp.phase === 'complete' ? 1 : 0)} />
        </div>
      ) : null}
      <ul className="live-alarms" data-testid="live-alarms">
        {bot.alarms.map((alarm) => (
          <li key={alarm.kind} className="bad" data-kind={alarm.kind}>
            ⚠ {alarm.message}
          </li>
        ))}
      </ul>
      {expectation && expectation.equity.length > 1 ? (
        <div className="live-expect" data-testid="live-expectation">
          <div className="live-line">
            Live vs expected (shadow backtest over the {expectation.bars} bars the bot ran a set): matched{' '}
            <b data-testid="live-matched">{expectation.reconciliation.matched}</b> fills, missed{' '}
            {expectation.reconciliation.missed.length}, extra {expectation.reconciliation.extra.length},
            slippage {formatNumber(expectation.reconciliation.meanSlippageBps, 1)} bps
          </div>
          <EChart option={liveEquityOption(expectation)} testId="live-equity-chart" className="live-chart" />
          <div className="live-grid bands">
            {(
              [
                ['Daily return', expectation.bands.dailyReturn, true],
                ['Trades / day', expectation.bands.tradeRate, false],
                ['Win rate', expectation.bands.winRate, true],
              ] as const
            ).map(([label, band, percent]) => {
              const show = (v: number | null) => (percent ? formatPercent(v) : formatNumber(v, 2));
              return [
                <span key={`${label}-k`}>{label}</span>,
                <span key={`${label}-v`} className={band.inside === false ? 'bad' : ''}>
                  {show(band.live)} in [{show(band.low)}, {show(band.high)}]
                </span>,
              ];
            })}
          </div>
        </div>
      ) : null}
      <PolicySection bot={bot.url} client={client} act={act} />
      <RegimeUpdatesSection bot={bot.url} client={client} act={act} />
      <div className="live-actions">
        <TextInput placeholder="reason" testId="live-reason" value={reason} set={setReason} />
        <button
          type="button"
          className="ghost-button small"
          data-testid="live-rollback"
          disabled={reason.trim() === ''}
          onClick={() => void act(() => client.invoke('live:rollback', { bot: bot.url, reason }))}
        >
          Roll back
        </button>
        <select
          value={mode}
          data-testid="live-halt-mode"
          onChange={(e) => setMode(e.target.value as (typeof HALT_MODES)[number])}
        >
          {HALT_MODES.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
        <button
          type="button"
          className="ghost-button small"
          data-testid="live-halt"
          disabled={reason.trim() === ''}
          onClick={() => void act(() => client.invoke('live:halt', { bot: bot.url, mode, reason }))}
        >
          Halt
        </button>
        <button
          type="button"
          className="ghost-button small"
          data-testid="live-resume"
          disabled={reason.trim() === '' || !status?.halt}
          onClick={() => void act(() => client.invoke('live:resume', { bot: bot.url, reason }))}
        >
          Resume
        </button>
        <button
          type="button"
          className="ghost-button small"
          data-testid="live-refresh"
          onClick={() => void act(() => client.invoke('live:bot', { bot: bot.url }))}
        >
          Check now
        </button>
      </div>
    </section>
  );
}

function AddBot({ client, act }: { client: RegimenClient; act: Act }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('http://127.0.0.1:8787');
  return (
    <form
      className="panel live-add"
      data-testid="live-add-bot"
      onSubmit={(e) => {
        e.preventDefault();
        void act(() => client.invoke('live:bot-add', { name, url }));
      }}
    >
      <div className="panel-title">Watch a bot</div>
      <TextInput placeholder="name" testId="live-bot-name" value={name} set={setName} />
      <TextInput placeholder="URL" testId="live-bot-url" value={url} set={setUrl} />
      <button
        type="submit"
        className="ghost-button small"
        disabled={name.trim() === ''}
        data-testid="live-bot-submit"
      >
        Add
      </button>
    </form>
  );
}

function Proposals({
  proposals,
  bots,
  client,
  act,
  busy,
}: {
  proposals: readonly LiveProposal[];
  bots: readonly LiveBotView[];
  client: RegimenClient;
  act: Act;
  busy: boolean;
}) {
  return (
    <section className="panel live-proposals" data-testid="live-proposals">
      <div className="panel-title">Proposals</div>
      {proposals.length === 0 ? (
        <div className="live-line">None: approve a trial for live in the Optimize view.</div>
      ) : null}
      {proposals.slice(0, 10).map((p) => (
        <ProposalCard
          key={p.approvalId}
          proposal={p}
          strategyProblem={proposalStrategyProblem(p, bots)}
          firstSet={bots.some((b) => b.url === p.bot && b.status !== null && b.status.active === null)}
          client={client}
          act={act}
          busy={busy}
        />
      ))}
    </section>
  );
}

function ProposalCard({
  proposal,
  strategyProblem,
  firstSet,
  client,
  act,
  busy,
}: {
  proposal: LiveProposal;
  /** Why its bot cannot run the set, as its last status says (shown before Push, which it disables). */
  strategyProblem: string | undefined;
  /**
   * Its bot's last status says it runs no set: a ramp winds a running set down while the new one grows,
   * so the desk refuses one onto a bot with nothing running, and the first set goes at full size.
   */
  firstSet: boolean;
  client: RegimenClient;
  act: Act;
  busy: boolean;
}) {
  const [typed, setTyped] = useState('');
  const [note, setNote] = useState('');
  const [approver, setApprover] = useState('');
  const [policy, setPolicy] = useState<(typeof POSITION_POLICIES)[number]>('keep');
  const [ramp, setRamp] = useState('10,25,50,100');
  const [barsPerStep, setBarsPerStep] = useState('20');
  const [verdict, setVerdict] = useState<ProvenanceVerdict | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const provenance = proposal.set.provenance;
  const pushed = proposal.pushedVersion !== null;
  const unmeasured = skillUnmeasured(proposal.set);
  return (
    <div className="live-proposal" data-testid="live-proposal" data-approval={proposal.approvalId}>
      <div className="live-line">
        <b>{proposal.set.strategy.name}</b> {proposal.set.hash.slice(0, 12)} · {proposal.reason} · for{' '}
        {proposal.bot}
      </div>
      {!pushed && strategyProblem ? (
        <div className="live-line bad" data-testid="live-strategy-problem">
          <span className="live-tag bad">CANNOT RUN</span> {strategyProblem}
        </div>
      ) : null}
      {provenance.kind === 'study' ? (
        <div className="live-line muted" data-testid="live-provenance">
          study {provenance.studyId} trial #{provenance.trial} · seed {provenance.seed} · data{' '}
          {provenance.dataFingerprint.slice(0, 12)} · {provenance.engineVersion} · expected Sharpe{' '}
          {formatNumber(provenance.expected['sharpeRatio'] ?? null, 2)} ±{' '}
          {formatNumber(provenance.spread?.['sharpeRatio'] ?? null, 2)}{' '}
          <button
            type="button"
            className="ghost-button small"
            data-testid="live-verify-provenance"
            onClick={() =>
              void act(async () =>
                setVerdict(await client.invoke('live:verify-provenance', { set: proposal.set })),
              )
            }
          >
            Verify provenance
          </button>
          {verdict ? (
            <div
              className={verdict.ok ? 'live-line' : 'live-line bad'}
              data-testid="live-provenance-verdict"
              data-ok={String(verdict.ok)}
            >
              {verdict.ok
                ? `Reproduced: ${verdict.metrics.length} metrics within 1e-9, same data and engine`
                : verdict.differences.join('; ')}
            </div>
          ) : null}
        </div>
      ) : null}
      {provenance.kind === 'learner' ? (
        <div className="live-line muted" data-testid="live-provenance">
          {provenance.modelVersion}
          {provenance.regime === undefined ? '' : ` in regime ${provenance.regime}`} · confidence{' '}
          {formatNumber(provenance.confidence, 3)} · predicted score{' '}
          {formatNumber(provenance.expected['score'] ?? null, 3)} · {provenance.engineVersion}
          <div
            className={unmeasured ? 'live-line bad' : 'live-line'}
            data-testid="live-learner-skill"
            data-measured={String(!unmeasured)}
          >
            {/* Marked where the trader reads the confidence: a switch on confidence alone is not evidence. */}
            {unmeasured ? <span className="live-tag bad">SKILL NOT MEASURED</span> : null}{' '}
            {learnerBasisText(provenance)}
          </div>
        </div>
      ) : null}
      {proposal.policy ? (
        <div
          className={proposal.policy.approved ? 'live-line' : 'live-line muted'}
          data-testid="live-proposal-policy"
          data-approved={String(proposal.policy.approved)}
        >
          {proposal.policy.approved
            ? `Approved automatically by policy v${proposal.policy.version}`
            : `Outside policy v${proposal.policy.version}: `}
          {proposal.policy.approved
            ? null
            : proposal.policy.checks
                .filter((c) => !c.passed)
                .map((c) => `${c.check} (${c.detail})`)
                .join('; ')}
        </div>
      ) : null}
      <table className="live-diff" data-testid="live-diff">
        <tbody>
          {proposal.diff.map((c) => (
            <tr key={c.name}>
              <td>{c.name}</td>
              <td>{formatParamValue(c.from)}</td>
              <td>→</td>
              <td>{formatParamValue(c.to)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="live-line">
        Approved by: <span data-testid="live-approvers">{proposal.approvers.join(', ') || 'nobody yet'}</span>
        {pushed ? <span data-testid="live-pushed"> · pushed as v{proposal.pushedVersion}</span> : null}
      </div>
      {!pushed ? (
        <form
          className="live-actions"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() =>
              client.invoke('live:approve', {
                approvalId: proposal.approvalId,
                typed,
                note,
                ...(approver.trim() ? { approver } : {}),
                ...(unmeasured ? { acknowledgeUnmeasuredSkill: acknowledged } : {}),
              }),
            ).then((done) => {
              if (!done) return;
              setTyped('');
              // Each approval acknowledges for itself: a second approver ticks it again.
              setAcknowledged(false);
            });
          }}
        >
          <TextInput
            placeholder={`type ${proposal.confirmation}`}
            testId="live-typed"
            value={typed}
            set={setTyped}
          />
          <TextInput placeholder="note: why" testId="live-note" value={note} set={setNote} />
          <TextInput placeholder="approver (you)" testId="live-approver" value={approver} set={setApprover} />
          {unmeasured ? (
            <label className="live-line bad">
              <input
                type="checkbox"
                data-testid="live-acknowledge-skill"
                checked={acknowledged}
                onChange={(e) => setAcknowledged(e.target.checked)}
              />{' '}
              I approve it on confidence alone: its learner&apos;s skill is not measured
            </label>
          ) : null}
          <button type="submit" className="ghost-button small" data-testid="live-approve" disabled={busy}>
            Approve
          </button>
        </form>
      ) : null}
      {!pushed && proposal.approvers.length > 0 ? (
        <form
          className="live-actions"
          onSubmit={(e) => {
            e.preventDefault();
            const steps = (firstSet ? '' : ramp)
              .split(',')
              .map((s) => Number(s.trim()) / 100)
              .filter((s) => s > 0);
            void act(() =>
              client.invoke('live:push', {
                approvalId: proposal.approvalId,
                policy,
                approversRequired: Math.min(proposal.approvers.length, 2),
                ...(steps.length > 0
                  ? {
                      ramp: {
                        steps,
                        barsPerStep: Math.max(1, Math.round(Number(barsPerStep))),
                        guardrails: { maxDrawdown: 0.1, maxLoss: 0.05, maxSlippageBps: 50 },
                      },
                    }
                  : {}),
              }),
            );
          }}
        >
          <select
            value={policy}
            onChange={(e) => setPolicy(e.target.value as (typeof POSITION_POLICIES)[number])}
          >
            {POSITION_POLICIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
          {firstSet ? (
            <span className="muted" data-testid="live-first-set">
              first set: pushed without a ramp (the bot runs no set to ramp from)
            </span>
          ) : (
            <>
              <TextInput title="ramp steps, %" testId="live-ramp-steps" value={ramp} set={setRamp} />
              <TextInput
                title="bars per step"
                testId="live-bars-per-step"
                value={barsPerStep}
                set={setBarsPerStep}
              />
            </>
          )}
          <button
            type="submit"
            className="ghost-button small"
            data-testid="live-push"
            disabled={busy || strategyProblem !== undefined}
            title={strategyProblem}
          >
            Push
          </button>
        </form>
      ) : null}
    </div>
  );
}

function AuditTrail({
  audit,
  bots,
  client,
  act,
}: {
  audit: { entries: readonly AuditEntryView[]; verdict: { ok: boolean; problem?: string } } | null;
  bots: readonly LiveBotView[];
  client: RegimenClient;
  act: Act;
}) {
  const time = useTimeFormat();
  const download = async (format: 'csv' | 'json') => {
    const file = await client.invoke('live:audit-export', { format });
    const url = URL.createObjectURL(
      new Blob([file.text], { type: format === 'csv' ? 'text/csv' : 'application/json' }),
    );
    const link = document.createElement('a');
    link.href = url;
    link.download = file.fileName;
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <section className="panel live-audit" data-testid="live-audit">
      <div className="panel-title">
        Audit trail
        <span className="status-spacer" />
        <span
          className={audit?.verdict.ok === false ? 'live-tag bad' : 'live-tag'}
          data-testid="live-audit-verdict"
        >
          {audit === null ? '' : audit.verdict.ok ? 'chain intact' : `CHAIN BROKEN: ${audit.verdict.problem}`}
        </span>
        <button type="button" className="ghost-button small" onClick={() => void download('csv')}>
          CSV
        </button>
        <button type="button" className="ghost-button small" onClick={() => void download('json')}>
          JSON
        </button>
      </div>
      <BotChangesCheck bots={bots} client={client} act={act} />
      <table className="live-audit-table">
        <tbody>
          {[...(audit?.entries ?? [])]
            .reverse()
            .slice(0, 50)
            .map((e) => (
              <tr key={e.seq} data-kind={e.kind}>
                <td>{e.seq}</td>
                {/* In the zone every other time is shown in; the hover has the exact instant. */}
                <td data-testid="live-audit-time" title={new Date(e.at).toISOString()}>
                  {time.dateTime(e.at)}
                </td>
                <td>{e.kind}</td>
                <td>{e.actor}</td>
                <td>{e.version === null ? '' : `v${e.version}`}</td>
                <td>{e.reason}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}

/** A text field bound to a piece of the view's state; `placeholder` or `title` says what goes in it. */
function TextInput({
  testId,
  value,
  set,
  placeholder,
  title,
}: {
  testId: string;
  value: string;
  set: (value: string) => void;
  placeholder?: string;
  title?: string;
}) {
  return (
    <input
      placeholder={placeholder}
      title={title}
      data-testid={testId}
      value={value}
      onChange={(e) => set(e.target.value)}
    />
  );
}
