/**
 * Client-side request pacing for Alpaca's per-minute limit. Request starts are spaced evenly at
 * 60 s / limit (a steady rate never bunches into a burst the server counts against the next window),
 * while up to `maxInFlight` requests run at once so a slow response does not idle the budget. A 429
 * pauses every caller until its Retry-After has passed.
 */
export interface RateLimiterOptions {
  /** Request starts per minute (Alpaca's default plan allows 200). */
  readonly requestsPerMinute: number;
  /** Requests allowed in flight at once. */
  readonly maxInFlight: number;
  readonly now?: () => number;
}

export class RateLimiter {
  private readonly intervalMs: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private nextStart = -Infinity;
  private pausedUntil = -Infinity;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  /** Requests started and the largest number in flight at once, for benchmarks and tests. */
  started = 0;
  peakInFlight = 0;

  constructor(options: RateLimiterOptions) {
    if (!(options.requestsPerMinute > 0)) throw new Error('requestsPerMinute must be positive');
    if (!(options.maxInFlight >= 1)) throw new Error('maxInFlight must be at least 1');
    this.intervalMs = 60_000 / options.requestsPerMinute;
    this.maxInFlight = Math.floor(options.maxInFlight);
    this.now = options.now ?? (() => performance.now() + performance.timeOrigin);
  }

  /** Waits for an in-flight slot and a start time; resolves to the function that frees the slot. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    while (this.inFlight >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      signal?.throwIfAborted();
    }
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.waiting.shift()?.();
    };
    try {
      // Reserve the next start slot before sleeping, so concurrent callers get successive slots.
      for (;;) {
        const now = this.now();
        const start = Math.max(now, this.nextStart, this.pausedUntil);
        if (start <= now) {
          this.nextStart = Math.max(now, this.nextStart) + this.intervalMs;
          break;
        }
        await sleep(start - now, signal);
      }
    } catch (error) {
      release();
      throw error;
    }
    this.started++;
    return release;
  }

  /** Holds every request start until `ms` from now (a 429's Retry-After applies to the whole key). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('Aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('Aborted'));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
