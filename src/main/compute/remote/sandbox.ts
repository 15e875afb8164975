/**
 * The sandbox of a remote worker: a child process that runs one trial at a time on the same engine as
 * the local pool (TaskRunner), so a CPU-bound trial never blocks the worker's event loop (which keeps
 * renewing its BullMQ locks), and a runaway trial can be stopped by killing the child. Imports core and
 * the task runner only; it talks to its parent over IPC and never sees Redis or credentials.
 */
import type { Bars } from '../../../core/data/bars.ts';
import { withRefParams } from '../../../core/strategy/index.ts';
import { LABEL_COUNT } from '../../../core/regime/labels.ts';
import { decodeSchedule, type RemoteOutcome } from '../../../shared/computeProtocol.ts';
import { TaskRunner, type BacktestOutput, type RegimeScoresOutput, type TrialsOutput } from '../tasks.ts';
import { ensureUserStrategy } from '../userStrategies.ts';
import type { SandboxReply, SandboxRequest } from './sandboxMessages.ts';

const runner = new TaskRunner();
/** Bars by fingerprint; the parent sends what a trial needs when asked, so this only bounds memory. */
const bars = new Map<string, Bars>();
const MAX_DATASETS = 8;

function reply(message: SandboxReply): void {
  process.send!(message);
}

process.on('message', (message: SandboxRequest) => {
  if (message.type === 'bars') {
    if (bars.size >= MAX_DATASETS) bars.delete(bars.keys().next().value!);
    bars.set(message.fingerprint, message.bars);
    return;
  }
  const missing = message.datasets.filter((fingerprint) => !bars.has(fingerprint));
  if (missing.length > 0) {
    reply({ type: 'need', id: message.id, fingerprints: missing });
    return;
  }
  // A user strategy's file is first run here, never in the worker: one that fails to load fails the
  // trial with its reason, as main reports it; one that never returns is stopped by the time limit.
  if (message.userStrategy !== undefined) {
    try {
      ensureUserStrategy(message.userStrategy);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      reply({
        type: 'result',
        id: message.id,
        outcomes: message.datasets.map(() => ({ ok: false, error: reason })),
      });
      return;
    }
  }
  const outcomes = message.datasets.map((fingerprint, i): RemoteOutcome => {
    const dataset = { id: fingerprint, bars: bars.get(fingerprint)! };
    // Each dataset's own first bar of the range, when the study warms up before it.
    const tradeFrom = message.tradeFrom?.[i];
    const options = tradeFrom === undefined ? message.options : { ...message.options, tradeFrom };
    if (message.regimeSchedules !== undefined) {
      // A per-regime study's scoring: the task the local pool runs for it, on this trial alone.
      try {
        const schedule = decodeSchedule(message.regimeSchedules[i]!, dataset.bars.t.length);
        const scored = (
          runner.run({
            kind: 'regime-scores',
            dataset,
            strategy: message.strategy,
            paramSets: [message.params],
            options,
            schedule,
            ...(message.riskFreeRate === undefined ? {} : { riskFreeRate: message.riskFreeRate }),
          }) as RegimeScoresOutput
        ).runs[0]!;
        if (typeof scored === 'string') return { ok: false, error: scored };
        return { ok: true, metrics: scored.metrics![LABEL_COUNT]!, regimes: scored };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }
    if (message.equity && i === 0) {
      // A walk-forward window's backtest: the same task the local pool runs for it, its curve kept.
      try {
        const run = runner.run({
          kind: 'backtest',
          dataset,
          strategy: withRefParams(message.strategy, message.params),
          options,
          ...(message.riskFreeRate === undefined ? {} : { riskFreeRate: message.riskFreeRate }),
        }) as BacktestOutput;
        return { ok: true, metrics: { ...run.metrics }, equity: run.equity };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }
    const output = runner.run({
      kind: 'trials',
      dataset,
      strategy: message.strategy,
      paramSets: [message.params],
      options,
      ...(message.riskFreeRate === undefined ? {} : { riskFreeRate: message.riskFreeRate }),
      periodReturns: message.periodReturns && i === 0,
    }) as TrialsOutput;
    const outcome = output.outcomes[0]!;
    if (!outcome.ok) return outcome;
    const metrics = { ...outcome.metrics };
    return outcome.returns === undefined
      ? { ok: true, metrics }
      : { ok: true, metrics, returns: outcome.returns };
  });
  reply({ type: 'result', id: message.id, outcomes });
});

// The worker went away (killed, or closing): nothing here is worth finishing.
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
