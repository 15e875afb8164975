import { describe, expect, it } from 'vitest';
import { alpacaRetryText } from './alpacaRetryText.ts';

describe('alpacaRetryText', () => {
  it('says what Alpaca answered, which retry of how many, and the wait in seconds', () => {
    expect(
      alpacaRetryText({ reason: 'rate-limited', status: 429, attempt: 2, limit: 5, delayMs: 4000 }),
    ).toBe('Alpaca answered 429 rate limited; retry 2 of 5 in 4 s');
    expect(alpacaRetryText({ reason: 'server-error', status: 503, attempt: 1, limit: 5, delayMs: 372 })).toBe(
      'Alpaca answered 503 server error; retry 1 of 5 in 0.4 s',
    );
    expect(alpacaRetryText({ reason: 'network', attempt: 3, limit: 5, delayMs: 12_600 })).toBe(
      'Alpaca did not answer; retry 3 of 5 in 13 s',
    );
  });
});
