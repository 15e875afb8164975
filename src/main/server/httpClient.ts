import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import {
  eventSchemas,
  requestSchemas,
  type EventChannel,
  type RequestChannel,
  type RequestInput,
  type RequestOutput,
} from '../../shared/contract.ts';
import {
  ConflictError,
  InputError,
  NotFoundError,
  UpstreamError,
  type RequestError,
  type RequestErrorKind,
  type WireError,
} from '../../shared/errors.ts';
import type { EventListener } from '../services/events.ts';

/**
 * A client of the request/event contract as `regimen serve` and the app's local host serve it over
 * HTTP + WebSocket on 127.0.0.1. The token travels in the Authorization header only (never in a URL), and
 * no error message this client makes carries it.
 */
export class HttpServicesClient {
  constructor(
    private readonly port: number,
    private readonly token: string,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends one request; the answer is checked against the channel's output schema. */
  async request<K extends RequestChannel>(
    channel: K,
    input: RequestInput<K>,
    options: { timeoutMs?: number } = {},
  ): Promise<RequestOutput<K>> {
    let response: { status: number; body: unknown };
    try {
      response = await this.post(channel, JSON.stringify(input ?? {}), options.timeoutMs);
    } catch (error) {
      const why = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'refused';
      throw new Error(`the Regimen server on port ${this.port} did not answer "${channel}" (${why})`);
    }
    const { status, body } = response;
    if (status < 200 || status > 299) throw fromWireError(body, status);
    const parsed = requestSchemas[channel].output.safeParse(body);
    if (!parsed.success)
      throw new Error(
        `the Regimen server on port ${this.port} answered "${channel}" with an unexpected shape`,
      );
    return parsed.data as RequestOutput<K>;
  }

  /**
   * One POST over node:http rather than fetch: fetch gives up when no answer has come within 300 s
   * (undici's headers timeout), and a study, a walk-forward or a live sync sent to the owner answers only
   * when it ends. Without `timeoutMs` this waits as long as the job runs.
   */
  private post(
    channel: string,
    payload: string,
    timeoutMs: number | undefined,
  ): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.port,
          path: `/api/${channel}`,
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
          ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            let body: unknown = null;
            try {
              body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              // Not JSON: the status alone says what happened (fromWireError).
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('error', (error) =>
        reject(
          error.name === 'AbortError' && timeoutMs !== undefined
            ? Object.assign(new Error('timed out'), { name: 'TimeoutError' })
            : error,
        ),
      );
      req.end(payload);
    });
  }

  /** Listens to the server's events; resolves once connected, to the function that stops listening. */
  async listen(listener: EventListener): Promise<() => void> {
    const socket = new WebSocket(`ws://127.0.0.1:${this.port}/events`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', () =>
        reject(new Error(`the Regimen server on port ${this.port} refused its event stream`)),
      );
    });
    socket.on('message', (data) => {
      let message: { channel?: unknown; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      const channel = message.channel as EventChannel;
      if (typeof channel !== 'string' || !Object.hasOwn(eventSchemas, channel)) return;
      const payload = eventSchemas[channel].safeParse(message.payload);
      if (payload.success) listener(channel, payload.data as never);
    });
    // A dropped stream only loses progress lines; requests still answer or fail on their own.
    socket.on('error', () => undefined);
    return () => socket.close();
  }
}

const REQUEST_ERRORS: Record<RequestErrorKind, (message: string, field?: string) => RequestError> = {
  invalid: (message, field) => new InputError(message, field),
  'not-found': (message, field) => new NotFoundError(message, field),
  conflict: (message, field) => new ConflictError(message, field),
  upstream: (message) => new UpstreamError(message, 'upstream'),
  unavailable: (message) => new UpstreamError(message, 'unavailable'),
};

/**
 * The error the services threw, rebuilt from its wire form: a refusal is the same RequestError (field
 * included) as in-process, so a command reports it the same way whichever way it went.
 */
function fromWireError(body: unknown, status: number): Error {
  const error = (body as Partial<WireError> | null)?.error;
  if (typeof error?.message !== 'string') return new Error(`HTTP ${status}`);
  // The kind comes off the wire: only an own key of the table names a refusal.
  const kind = error.kind;
  const refusal =
    kind !== undefined && Object.hasOwn(REQUEST_ERRORS, kind)
      ? REQUEST_ERRORS[kind as RequestErrorKind]
      : undefined;
  return refusal === undefined ? new Error(error.message) : refusal(error.message, error.field);
}
