import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOWNLOAD_EXPORT_CHANNEL,
  EXPORT_BARS_HEADER,
  UPLOAD_IMPORT_CHANNEL,
} from '../../shared/httpSession.ts';
import type { Services } from '../services/services.ts';
import { servicesOnTempDir } from '../../../test/support/serviceHost.ts';
import { startHttpHost, type HttpHost } from './httpHost.ts';

/** Thirty weekday closes of 2024 as a CSV: small, but a real import (symbol from the name, 1d inferred). */
function dailyCsv(): string {
  const lines = ['timestamp,open,high,low,close,volume'];
  let day = Date.UTC(2024, 0, 2);
  for (let i = 0; lines.length <= 30; day += 86_400_000) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const close = 100 + i++;
    lines.push(
      `${new Date(day).toISOString().slice(0, 10)},${close - 1},${close + 1},${close - 2},${close},${1000 + i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Answer {
  status: number;
  body: { error?: { message: string; status: number }; symbol?: string; bars?: number };
}

/**
 * Posts `chunks` one by one as the body of an upload; `between` runs after the first is sent (the file
 * is then being written), and no Content-Length is declared unless `declare` says so.
 */
function upload(
  host: HttpHost,
  name: string,
  chunks: readonly string[],
  options: { token?: string; importOptions?: object; declare?: number; between?: () => Promise<void> } = {},
): Promise<Answer> {
  const query = new URLSearchParams({ name, options: JSON.stringify(options.importOptions ?? {}) });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: host.port,
        method: 'POST',
        path: `/api/${UPLOAD_IMPORT_CHANNEL}?${query.toString()}`,
        headers: {
          authorization: `Bearer ${options.token ?? host.token}`,
          'content-type': 'application/octet-stream',
          ...(options.declare !== undefined ? { 'content-length': options.declare } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }),
        );
      },
    );
    // A refusal before the whole body went is an answer, not a failure of the test.
    req.on('error', (error) => reject(error));
    void (async () => {
      const [first, ...rest] = chunks;
      req.write(first ?? '');
      if (options.between) await options.between();
      for (const chunk of rest) req.write(chunk);
      req.end();
    })();
  });
}

describe('upload to data:import and download of data:export', () => {
  let dir: { path: string; remove(): void };
  let services: Services;
  let host: HttpHost;
  let small: HttpHost;
  const uploads = (): string => join(dir.path, 'uploads');
  const left = (): string[] => readdirSync(uploads(), { recursive: true }).map(String);
  const symbols = async (): Promise<string[]> =>
    (await services.handlers['data:list']({})).map((d: { symbol: string }) => d.symbol);

  beforeAll(async () => {
    ({ dir, services } = await servicesOnTempDir('regimen-upload-'));
    host = await startHttpHost({
      handlers: services.handlers,
      events: services.events,
      upload: { dir: uploads(), maxBytes: 1 << 20 },
    });
    small = await startHttpHost({
      handlers: services.handlers,
      events: services.events,
      upload: { dir: uploads(), maxBytes: 200 },
    });
  });

  afterAll(async () => {
    await host?.close();
    await small?.close();
    await services?.close();
    dir?.remove();
  });

  it('imports a streamed file the same as the path of that file, from a private temp file removed after', async () => {
    const csv = dailyCsv();
    const half = csv.length >> 1;
    let mode = 0;
    const answer = await upload(host, 'UPA.csv', [csv.slice(0, half), csv.slice(half)], {
      importOptions: { calendar: 'equities', naiveTimeZone: 'UTC' },
      // While the body is arriving the file exists: readable by this user only.
      between: async () => {
        let found: string[] = [];
        while (found.length === 0) {
          found = existsUpload(uploads());
          if (found.length === 0) await new Promise((r) => setImmediate(r));
        }
        mode = statSync(found[0]!).mode & 0o777;
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ symbol: 'UPA', bars: 30, calendar: 'equities' });
    expect(mode).toBe(0o600);
    expect(left()).toEqual([]);

    const path = join(dir.path, 'UPB.csv');
    writeFileSync(path, csv);
    await services.handlers['data:import']({ path, calendar: 'equities', naiveTimeZone: 'UTC' });
    const viaUpload = await services.handlers['bars:get']({ symbol: 'UPA', timeframe: '1d' });
    const viaPath = await services.handlers['bars:get']({ symbol: 'UPB', timeframe: '1d' });
    expect(viaUpload.t.length).toBe(30);
    expect({ ...viaUpload, symbol: 'UPB' }).toEqual(viaPath);
  });

  it('refuses a body over the limit, naming it, whether declared or streamed, and stores nothing', async () => {
    const csv = dailyCsv();
    const declared = await upload(small, 'BIG.csv', [csv], { declare: Buffer.byteLength(csv) });
    expect(declared.status).toBe(413);
    expect(declared.body.error?.message).toContain('limit of 200 bytes');
    const streamed = await upload(small, 'BIG.csv', [csv.slice(0, 100), csv.slice(100)]);
    expect(streamed.status).toBe(413);
    expect(streamed.body.error?.message).toContain('limit of 200 bytes');
    expect(await symbols()).not.toContain('BIG');
    expect(left()).toEqual([]);
  });

  it('refuses a wrong token and a wrong option before storing anything', async () => {
    const csv = dailyCsv();
    const token = await upload(host, 'TOK.csv', [csv], { token: 'wrong' });
    expect(token.status).toBe(401);
    const option = await upload(host, 'OPT.csv', [csv], { importOptions: { calendar: 'martian' } });
    expect(option.status).toBe(400);
    expect(option.body.error?.message).toContain('calendar');
    const extension = await upload(host, 'EXT.txt', [csv]);
    expect(extension.status).toBe(400);
    expect(await symbols()).not.toContain('TOK');
    expect(await symbols()).not.toContain('OPT');
    expect(await symbols()).not.toContain('EXT');
    expect(left()).toEqual([]);
  });

  it('sends an export as the file itself, named and counted, written by data:export and removed after', async () => {
    const csv = dailyCsv();
    const path = join(dir.path, 'DLA.csv');
    writeFileSync(path, csv);
    await services.handlers['data:import']({ path, calendar: 'equities', naiveTimeZone: 'UTC' });
    const send = (body: object, token = host.token): Promise<Response> =>
      fetch(`http://127.0.0.1:${host.port}/api/${DOWNLOAD_EXPORT_CHANNEL}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const answer = await send({ symbol: 'DLA', timeframe: '1d', format: 'csv', start: '2024-01-10' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toBe(
      'attachment; filename="DLA_1d_from-2024-01-10.csv"',
    );
    const text = await answer.text();
    const rows = text.trim().split('\n').slice(1);
    expect(answer.headers.get(EXPORT_BARS_HEADER)).toBe(String(rows.length));
    // The same bars as the source file from that day on (a day bar is stamped at midnight New York).
    const fields = (row: string): string => row.slice(row.indexOf(','));
    const from = csv
      .trim()
      .split('\n')
      .slice(1)
      .filter((row) => row >= '2024-01-10');
    expect(rows.map(fields)).toEqual(from.map(fields));
    expect(rows[0]).toMatch(/^2024-01-10T05:00:00/);
    expect(left()).toEqual([]);

    const unknown = await send({ symbol: 'NOPE', timeframe: '1d', format: 'csv' });
    expect(unknown.status).toBe(404);
    const format = await send({ symbol: 'DLA', timeframe: '1d', format: 'xlsx' });
    expect(format.status).toBe(400);
    expect(((await format.json()) as Answer['body']).error?.message).toContain('format');
    expect((await send({ symbol: 'DLA', timeframe: '1d', format: 'csv' }, 'wrong')).status).toBe(401);
    expect(left()).toEqual([]);
  });
});

/** The files under the uploads folder (each upload has its own subfolder). */
function existsUpload(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}
