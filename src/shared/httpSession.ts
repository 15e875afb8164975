/**
 * How a page of `regimen serve` proves it holds the per-launch token, shared by the host and the
 * browser client. The token never travels in a cookie: cookies are not port-scoped, so one set by the
 * server would also be sent to every other server on 127.0.0.1. The page gets it from the fragment of
 * the printed URL (never sent to any server), keeps it in sessionStorage (scoped to this origin and
 * tab), sends it as a Bearer header on requests and as a WebSocket subprotocol on the event socket
 * (browsers cannot set headers there).
 */

/** The subprotocol the event socket speaks; the server selects it. */
export const EVENTS_PROTOCOL = 'regimen.events';

/** Prefix of the second subprotocol a browser offers, which carries the token (base64url, a valid token). */
export const TOKEN_PROTOCOL_PREFIX = 'regimen.token.';

/** The fragment key of the printed URL (`http://127.0.0.1:PORT/#token=...`). */
export const TOKEN_FRAGMENT_KEY = 'token';

/**
 * `POST /api/<this>?name=FILE&options=JSON` with the file as the body: a browser's picked file goes through
 * `data:import` without the page knowing a path on the server (it cannot).
 */
export const UPLOAD_IMPORT_CHANNEL = 'upload/data:import';

/**
 * `POST /api/<this>` with a `data:export` request minus `path` and `overwrite` as JSON: the answer is the
 * file itself (named in Content-Disposition, its bar count in `X-Regimen-Bars`), for a browser to save
 * where its user says; the services write it to a private folder first, removed once sent.
 */
export const DOWNLOAD_EXPORT_CHANNEL = 'download/data:export';

/** The response header that carries a download's bar count. */
export const EXPORT_BARS_HEADER = 'x-regimen-bars';
