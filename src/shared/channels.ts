/**
 * Every channel name, without schemas, so the preload bridge can build its allowlist without bundling
 * zod. Each domain lists its own names in `<domain>Channels.ts` and its schemas in `<domain>Contract.ts`
 * (which must cover exactly those names); a new domain adds one line to DOMAINS here and one to
 * contract.ts.
 */
import { APP_CHANNELS } from './appChannels.ts';
import { BACKTEST_CHANNELS } from './backtestChannels.ts';
import { COMPARE_CHANNELS } from './compareChannels.ts';
import { COMPUTE_CHANNELS } from './computeChannels.ts';
import { DATA_CHANNELS } from './dataChannels.ts';
import { LIVE_CHANNELS } from './liveChannels.ts';
import { LEARNER_CHANNELS } from './learnerChannels.ts';
import { OPTIMIZE_CHANNELS } from './optimizeChannels.ts';
import { REGIME_CHANNELS } from './regimeChannels.ts';
import { SETTINGS_CHANNELS } from './settingsChannels.ts';

const DOMAINS = [
  APP_CHANNELS,
  BACKTEST_CHANNELS,
  COMPUTE_CHANNELS,
  DATA_CHANNELS,
  OPTIMIZE_CHANNELS,
  REGIME_CHANNELS,
  LIVE_CHANNELS,
  LEARNER_CHANNELS,
  SETTINGS_CHANNELS,
  COMPARE_CHANNELS,
] as const;

type Domain = (typeof DOMAINS)[number];
export type RequestChannel = Domain['requests'][number];
export type EventChannel = Domain['events'][number];

export const REQUEST_CHANNELS: readonly RequestChannel[] = DOMAINS.flatMap((domain) => domain.requests);
export const EVENT_CHANNELS: readonly EventChannel[] = DOMAINS.flatMap((domain) => domain.events);
