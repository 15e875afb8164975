/**
 * The one contract between the renderer and the services, served over Electron IPC in the app and over
 * HTTP + WebSocket by `regimen serve`. Every request and event has a zod schema: the renderer and the
 * HTTP API are untrusted input, so main validates every payload here before a handler sees it.
 *
 * Each domain owns its part: `<domain>Channels.ts` (names, zod-free, composed in channels.ts) and
 * `<domain>Contract.ts` (schemas for exactly those names, checked by `DomainContract`). A new domain adds
 * one line to DOMAINS in channels.ts, one spread to each map here and one `export *`.
 */
import type { z } from 'zod';
import type { EventChannel, RequestChannel } from './channels.ts';
import { appContract } from './appContract.ts';
import { backtestContract } from './backtestContract.ts';
import { computeContract } from './computeContract.ts';
import { dataContract } from './dataContract.ts';
import { learnerContract } from './learnerContract.ts';
import { optimizeContract } from './optimizeContract.ts';
import { regimeContract } from './regimeContract.ts';
import { liveContract } from './liveContract.ts';
import { settingsContract } from './settingsContract.ts';
import { compareContract } from './compareContract.ts';

export { EVENT_CHANNELS, REQUEST_CHANNELS, type EventChannel, type RequestChannel } from './channels.ts';
export * from './appContract.ts';
export * from './backtestContract.ts';
export * from './computeContract.ts';
export * from './dataContract.ts';
export * from './learnerContract.ts';
export * from './optimizeContract.ts';
export * from './regimeContract.ts';
export * from './liveContract.ts';
export * from './settingsContract.ts';
export * from './compareContract.ts';

/** Every request: channel -> input and output schema. */
export const requestSchemas = {
  ...appContract.requests,
  ...backtestContract.requests,
  ...computeContract.requests,
  ...dataContract.requests,
  ...optimizeContract.requests,
  ...regimeContract.requests,
  ...liveContract.requests,
  ...learnerContract.requests,
  ...settingsContract.requests,
  ...compareContract.requests,
} as const satisfies Record<RequestChannel, { input: z.ZodType; output: z.ZodType; refused: string }>;

/** Every event main pushes to the renderer: channel -> payload schema. */
export const eventSchemas = {
  ...appContract.events,
  ...backtestContract.events,
  ...computeContract.events,
  ...dataContract.events,
  ...optimizeContract.events,
  ...regimeContract.events,
  ...liveContract.events,
  ...learnerContract.events,
  ...settingsContract.events,
  ...compareContract.events,
} as const satisfies Record<EventChannel, z.ZodType>;

export type RequestInput<K extends RequestChannel> = z.input<(typeof requestSchemas)[K]['input']>;
export type RequestOutput<K extends RequestChannel> = z.output<(typeof requestSchemas)[K]['output']>;
export type EventPayload<K extends EventChannel> = z.output<(typeof eventSchemas)[K]>;

/** What main implements: one handler per request channel, receiving the validated input. */
export type Requests = {
  [K in RequestChannel]: (req: z.output<(typeof requestSchemas)[K]['input']>) => Promise<RequestOutput<K>>;
};

/** The handlers one domain implements (in src/main/services/<domain>/), composed in services.ts. */
export type DomainHandlers<C extends { readonly requests: readonly RequestChannel[] }> = Pick<
  Requests,
  C['requests'][number]
>;

export function isRequestChannel(channel: string): channel is RequestChannel {
  return Object.hasOwn(requestSchemas, channel);
}
