/**
 * The kit for a trader's own bot: everything the reference bot does with a push, as a small library
 * over any execution that implements the OrderPort. A bot built on it
 * 1. verifies each request (verifyRequest over a RequestVerifier: signature, 30 s window, nonces),
 * 2. validates the pushed set (pushProblem: content hash, strategy and version, parameter limits, ramp),
 * 3. takes it by delivery order (decideDelivery / recordDelivery: repeats are no-ops, older versions
 *    refused; persist the ledger),
 * 4. trades the new set through a GatedPort over its own port (ramp budget, position limit, halt modes,
 *    no flip on a switch), advancing the ramp each bar with advanceRamp and rolling back on a breach,
 * 5. on each switch does what switchActions says for the policy switchPolicy picks (a rollback runs
 *    under the leaving push's policy; flatten cancels the old set's waiting orders even when flat).
 * 6. answers status and reports with buildStatus and buildReports (reports paged and numbered as the
 *    protocol says, however much the bot's windows dropped).
 * LiveRunner is the whole loop on simulated fills; examples/kit-bot/bot.ts is a whole bot built on it
 * and this kit alone. Pure TypeScript: no Node APIs. src/shared/botKit.ts adds the protocol's zod
 * schemas and parseBody, which check a request's body before any of this sees it.
 */
export { canonicalJson } from '../canonical.ts';
export {
  RequestVerifier,
  REFUSAL_MESSAGES,
  sign,
  signingString,
  SIGNATURE_HEADERS,
  verifyRequest,
  type IncomingRequest,
  type Refusal,
  type SignedParts,
} from '../signing.ts';
export {
  hashParameterSet,
  verifyParameterSet,
  diffParameterSets,
  ownStrategy,
  strategyIdentity,
  type StrategyIdentity,
  type ParameterSet,
  type ParameterSetBody,
  type PreTradeLimits,
} from '../parameterSet.ts';
export { strategyMismatch } from '../strategyMatch.ts';
export {
  decideDelivery,
  recordDelivery,
  EMPTY_LEDGER,
  type DeliveredChange,
  type DeliveryDecision,
  type DeliveryLedger,
} from '../delivery.ts';
export {
  advanceRamp,
  rampBudget,
  rampProblems,
  startRamp,
  type Guardrails,
  type RampPlan,
  type RampState,
} from '../ramp.ts';
export { GatedPort, DROPPED_ORDER, type Deciders, type DayOrders, type GateMode } from '../gate.ts';
export {
  HALT_MODES,
  POSITION_POLICIES,
  switchActions,
  switchPolicy,
  type HaltMode,
  type PositionPolicy,
  type SwitchActions,
} from '../modes.ts';
export {
  LiveRunner,
  pushProblem,
  type HeartbeatPolicy,
  type LiveBar,
  type LiveBotState,
  type LiveBotSnapshot,
  type DailyLossStop,
  type RunnerProgress,
  type LivePush,
  type LiveFill,
  type LiveExit,
} from '../runner.ts';
export {
  buildReports,
  MAX_REPORT_BARS,
  MAX_REPORT_FILLS,
  type ReportBar,
  type ReportedBars,
  type ReportsPage,
} from './reports.ts';
export { BOT_PROTOCOL, bookOf, buildStatus, simulatedBook, type BotBook, type StatusPage } from './status.ts';
export { RecentLog } from '../recentLog.ts';
/** The strategies the backtests ran: a bot runs the same code, so the shadow backtest reconciles. */
export { STRATEGIES } from '../../strategy/registry.ts';
