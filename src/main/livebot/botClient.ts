import { randomUUID } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkBotSecret, sign, SIGNATURE_HEADERS } from '../../core/live/signing.ts';
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
import { BOT_TIMEOUT_DEFAULTS } from '../../shared/liveContract.ts';

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

/**
 * No answer from the bot at all (nothing listening, host unknown, connection cut, no answer in time),
 * naming the bot. `mayHaveArrived`: the connection was made, so the request may have reached the bot
 * and been acted on (a push's outcome is then unknown until the bot's state is read).
 */
export class BotUnreachableError extends Error {
  override name = 'BotUnreachableError';
  constructor(
    message: string,
    readonly mayHaveArrived = false,
  ) {
    super(message);
  }
}

/** How long the desk waits for the bot's answer to each kind of request. */
export interface BotTimeouts {
  /** A push, halt or resume: the bot acts on it. */
  readonly pushMs: number;
  /** A status, reports or heartbeat read: the watcher makes three each look. */
  readonly readMs: number;
}

export const DEFAULT_BOT_TIMEOUTS: BotTimeouts = {
  pushMs: BOT_TIMEOUT_DEFAULTS.pushSeconds * 1000,
  readMs: BOT_TIMEOUT_DEFAULTS.readSeconds * 1000,
};

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/** The socket layer's reason: its code (ECONNREFUSED, ENOTFOUND...), named in words where it helps. */
function unreachable(origin: string, error: unknown, connected: boolean): BotUnreachableError {
  const failure = error as { code?: unknown; message?: unknown };
  const why =
    failure.code === 'ECONNREFUSED'
      ? 'nothing listens there (connection refused)'
      : typeof failure.code === 'string'
        ? failure.code
        : typeof failure.message === 'string'
          ? failure.message
          : String(error);
  return new BotUnreachableError(`the bot at ${origin} did not answer: ${why}`, connected);
}

/**
 * One HTTP exchange bounded by `timeoutMs` from the request to the last byte of the answer. Node's
 * http rather than fetch, which waits up to five minutes on a bot that accepts the connection and never
 * answers and cannot tell that bot from one that never accepted it: here the socket says whether it
 * connected, so the error says which. A connection per request (no keep-alive pool): a bot is asked a
 * few times a poll, and a pooled socket the bot closed meanwhile would fail a request for nothing.
 */
function exchange(
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    let request: ClientRequest | undefined = undefined;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
      request?.destroy();
    };
    const timer = setTimeout(
      () =>
        fail(
          connected
            ? new BotUnreachableError(
                `the bot at ${url.origin} accepted the connection but did not answer within ${seconds(timeoutMs)}`,
                true,
              )
            : new BotUnreachableError(
                `the bot at ${url.origin} did not answer: no connection within ${seconds(timeoutMs)}`,
              ),
        ),
      timeoutMs,
    );
    request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method,
      headers,
      agent: false,
    });
    request.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => (connected = true));
      else connected = true;
    });
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => fail(unreachable(url.origin, error, true)));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('error', (error) => fail(unreachable(url.origin, error, connected)));
    request.end(method === 'POST' ? body : undefined);
  });
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

  private readonly now: () => number;
  readonly timeouts: BotTimeouts;

  constructor(
    url: string,
    private readonly secret: string,
    options: { readonly now?: () => number; readonly timeouts?: BotTimeouts } = {},
  ) {
    checkBotSecret(secret, `for ${url}`);
    this.now = options.now ?? Date.now;
    this.timeouts = options.timeouts ?? DEFAULT_BOT_TIMEOUTS;
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

  /**
   * One signed request, answered within `timeoutMs` (by default the push bound for a POST, the read bound
   * for a GET) or refused as unreachable; `overrides` exist for the conformance suite's refusals.
   */
  async send(
    method: 'GET' | 'POST',
    path: string,
    body = '',
    overrides: SendOverrides = {},
    timeoutMs = method === 'POST' ? this.timeouts.pushMs : this.timeouts.readMs,
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
    const { status, text } = await exchange(new URL(path, this.base), method, headers, body, timeoutMs);
    return { status, body: await jsonOrText({ text: () => Promise.resolve(text) }) };
  }

  apply(request: ApplyRequest): Promise<ApplyResponse> {
    return this.call('POST', BOT_PATHS.apply, request, ApplyResponseSchema, this.timeouts.pushMs);
  }

  status(): Promise<BotStatus> {
    return this.call('GET', BOT_PATHS.status, undefined, StatusSchema, this.timeouts.readMs);
  }

  reports(fillsFrom = 0, barsFrom = 0): Promise<BotReports> {
    return this.call(
      'GET',
      `${BOT_PATHS.reports}?fillsFrom=${fillsFrom}&barsFrom=${barsFrom}`,
      undefined,
      ReportsSchema,
      this.timeouts.readMs,
    );
  }

  heartbeat(): Promise<z.output<typeof HeartbeatResponseSchema>> {
    // A heartbeat changes nothing the trader decided: it waits as a read does.
    return this.call(
      'POST',
      BOT_PATHS.heartbeat,
      { at: this.now() },
      HeartbeatResponseSchema,
      this.timeouts.readMs,
    );
  }

  halt(mode: HaltMode, reason: string): Promise<BotStatus> {
    return this.call('POST', BOT_PATHS.halt, { mode, reason }, StatusSchema, this.timeouts.pushMs);
  }

  resume(reason: string): Promise<BotStatus> {
    return this.call('POST', BOT_PATHS.resume, { reason }, StatusSchema, this.timeouts.pushMs);
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
    timeoutMs: number,
  ): Promise<z.output<S>> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const response = await this.send(method, path, text, {}, timeoutMs);
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
