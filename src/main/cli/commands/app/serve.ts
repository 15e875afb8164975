import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberOption, stringOption, UsageError } from '../../args.ts';
import type { Command } from '../../command.ts';
import { resolveAlpacaHosts, type AlpacaHosts } from '../../../marketdata/hosts.ts';
import { resolveDataDir } from '../../../paths.ts';
import { announceOwner } from '../../../server/discovery.ts';
import { startHttpHost } from '../../../server/httpHost.ts';
import { DEFAULT_UPLOAD_MAX_BYTES } from '../../../server/upload.ts';
import { createServices } from '../../../services/services.ts';

// From the sources this file is src/main/cli/commands/app/serve.ts; compiled, it is a chunk in out/cli.
const RENDERER_DIR = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../../../../out/renderer' : '../renderer', import.meta.url),
);

export const serveCommand: Command = {
  usage: '[--port N] [--data-dir DIR] [--alpaca-base-url URL] [--alpaca-stream-url URL]',
  options: {
    port: { type: 'string' },
    'alpaca-base-url': { type: 'string' },
    'alpaca-stream-url': { type: 'string' },
  },
  async run(args, io) {
    const port = numberOption(args, 'port', 0);
    const dataDir = resolveDataDir(stringOption(args, 'data-dir'));
    let alpaca: AlpacaHosts;
    try {
      alpaca = resolveAlpacaHosts({
        dataBaseUrl: stringOption(args, 'alpaca-base-url'),
        streamBaseUrl: stringOption(args, 'alpaca-stream-url'),
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    io.err(`Data directory: ${dataDir}\n`);
    if (alpaca.dataBaseUrl) io.err(`Alpaca market data: ${alpaca.dataBaseUrl}\n`);
    const services = await createServices({
      dataDir,
      host: 'http',
      alpaca,
      onNotice: (notice) => io.err(`${notice}\n`),
      prepareInBackground: true,
    });
    const staticDir = existsSync(RENDERER_DIR) ? RENDERER_DIR : undefined;
    if (!staticDir) io.err('No renderer build found (out/renderer): run `npm run build` to get the UI.\n');
    const host = await startHttpHost({
      handlers: services.handlers,
      events: services.events,
      port,
      staticDir,
      // The browser's file picker; inside the data folder, so an upload never lands in a shared /tmp.
      upload: { dir: join(dataDir, 'uploads'), maxBytes: DEFAULT_UPLOAD_MAX_BYTES },
    });
    // Commands run beside this server reach the data folder through it (see cli/backend.ts).
    const ownership = await announceOwner(dataDir, {
      port: host.port,
      token: host.token,
      host: 'http',
      version: (await services.handlers['app:info']({})).version,
    });
    io.out(
      args.values['json']
        ? JSON.stringify({ url: host.url, port: host.port })
        : `Regimen is serving at ${host.url}`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    ownership.release();
    await host.close();
    await services.close();
    return 0;
  },
};
