import { constantTimeEqual, hmacSha256, sha256Hex, toHex, utf8 } from '../math/sha256.ts';

/**
 * Request signing for the bot protocol, both directions. The signature is HMAC-SHA-256, keyed by the
 * shared bot secret, over method, path, timestamp, nonce and the SHA-256 of the body, one per line. A
 * verifier accepts a request only inside a clock window (30 s by default) and only once per nonce: an
 * altered body, a replay, a stale or a forged request is refused, and the refusal says which.
 */
export const SIGNATURE_HEADERS = {
  timestamp: 'x-regimen-timestamp',
  nonce: 'x-regimen-nonce',
  signature: 'x-regimen-signature',
} as const;

export interface SignedParts {
  readonly method: string;
  /** Path with query string, as sent. */
  readonly path: string;
  /** Epoch ms. */
  readonly timestamp: number;
  readonly nonce: string;
  readonly body: string;
}

export function signingString(parts: SignedParts): string {
  return [
    parts.method.toUpperCase(),
    parts.path,
    String(parts.timestamp),
    parts.nonce,
    sha256Hex(parts.body),
  ].join('\n');
}

export function sign(parts: SignedParts, secret: string): string {
  return toHex(hmacSha256(utf8(secret), utf8(signingString(parts))));
}

/**
 * The fewest characters a bot secret may have: an HMAC key short enough to guess signs nothing, and a value
 * that short could not be told from ordinary words when masking it. Refused wherever a secret is given to
 * a signer or verifier, naming this minimum.
 */
export const MIN_BOT_SECRET_LENGTH = 16;

/**
 * Refuses a secret too short to be one; `where` names where it was given, `what` which secret it is (the
 * webhook's signing secret is an HMAC key too, held to the same minimum).
 */
export function checkBotSecret(secret: string, where: string, what = 'the bot secret'): void {
  if (secret.length < MIN_BOT_SECRET_LENGTH)
    throw new RangeError(
      `${what} ${where} has ${secret.length} characters: it needs at least ${MIN_BOT_SECRET_LENGTH}`,
    );
}

export type Refusal = 'missing-headers' | 'stale-timestamp' | 'reused-nonce' | 'bad-signature';

export interface VerifierOptions {
  /** Largest accepted |now - timestamp|, ms (30 s). */
  readonly windowMs?: number;
  readonly now?: () => number;
}

/** Remembers the nonces it accepted while they are inside the window; older ones are refused as stale. */
export class RequestVerifier {
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly secret: string,
    options: VerifierOptions = {},
  ) {
    checkBotSecret(secret, 'given to the bot server');
    this.windowMs = options.windowMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** Undefined when the request is accepted (its nonce is then spent), else why it is refused. */
  verify(
    parts: Omit<SignedParts, 'timestamp' | 'nonce'> & {
      readonly timestamp: string | undefined;
      readonly nonce: string | undefined;
      readonly signature: string | undefined;
    },
  ): Refusal | undefined {
    const { timestamp, nonce, signature } = parts;
    if (!timestamp || !nonce || !signature || nonce.length > 128) return 'missing-headers';
    const at = Number(timestamp);
    const now = this.now();
    if (!Number.isFinite(at) || Math.abs(now - at) > this.windowMs) return 'stale-timestamp';
    this.forgetBefore(now - this.windowMs);
    const expected = sign({ ...parts, timestamp: at, nonce }, this.secret);
    // The signature is checked before the nonce is spent, so a forger cannot burn a genuine nonce.
    if (!constantTimeEqual(expected, signature)) return 'bad-signature';
    if (this.seen.has(nonce)) return 'reused-nonce';
    this.seen.set(nonce, at);
    return undefined;
  }

  private forgetBefore(cutoff: number): void {
    for (const [nonce, at] of this.seen) if (at < cutoff) this.seen.delete(nonce);
  }
}

/** What a refused request is told: the code names the rule, the message says it in words. */
export const REFUSAL_MESSAGES: Readonly<Record<Refusal, string>> = {
  'missing-headers': `the request is not signed (${Object.values(SIGNATURE_HEADERS).join(', ')} are required)`,
  'stale-timestamp': 'the request timestamp is outside the 30 s window of the bot clock',
  'reused-nonce': 'the request nonce was already used (a replay)',
  'bad-signature': 'the request signature does not match (wrong secret, or the request was altered)',
};

/** A request as Node's HTTP server gives it (IncomingMessage fits), without depending on Node. */
export interface IncomingRequest {
  readonly method?: string;
  /** Path with query string, as sent. */
  readonly url?: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/**
 * Verifies a whole request against the signing rules: undefined when accepted (its nonce is then spent),
 * else the refusal's code and message. Every bot calls this before reading anything else of a request,
 * so an unsigned caller learns nothing, not even whether a path exists.
 */
export function verifyRequest(
  verifier: RequestVerifier,
  request: IncomingRequest,
  body: string,
): { readonly code: Refusal; readonly message: string } | undefined {
  // Node gives a header sent twice as an array: the first copy is the one checked, never a merge.
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : value?.[0];
  };
  const code = verifier.verify({
    method: request.method ?? 'GET',
    path: request.url ?? '/',
    body,
    timestamp: header(SIGNATURE_HEADERS.timestamp),
    nonce: header(SIGNATURE_HEADERS.nonce),
    signature: header(SIGNATURE_HEADERS.signature),
  });
  return code === undefined ? undefined : { code, message: REFUSAL_MESSAGES[code] };
}
