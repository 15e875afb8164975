import type { DataAlpacaRetry } from './dataContract.ts';

/**
 * "Alpaca answered 429 rate limited; retry 2 of 20 in 4 s": the line that says a fetch is waiting on
 * Alpaca rather than hung. Made of the event's figures only, so no key or URL can reach it.
 */
export function alpacaRetryText({ reason, status, attempt, limit, delayMs }: DataAlpacaRetry): string {
  const seconds = delayMs / 1000;
  const wait = seconds < 10 ? `${Number(seconds.toFixed(1))} s` : `${Math.round(seconds)} s`;
  const what =
    reason === 'network'
      ? 'Alpaca did not answer'
      : `Alpaca answered ${status ?? ''} ${reason === 'rate-limited' ? 'rate limited' : 'server error'}`;
  return `${what}; retry ${attempt} of ${limit} in ${wait}`;
}
