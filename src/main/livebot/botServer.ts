import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { buildReports } from '../../core/live/kit/reports.ts';
import { bookOf, buildStatus, type BotBook } from '../../core/live/kit/status.ts';
import type { HeartbeatPolicy, LiveRunner } from '../../core/live/runner.ts';
import type { Session } from '../../core/ml/learner/ledger.ts';
import {
  ApplyRequestSchema,
  BOT_PATHS,
  BotRefusal,
  HaltRequestSchema,
  HeartbeatRequestSchema,
  parseBody,
  RequestVerifier,
  ResumeRequestSchema,
  verifyRequest,
  type BotReports,
  type BotStatus,
} from '../../shared/botKit.ts';

/**
 * The reference bot's side of the protocol over HTTP(S), with the kit's checks (src/shared/botKit.ts):
 * every request's signature first (verifyRequest), then its body against the protocol's schema
 * (parseBody), then the runner decides. Loopback only, unless served over TLS.
 */
export interface BotServerOptions {
  readonly runner: LiveRunner;
  /** The account status and fills describe when it is not the runner's simulated book (a broker's). */
  readonly book?: BotBook;
  readonly secret: string;
  readonly symbol: string;
  /** The hours of the symbol's bars it trades; absent: its status does not say (as bots before it). */
  readonly session?: Session;
  readonly heartbeat: HeartbeatPolicy;
  /** Default 127.0.0.1. Any other address needs `tls`. */
  readonly host?: string;
  readonly port?: number;
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Called after every request that changed what the bot must persist. */
  readonly onChange?: () => void;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
}

// The reference bot's book is the kit's, as a trader's bot builds it.
export { bookOf, type BotBook };

export interface BotServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function startBotServer(options: BotServerOptions): Promise<BotServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && options.tls === undefined) {
    throw new Error(
      `refusing to serve the bot on ${host} without TLS: a non-loopback address needs --tls-key and --tls-cert`,
    );
  }
  const verifier = new RequestVerifier(options.secret, { now: options.now });
  const log = options.log ?? (() => undefined);
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    void serve(options, verifier, log, request, response);
  };
  const server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(
  options: BotServerOptions,
  verifier: RequestVerifier,
  log: (line: string) => void,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  const path = request.url ?? '/';
  try {
    const body = await readBody(request);
    const refusal = verifyRequest(verifier, request, body);
    if (refusal !== undefined) {
      log(`refused ${method} ${new URL(path, 'http://bot').pathname}: ${refusal.code}`);
      throw new BotRefusal(401, refusal.code, refusal.message);
    }
    const result = route(options, method, path, body, log);
    send(response, 200, result);
  } catch (error) {
    if (error instanceof BotRefusal) {
      send(response, error.status, { error: { code: error.code, message: error.message } });
    } else {
      // Our fault: the message names what failed; request bodies and secrets are never part of it.
      log(`error on ${method} ${path}: ${(error as Error).message}`);
      send(response, 500, { error: { code: 'internal', message: (error as Error).message } });
    }
  }
}

function route(
  options: BotServerOptions,
  method: string,
  path: string,
  body: string,
  log: (line: string) => void,
): unknown {
  const { runner } = options;
  const url = new URL(path, 'http://bot');
  const key = `${method} ${url.pathname}`;
  switch (key) {
    case `GET ${BOT_PATHS.status}`:
      return botStatus(options);
    case `GET ${BOT_PATHS.reports}`:
      return buildReports(
        runner,
        options.book?.fills ?? runner.fillRecord,
        count(url, 'fillsFrom'),
        count(url, 'barsFrom'),
      ) satisfies BotReports;
    case `POST ${BOT_PATHS.apply}`: {
      const push = parseBody(ApplyRequestSchema, body);
      const outcome = runner.apply({ ...push, hash: push.set.hash });
      if (outcome.kind === 'refused') {
        log(`apply version ${push.version} (${push.changeId}) refused: ${outcome.reason}`);
        throw new BotRefusal(409, outcome.reason, outcome.message);
      }
      log(`apply version ${push.version} (${push.changeId}, ${push.set.hash.slice(0, 12)}): ${outcome.kind}`);
      options.onChange?.();
      return { result: outcome.kind, version: outcome.version, effective: 'next-bar' };
    }
    case `POST ${BOT_PATHS.heartbeat}`: {
      parseBody(HeartbeatRequestSchema, body);
      return { at: runner.heartbeat(), timeoutMs: options.heartbeat.timeoutMs };
    }
    case `POST ${BOT_PATHS.halt}`: {
      const halt = parseBody(HaltRequestSchema, body);
      runner.halt(halt.mode, halt.reason);
      log(`halt ${halt.mode}: ${halt.reason}`);
      options.onChange?.();
      return botStatus(options);
    }
    case `POST ${BOT_PATHS.resume}`: {
      const resume = parseBody(ResumeRequestSchema, body);
      runner.resume();
      log(`resume: ${resume.reason}`);
      options.onChange?.();
      return botStatus(options);
    }
    default:
      throw new BotRefusal(404, 'not-found', `no route ${key}`);
  }
}

function count(url: URL, name: string): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return 0;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new BotRefusal(400, 'invalid-request', `${name}: must be an integer >= 0, got "${raw}"`);
  return value;
}

function botStatus(
  options: Pick<BotServerOptions, 'runner' | 'symbol' | 'session' | 'heartbeat' | 'book'>,
): BotStatus {
  return buildStatus(options.runner, options.symbol, options.heartbeat, options.book, options.session);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new BotRefusal(413, 'too-large', `the request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
