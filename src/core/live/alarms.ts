import type { LiveExpectation } from './expectation.ts';

/**
 * What the workstation alarms on while it watches a bot, from one look at it: the bot runs a version
 * nobody approved (Knight Capital's unchecked eighth server), its returns drifted (ADWIN), a live figure
 * left its backtest band, a ramp rolled back, the bot halted, or it did not answer.
 */
export const LIVE_ALARM_KINDS = [
  'unapproved-version',
  'unreachable',
  'drift',
  'daily-return',
  'trade-rate',
  'win-rate',
  'rolled-back',
  'halted',
  'daily-loss',
] as const;
export type LiveAlarmKind = (typeof LIVE_ALARM_KINDS)[number];

export interface LiveAlarm {
  readonly kind: LiveAlarmKind;
  readonly message: string;
}

/** The part of a bot's status the alarms read. */
export interface WatchedStatus {
  readonly active: { readonly version: number; readonly hash: string } | null;
  readonly pending: { readonly version: number; readonly hash: string } | null;
  readonly ramp: { readonly phase: string; readonly reason?: string } | null;
  readonly halt: { readonly mode: string; readonly reason: string } | null;
  readonly dailyLoss?: { readonly reason: string } | null;
}

export interface WatchInput {
  /** The status, or why the bot could not be asked. */
  readonly status: WatchedStatus | { readonly unreachable: string };
  /** The hash of the last set the audit trail shows approved and acknowledged (null: none yet). */
  readonly approvedHash: string | null;
  readonly expectation: LiveExpectation | null;
}

/**
 * True when the bot runs (or is about to run, at its next bar) the approved set; null when nothing was
 * approved for it yet, so there is nothing to hold it to.
 */
export function runsApprovedVersion(status: WatchedStatus, approvedHash: string | null): boolean | null {
  if (approvedHash === null) return status.active === null ? null : false;
  return status.active?.hash === approvedHash || status.pending?.hash === approvedHash;
}

export function liveAlarms(input: WatchInput): LiveAlarm[] {
  if ('unreachable' in input.status)
    return [{ kind: 'unreachable', message: `the bot did not answer: ${input.status.unreachable}` }];
  const status = input.status;
  const alarms: LiveAlarm[] = [];
  if (runsApprovedVersion(status, input.approvedHash) === false)
    alarms.push({
      kind: 'unapproved-version',
      message:
        input.approvedHash === null && status.active !== null
          ? `unknown running set ${status.active.hash} (v${status.active.version}): no set was approved for this bot`
          : `the bot runs ${status.active === null ? 'no set' : `v${status.active.version} ${status.active.hash.slice(0, 12)}`}` +
            `, not the approved ${input.approvedHash?.slice(0, 12)}`,
    });
  if (status.ramp?.phase === 'rolled-back')
    alarms.push({
      kind: 'rolled-back',
      message: `the ramp rolled back${status.ramp.reason === undefined ? '' : `: ${status.ramp.reason}`}`,
    });
  if (status.halt !== null)
    alarms.push({ kind: 'halted', message: `halted (${status.halt.mode}): ${status.halt.reason}` });
  if (status.dailyLoss != null) alarms.push({ kind: 'daily-loss', message: status.dailyLoss.reason });
  const expectation = input.expectation;
  if (expectation === null) return alarms;
  if (expectation.drift.detectedAt !== null)
    alarms.push({
      kind: 'drift',
      message: `live returns drifted (ADWIN) at ${new Date(expectation.drift.detectedAt).toISOString()}`,
    });
  const bands = [
    ['daily-return', 'mean daily return', expectation.bands.dailyReturn, 100, ' %'],
    ['trade-rate', 'trades per day', expectation.bands.tradeRate, 1, ''],
    ['win-rate', 'win rate', expectation.bands.winRate, 100, ' %'],
  ] as const;
  for (const [kind, label, band, scale, unit] of bands) {
    if (band.inside !== false || band.live === null) continue;
    const show = (value: number) => `${(value * scale).toFixed(2)}${unit}`;
    alarms.push({
      kind,
      message: `${label} ${show(band.live)} is outside the backtest's band ${show(band.low)} to ${show(band.high)}`,
    });
  }
  return alarms;
}
