import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { requestSchemas, type Requests } from '../../shared/contract.ts';
import { DataExportDownloadRequest } from '../../shared/dataContract.ts';
import { barsExportFileName } from '../../shared/exportFileName.ts';
import { InputError, NotFoundError, toWireError } from '../../shared/errors.ts';
import {
  DOWNLOAD_EXPORT_CHANNEL,
  EVENTS_PROTOCOL,
  EXPORT_BARS_HEADER,
  TOKEN_FRAGMENT_KEY,
  TOKEN_PROTOCOL_PREFIX,
  UPLOAD_IMPORT_CHANNEL,
} from '../../shared/httpSession.ts';
import { parseOrThrow } from '../../shared/validation.ts';
import { dispatch } from '../services/dispatch.ts';
import type { EventBus } from '../services/events.ts';
import { receiveUpload, UploadTooLarge, type ReceivedUpload, type UploadOptions } from './upload.ts';
import { TEAR_SHEET_STYLE_HASH } from '../../shared/tearSheetHtml.ts';

export interface HttpHostOptions {
  handlers: Requests;
  events: EventBus;
  /** Folder of the built renderer (out/renderer); the API works without it. */
  staticDir?: string;
  port?: number;
  /** Fixed token for tests; a fresh random one per launch otherwise. */
  token?: string;
  /**
   * Where `POST /api/upload/data:import` puts files, and `POST /api/download/data:export` writes them before
   * sending (inside the data folder); no uploads or downloads without it.
   */
  upload?: UploadOptions;
}

export interface HttpHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Serves the request/event contract over HTTP + WebSocket on 127.0.0.1 only, plus the built renderer,
 * so the unchanged UI runs in any browser. The API needs the per-launch token as a Bearer header, the
 * event socket as a subprotocol or a Bearer header (see shared/httpSession.ts); the page and its assets
 * (the app's own build, nothing secret) need none. There is no cookie, which every other server on this
 * machine would receive. A request must name this server in `Host` (a DNS-rebound name is refused) and,
 * from a browser, come from the page's own origin; no answer gives a Referer away.
 */
export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  // The page's own hosts and origins, once the port is known (no request arrives before).
  let ownHosts: ReadonlySet<string> = new Set();
  let ownOrigins: ReadonlySet<string> = new Set();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendError(res, error));
  });
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  });
  const unsubscribe = options.events.subscribe((channel, payload) => {
    const message = JSON.stringify({ channel, payload });
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(message);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!ownHosts.has(req.headers.host ?? '')) {
      sendJson(res, 421, { error: { message: 'Requests for another host name are refused', status: 421 } });
      return;
    }
    if (!fromOwnOrigin(req, ownOrigins)) {
      sendJson(res, 403, { error: { message: 'Requests from another origin are refused', status: 403 } });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      // A person who typed or pasted an address without the token's fragment: say where the link is.
      if (req.method === 'GET' && wantsHtml(req)) {
        sendHtml(res, 401, WHERE_IS_THE_LINK);
        return;
      }
      if (!sameSecret(bearerToken(req) ?? '', token)) {
        sendJson(res, 401, { error: { message: 'Missing or wrong token', status: 401 } });
        return;
      }
      if (req.method !== 'POST') {
        sendJson(res, 405, { error: { message: 'API requests are POST with a JSON body', status: 405 } });
        return;
      }
      const channel = decodePath(url.pathname).slice('/api/'.length);
      if (channel === UPLOAD_IMPORT_CHANNEL) {
        await uploadAndImport(req, url, res);
        return;
      }
      if (channel === DOWNLOAD_EXPORT_CHANNEL) {
        await exportAndSend(req, res);
        return;
      }
      const body = await readJsonBody(req);
      sendJson(res, 200, await dispatch(options.handlers, channel, body));
      return;
    }
    await serveStatic(req, url, res);
  }

  /**
   * The browser's file picker: the body is the file itself, `name` its name (an import infers the symbol
   * from it) and `options` the rest of a `data:import` request as JSON. The request is checked before a
   * byte is written, so a wrong option or extension stores nothing; the file goes through the same
   * `data:import` as a typed path and is removed afterwards, imported or not.
   */
  async function uploadAndImport(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    if (!options.upload) throw new NotFoundError('This host takes no uploads');
    const upload = options.upload;
    const name = url.searchParams.get('name') ?? '';
    let extra: unknown;
    try {
      extra = JSON.parse(url.searchParams.get('options') ?? '{}');
    } catch {
      throw new InputError('The upload\'s "options" parameter is not valid JSON', 'options');
    }
    const where = `upload of "${name}"`;
    parseOrThrow(
      requestSchemas['data:import'].input,
      { ...asObject(extra), path: join(upload.dir, name) },
      where,
    );
    let received: ReceivedUpload;
    try {
      received = await receiveUpload(req, name, upload);
    } catch (error) {
      if (!(error instanceof UploadTooLarge)) throw error;
      // Answer before the rest arrives; closing the connection stops the client sending it.
      res.setHeader('connection', 'close');
      sendJson(res, 413, { error: { message: error.message, status: 413 } });
      req.resume();
      return;
    }
    let result: unknown;
    try {
      result = await dispatch(options.handlers, 'data:import', { ...asObject(extra), path: received.path });
    } finally {
      // Gone before the answer, so whoever reads it finds nothing left behind.
      await received.remove();
    }
    sendJson(res, 200, result);
  }

  /**
   * A browser's export: the bars go through the same `data:export` as the CLI's, into a fresh private
   * folder of the data folder, then stream back as the response and the folder is removed, sent or not.
   */
  async function exportAndSend(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!options.upload) throw new NotFoundError('This host serves no downloads');
    const where = 'download of the data export';
    const request = parseOrThrow(DataExportDownloadRequest, await readJsonBody(req), where);
    const name = barsExportFileName(request);
    await mkdir(options.upload.dir, { recursive: true, mode: 0o700 });
    const folder = await mkdtemp(join(options.upload.dir, 'download-'));
    try {
      const path = join(folder, name);
      const exportRequest = parseOrThrow(requestSchemas['data:export'].input, { ...request, path }, where);
      const result = await options.handlers['data:export'](exportRequest);
      const file = await open(path, 'r');
      // Where the system allows it (POSIX), the folder goes before a byte is sent: the open file still
      // reads, and whoever has read the answer finds nothing left behind. Elsewhere it goes after.
      await rm(folder, { recursive: true, force: true }).catch(() => undefined);
      res.writeHead(200, {
        'content-type':
          request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.apache.parquet',
        'content-length': String((await file.stat()).size),
        'content-disposition': `attachment; filename="${name}"`,
        [EXPORT_BARS_HEADER]: String(result.bars),
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      });
      await pipeline(file.createReadStream(), res);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  async function serveStatic(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    if (!options.staticDir) {
      if (wantsHtml(req)) {
        sendHtml(res, 404, NO_BUILD);
        return;
      }
      sendJson(res, 404, {
        error: { message: 'No renderer build to serve; run `npm run build`', status: 404 },
      });
      return;
    }
    const root = resolve(options.staticDir);
    const relative = url.pathname === '/' ? 'index.html' : decodePath(url.pathname).replace(/^\/+/, '');
    const file = normalize(join(root, relative));
    if (!file.startsWith(root + sep)) {
      sendJson(res, 404, { error: { message: 'Not found', status: 404 } });
      return;
    }
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch {
      sendJson(res, 404, { error: { message: `Not found: ${url.pathname}`, status: 404 } });
      return;
    }
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    };
    if (relative === 'index.html') {
      headers['content-security-policy'] =
        `default-src 'self'; script-src 'self'; style-src 'self' ${TEAR_SHEET_STYLE_HASH}; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;
    }
    res.writeHead(200, headers).end(content);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!ownHosts.has(req.headers.host ?? '')) {
      socket.end('HTTP/1.1 421 Misdirected Request\r\n\r\n');
      return;
    }
    if (url.pathname !== '/events' || !sameSecret(bearerToken(req) ?? protocolToken(req) ?? '', token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    if (!fromOwnOrigin(req, ownOrigins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => sockets.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  ownHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  ownOrigins = new Set([...ownHosts].map((host) => `http://${host}`));
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#${TOKEN_FRAGMENT_KEY}=${token}`,
    close: async () => {
      unsubscribe();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => closeServer(server, resolve));
    },
  };
}

function closeServer(server: Server, done: () => void): void {
  server.close(() => done());
  server.closeAllConnections();
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

/** The token a browser offers as an event-socket subprotocol (it cannot set an Authorization header). */
function protocolToken(req: IncomingMessage): string | undefined {
  const offered = req.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim()) ?? [];
  return offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
}

/** True for requests without an Origin (not from a browser page) or from the served page's own origin. */
function fromOwnOrigin(req: IncomingMessage, ownOrigins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  return origin === undefined || ownOrigins.has(origin);
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new InputError(`Malformed URL path "${path}"`);
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('The upload\'s "options" parameter must be a JSON object', 'options');
  }
  return value as Record<string, unknown>;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new InputError(`Request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new InputError('Request body is not valid JSON');
  }
}

/** A browser navigating (not the app's fetches, which ask for JSON). */
function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><body style="font:15px system-ui;max-width:40em;margin:3em auto;line-height:1.5"><h1 style="font-size:20px">${title}</h1>${body}</body></html>`;
}

const WHERE_IS_THE_LINK = page(
  'Regimen needs its link',
  '<p>This address has no access token. Open the link that <code>regimen serve</code> printed when it started ' +
    '(<code>http://127.0.0.1:PORT/#token=…</code>): the part after <code>#</code> is the token and never leaves ' +
    'your browser. Lost it? Stop the server and run <code>regimen serve</code> again for a new link.</p>',
);

const NO_BUILD = page(
  'Regimen has no app to show yet',
  '<p>The server runs, but the app has not been built: run <code>npm run build</code>, then ' +
    '<code>regimen serve</code> again and open the link it prints.</p>',
);

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(html);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: unknown): void {
  const wire = toWireError(error);
  if (!res.headersSent) sendJson(res, wire.error.status, wire);
  else res.end();
}
