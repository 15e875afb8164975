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
    if (secret.length < 16) throw new RangeError('the bot secret must be at least 16 characters');
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
