import type { RegimenClient } from '../../shared/client.ts';
import { createHttpClient } from './httpClient.ts';
import { createIpcClient } from './ipcClient.ts';

/**
 * Picks the client for the host this page runs in: the Electron preload bridge when present, otherwise
 * the HTTP + WebSocket API of `regimen serve` on the page's own origin. Nothing else in the renderer
 * knows which one it got.
 */
export function createClient(): RegimenClient {
  if (window.regimen) return createIpcClient(window.regimen);
  return createHttpClient({ origin: window.location.origin, token: takeTokenFromAddress() });
}

/**
 * `regimen serve` prints `http://127.0.0.1:PORT/?token=...`. Keep the token in memory only and take it out
 * of the address bar, so it is not left in history, bookmarks or screenshots; the HttpOnly cookie set with
 * the page keeps a reload working.
 */
function takeTokenFromAddress(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return null;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return token;
}

export { ClientError, errorMessage } from './clientError.ts';
