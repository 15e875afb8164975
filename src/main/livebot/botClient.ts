import { randomUUID } from 'node:crypto';
import { sign, SIGNATURE_HEADERS } from '../../core/live/signing.ts';
import {
  ApplyResponseSchema,
  BOT_PATHS,
  BotErrorSchema,
  HeartbeatResponseSchema,
  ReportsSchema,
  StatusSchema,
  type ApplyRequest,
  type ApplyResponse,
  type BotReports,
  type BotStatus,
} from '../../shared/botProtocol.ts';
import type { HaltMode } from '../../core/live/modes.ts';
import { isLoopbackHost } from './botServer.ts';
import type { z } from 'zod';
import { jsonOrText } from '../../shared/responseBody.ts';

/** A bot's answer that is not a success: the protocol's error code and message, and the HTTP status. */
export class BotRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BotRequestError';
  }
}

/** No answer from the bot at all (nothing listening, host unknown, connection cut), naming the bot. */
export class BotUnreachableError extends Error {
  override name = 'BotUnreachableError';
}

/** fetch says only "fetch failed": the reason is its cause's code (ECONNREFUSED, ENOTFOUND...). */
function unreachable(origin: string, error: unknown): BotUnreachableError {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const why =
    cause?.code === 'ECONNREFUSED'
      ? 'nothing listens there (connection refused)'
      : typeof cause?.code === 'string'
        ? cause.code
        : typeof cause?.message === 'string'
          ? cause.message
          : error instanceof Error
            ? error.message
            : String(error);
  return new BotUnreachableError(`the bot at ${origin} did not answer: ${why}`);
}

export interface RawResponse {
  readonly status: number;
  readonly body: unknown;
}

/** What the conformance suite varies to forge, replay or stale a request. */
export interface SendOverrides {
  readonly timestamp?: number;
  readonly nonce?: string;
  /** Sign this body but send `body`. */
  readonly signedBody?: string;
  readonly secret?: string;
  readonly unsigned?: boolean;
}

/**
 * The workstation's side of the protocol: every request signed with the shared secret (core/live's
 * signing), every answer checked against the protocol's schema. Plain HTTP only to a loopback bot.
 */
export class BotClient {
  readonly base: URL;

  constructor(
    url: string,
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {
    let base: URL;
    try {
      base = new URL(url);
    } catch {
      throw new Error(`--bot "${url}" is not a URL`);
    }
    if (base.protocol !== 'https:' && !(base.protocol === 'http:' && isLoopbackHost(base.hostname))) {
      throw new Error(`--bot ${base.origin}: a bot off this machine is reached over https only`);
    }
    this.base = base;
  }

  /** One signed request; `overrides` exist for the conformance suite's refusals. */
  async send(
    method: 'GET' | 'POST',
    path: string,
    body = '',
    overrides: SendOverrides = {},
  ): Promise<RawResponse> {
    const timestamp = overrides.timestamp ?? this.now();
    const nonce = overrides.nonce ?? randomUUID();
    const signature = sign(
      { method, path, timestamp, nonce, body: overrides.signedBody ?? body },
      overrides.secret ?? this.secret,
    );
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!overrides.unsigned) {
      headers[SIGNATURE_HEADERS.timestamp] = String(timestamp);
      headers[SIGNATURE_HEADERS.nonce] = nonce;
      headers[SIGNATURE_HEADERS.signature] = signature;
    }
    let response: Response;
    try {
      response = await fetch(new URL(path, this.base), {
        method,
        headers,
        ...(method === 'POST' ? { body } : {}),
      });
    } catch (error) {
      throw unreachable(this.base.origin, error);
    }
    return { status: response.status, body: await jsonOrText(response) };
  }

  apply(request: ApplyRequest): Promise<ApplyResponse> {
    return this.call('POST', BOT_PATHS.apply, request, ApplyResponseSchema);
  }

  status(): Promise<BotStatus> {
    return this.call('GET', BOT_PATHS.status, undefined, StatusSchema);
  }

  reports(fillsFrom = 0, barsFrom = 0): Promise<BotReports> {
    return this.call(
      'GET',
      `${BOT_PATHS.reports}?fillsFrom=${fillsFrom}&barsFrom=${barsFrom}`,
      undefined,
      ReportsSchema,
    );
  }

  heartbeat(): Promise<z.output<typeof HeartbeatResponseSchema>> {
    return this.call('POST', BOT_PATHS.heartbeat, { at: this.now() }, HeartbeatResponseSchema);
  }

  halt(mode: HaltMode, reason: string): Promise<BotStatus> {
    return this.call('POST', BOT_PATHS.halt, { mode, reason }, StatusSchema);
  }

  resume(reason: string): Promise<BotStatus> {
    return this.call('POST', BOT_PATHS.resume, { reason }, StatusSchema);
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    const response = await this.send(method, path, body === undefined ? '' : JSON.stringify(body));
    if (response.status !== 200) {
      const error = BotErrorSchema.safeParse(response.body);
      if (error.success)
        throw new BotRequestError(response.status, error.data.error.code, error.data.error.message);
      throw new BotRequestError(response.status, 'unexpected', `the bot answered HTTP ${response.status}`);
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BotRequestError(
        response.status,
        'bad-response',
        `the bot's answer to ${method} ${path} breaks the protocol at ${issue.path.join('.') || '(body)'}: ${issue.message}`,
      );
    }
    return parsed.data;
  }
}
