import type { RegimenClient } from '../../shared/client.ts';
import { TOKEN_FRAGMENT_KEY } from '../../shared/httpSession.ts';
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

/** Where the page keeps the token: this tab and this origin (port included) only, unlike a cookie. */
const TOKEN_STORAGE_KEY = 'regimen.token';

/**
 * `regimen serve` prints `http://127.0.0.1:PORT/#token=...`; the fragment never reaches a server. The
 * token is taken out of the address bar, so it is not left in history, bookmarks or screenshots, and
 * kept in sessionStorage so a reload of this tab keeps working.
 */
function takeTokenFromAddress(): string | null {
  const url = new URL(window.location.href);
  const fragment = new URLSearchParams(url.hash.slice(1));
  const token = fragment.get(TOKEN_FRAGMENT_KEY);
  if (token === null) return window.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  fragment.delete(TOKEN_FRAGMENT_KEY);
  const rest = fragment.toString();
  window.history.replaceState(
    window.history.state,
    '',
    `${url.pathname}${url.search}${rest ? `#${rest}` : ''}`,
  );
  window.sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  return token;
}

export { ClientError, errorMessage } from './clientError.ts';
