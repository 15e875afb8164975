import type {
  ExportedFile,
  ExportFileInput,
  ImportFileInput,
  PickedFile,
  RegimenClient,
} from '../../shared/client.ts';
import type {
  EventChannel,
  EventPayload,
  RequestChannel,
  RequestInput,
  RequestOutput,
} from '../../shared/contract.ts';
import {
  DOWNLOAD_EXPORT_CHANNEL,
  EVENTS_PROTOCOL,
  EXPORT_BARS_HEADER,
  TOKEN_PROTOCOL_PREFIX,
  UPLOAD_IMPORT_CHANNEL,
} from '../../shared/httpSession.ts';
import { downloadBlob } from '../download.ts';
import { ClientError, throwIfWireError } from './clientError.ts';

export interface HttpClientOptions {
  /** Where `regimen serve` answers, e.g. http://127.0.0.1:5170 (the page's own origin in practice). */
  origin: string;
  /** The per-launch token: a Bearer header on requests, a subprotocol on the event socket. */
  token: string | null;
  /** Reconnect delays grow from the first to the last value, then stay there. */
  reconnectDelaysMs?: readonly number[];
}

type AnyListener = (payload: unknown) => void;

const DEFAULT_RECONNECT_DELAYS_MS = [250, 500, 1_000, 2_000, 5_000, 10_000];

/** A response's JSON body, or null when it has none (an answer is then judged by its status alone). */
async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * The client for `regimen serve`: requests are `POST /api/<channel>` with the input as JSON; events arrive
 * as `{channel, payload}` messages on one WebSocket at `/events`, opened on the first subscription and
 * reopened with backoff whenever it drops.
 */
export function createHttpClient(options: HttpClientOptions): RegimenClient {
  const delays = options.reconnectDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS;
  const listeners = new Map<string, Set<AnyListener>>();
  let socket: WebSocket | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let failedAttempts = 0;
  const connectionListeners = new Set<(open: boolean) => void>();
  const tellConnection = (open: boolean): void => {
    for (const listener of [...connectionListeners]) listener(open);
  };

  const listenerCount = (): number => {
    let n = 0;
    for (const set of listeners.values()) n += set.size;
    return n;
  };

  const dispatch = (data: unknown): void => {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn('regimen: ignored an event that is not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null || !('channel' in message) || !('payload' in message))
      return;
    if (typeof message.channel !== 'string') return;
    const set = listeners.get(message.channel);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(message.payload);
      } catch (error) {
        console.error(`regimen: a listener for ${message.channel} failed`, error);
      }
    }
  };

  const connect = (): void => {
    if (socket || reconnectTimer) return;
    const url = new URL('/events', options.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(
      url,
      options.token ? [EVENTS_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${options.token}`] : [EVENTS_PROTOCOL],
    );
    socket = ws;
    ws.onopen = () => {
      failedAttempts = 0;
      tellConnection(true);
    };
    ws.onmessage = (event: MessageEvent) => dispatch(event.data);
    ws.onclose = () => {
      // A socket closed on purpose (no listeners left) may report after a new one has opened: it must not
      // clear that one or schedule a second, which would deliver every event twice.
      if (socket !== ws) return;
      socket = null;
      if (listenerCount() === 0) return;
      tellConnection(false);
      const delay = delays[Math.min(failedAttempts, delays.length - 1)] ?? 10_000;
      failedAttempts += 1;
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        connect();
      }, delay);
    };
  };

  const disconnectIfIdle = (): void => {
    if (listenerCount() > 0) return;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    socket?.close();
    socket = null;
  };

  /** POSTs to `/api/<path>`; the response when it is a success, else a ClientError saying why not. */
  const send = async (
    channel: string,
    path: string,
    content: BodyInit,
    contentType: string,
  ): Promise<Response> => {
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await fetch(new URL(`/api/${path}`, options.origin), {
        method: 'POST',
        headers,
        body: content,
        credentials: 'same-origin',
      });
    } catch {
      throw new ClientError(
        `Cannot reach the Regimen server at ${options.origin}: is it still running?`,
        0,
        channel,
      );
    }
    if (response.ok) return response;
    throwIfWireError(await jsonOf(response), channel);
    if (response.status === 401) {
      throw new ClientError(
        'The server refused this session (401): open the URL that `regimen serve` printed, token included.',
        401,
        channel,
      );
    }
    throw new ClientError(
      `${channel} failed: HTTP ${response.status} ${response.statusText}`,
      response.status,
      channel,
    );
  };

  /** POSTs to `/api/<path>`; the JSON answer, or a ClientError saying why not. */
  const post = async <T>(
    channel: string,
    path: string,
    content: BodyInit,
    contentType: string,
  ): Promise<T> => {
    const body = await jsonOf(await send(channel, path, content, contentType));
    throwIfWireError(body, channel);
    return body as T;
  };

  return {
    invoke<K extends RequestChannel>(channel: K, input: RequestInput<K>): Promise<RequestOutput<K>> {
      return post<RequestOutput<K>>(channel, channel, JSON.stringify(input), 'application/json');
    },

    importFile(file: PickedFile, input: ImportFileInput): Promise<RequestOutput<'data:import'>> {
      if (!(file instanceof Blob)) {
        return Promise.reject(new ClientError(`"${file.name}" is not a file's content`, 400, 'data:import'));
      }
      const query = new URLSearchParams({ name: file.name, options: JSON.stringify(input) });
      return post(
        'data:import',
        `${UPLOAD_IMPORT_CHANNEL}?${query.toString()}`,
        file,
        'application/octet-stream',
      );
    },

    // The browser saves the file where its user says: fetched with the token, handed over as a Blob.
    async exportFile(input: ExportFileInput): Promise<ExportedFile> {
      const response = await send(
        'data:export',
        DOWNLOAD_EXPORT_CHANNEL,
        JSON.stringify(input),
        'application/json',
      );
      const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
      const savedAs = named ?? 'bars-export';
      downloadBlob(savedAs, await response.blob());
      return { savedAs, bars: Number(response.headers.get(EXPORT_BARS_HEADER)) };
    },

    on<K extends EventChannel>(channel: K, listener: (payload: EventPayload<K>) => void): () => void {
      const wrapped: AnyListener = (payload) => listener(payload as EventPayload<K>);
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(wrapped);
      connect();
      return () => {
        set.delete(wrapped);
        disconnectIfIdle();
      };
    },

    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}
