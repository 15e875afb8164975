/**
 * The bot kit as a trader imports it: the pure kit (src/core/live/kit: verify, validate, deliver, ramp,
 * gate, status, reports) with the protocol's zod schemas, and parseBody, which checks a request's body
 * against one of them. The reference bot's server (src/main/livebot/botServer.ts) and
 * examples/kit-bot use these same functions, so a trader's bot refuses what the reference bot refuses,
 * with the same codes and messages.
 */
import type { z } from 'zod';

export * from '../core/live/kit/index.ts';
/** What a status's `session` names: the hours of the symbol's bars the bot trades. */
export type { Session } from '../core/ml/learner/ledger.ts';
export {
  ApplyRequestSchema,
  ApprovalSchema,
  BOT_PATHS,
  HaltRequestSchema,
  HeartbeatRequestSchema,
  ParameterSetSchema,
  RampPlanSchema,
  ResumeRequestSchema,
  type ApplyRequest,
  type BotReports,
  type BotStatus,
} from './botProtocol.ts';

/** A request the bot refuses: the HTTP status, the protocol's code and a message naming the field. */
export class BotRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A request body parsed against the protocol's schema for it (an empty body is `{}`). Refused with 400:
 * `invalid-json` when it is not JSON, `invalid-request` naming the first wrong field (`approval.approvedBy:
 * Too small: ...`) when it breaks the schema.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: string): z.output<S> {
  let value: unknown;
  try {
    value = body === '' ? {} : JSON.parse(body);
  } catch {
    throw new BotRefusal(400, 'invalid-json', 'the request body is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
    throw new BotRefusal(400, 'invalid-request', `${field}: ${issue.message}`);
  }
  return parsed.data;
}
