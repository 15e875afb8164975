/**
 * The Electron host: one hardened window whose preload exposes the contract's channels; each channel is
 * served by the same services and the same dispatch as `regimen serve`.
 */
import { app, BrowserWindow, dialog, ipcMain, Notification, session, shell } from 'electron';
import { basename, extname, join } from 'node:path';
import { SAVE_PATH_CHANNEL } from '../../shared/client.ts';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../shared/contract.ts';
import { resolveAlpacaHosts } from '../marketdata/hosts.ts';
import { resolveDataDir } from '../paths.ts';
import { announceOwner } from '../server/discovery.ts';
import { startHttpHost, type HttpHost } from '../server/httpHost.ts';
import { notifyOutside } from '../services/live/notifications.ts';
import { dispatchOrWireError } from '../services/dispatch.ts';
import { createServices, type Services } from '../services/services.ts';
import { TEAR_SHEET_STYLE_HASH } from '../../shared/tearSheetHtml.ts';

const CSP = `default-src 'self'; script-src 'self'; style-src 'self' ${TEAR_SHEET_STYLE_HASH}; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;

let services: Services | undefined;
/** The API-only host on 127.0.0.1 through which CLI commands reach the data folder the app holds. */
let cliHost: { host: HttpHost; release(): void } | undefined;

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    backgroundColor: '#0d1117',
    title: 'Regimen',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  // Links leave the app for the system browser; the window itself never navigates or opens others.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl) void window.loadURL(devUrl);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return window;
}

async function start(): Promise<void> {
  await app.whenReady();
  // The dev server's hot reload needs an inline preamble; the page's own meta CSP (relaxed only by the
  // dev build) governs there, and every packaged page gets the strict header.
  if (!process.env['ELECTRON_RENDERER_URL']) {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
    });
  }
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) =>
    callback(false),
  );
  const dataDir = resolveDataDir(dataDirArgument(), app.getPath('userData'));
  const alpaca = resolveAlpacaHosts({
    dataBaseUrl: argument('--alpaca-base-url'),
    streamBaseUrl: argument('--alpaca-stream-url'),
  });
  services = await createServices({ dataDir, host: 'electron', alpaca, prepareInBackground: true });
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(`rq:${channel}`, (_event, input: unknown) =>
      dispatchOrWireError(services!.handlers, channel, input),
    );
  }
  ipcMain.handle(SAVE_PATH_CHANNEL, (event, suggestedName: unknown) =>
    chooseSavePath(BrowserWindow.fromWebContents(event.sender), suggestedName),
  );
  // DuckDB lets one process open the folder; a CLI command finds this host in the discovery file and
  // sends its requests here instead (src/main/cli/backend.ts). It serves no page, only the API.
  const host = await startHttpHost({ handlers: services.handlers, events: services.events });
  const ownership = await announceOwner(dataDir, {
    port: host.port,
    token: host.token,
    host: 'electron',
    version: app.getVersion(),
  });
  cliHost = { host, release: ownership.release };
  const window = createWindow();
  // A halt, a drift alarm, an unapproved version or a proposal to approve reaches the trader with the
  // window hidden too.
  notifyOutside(services.events, (n) => Notification.isSupported() && new Notification(n).show());
  services.events.subscribe((channel, payload) => {
    if (!window.isDestroyed() && (EVENT_CHANNELS as readonly string[]).includes(channel)) {
      window.webContents.send(`ev:${channel}`, payload);
    }
  });
}

/**
 * The system's save dialog for an export, in the Downloads folder under the name the page suggests (its
 * base name only: the page does not choose the folder). The path chosen, or null when cancelled.
 */
async function chooseSavePath(window: BrowserWindow | null, suggestedName: unknown): Promise<string | null> {
  if (typeof suggestedName !== 'string') return null;
  const name = basename(suggestedName);
  const extension = extname(name).slice(1);
  const options = {
    defaultPath: join(app.getPath('downloads'), name),
    filters: extension ? [{ name: extension.toUpperCase(), extensions: [extension] }] : [],
  };
  const chosen = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return chosen.canceled || !chosen.filePath ? null : chosen.filePath;
}

function dataDirArgument(): string | undefined {
  return argument('--data-dir');
}

function argument(flag: string): string | undefined {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

app.on('window-all-closed', () => app.quit());
// Quitting waits for the services to close, so DuckDB checkpoints and the workers stop cleanly.
app.on('will-quit', (event) => {
  const closing = services;
  if (!closing) return;
  services = undefined;
  event.preventDefault();
  const host = cliHost;
  cliHost = undefined;
  host?.release();
  (host ? host.host.close() : Promise.resolve())
    .then(() => closing.close())
    .catch((error: unknown) =>
      console.error('Regimen did not close cleanly:', error instanceof Error ? error.message : error),
    )
    .finally(() => app.exit(0));
});
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

start().catch((error: unknown) => {
  console.error('Regimen failed to start:', error instanceof Error ? error.message : error);
  app.exit(1);
});
