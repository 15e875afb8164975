import { expect, it } from 'vitest';
import { RateLimiter } from './rateLimiter.ts';

it('spaces request starts at the configured rate while several run at once', async () => {
  const limiter = new RateLimiter({ requestsPerMinute: 6_000, maxInFlight: 3 });
  const starts: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 30 }, async () => {
      const release = await limiter.acquire();
      starts.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 25));
      release();
    }),
  );
  starts.sort((a, b) => a - b);
  // 6,000/min = one start per 10 ms: 30 starts take at least 290 ms.
  expect(starts.at(-1)!).toBeGreaterThanOrEqual(285);
  for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(8);
  expect(limiter.peakInFlight).toBe(3);
  expect(limiter.started).toBe(30);
});

it('a pause holds every start until it has passed', async () => {
  const limiter = new RateLimiter({ requestsPerMinute: 60_000, maxInFlight: 4 });
  limiter.pause(150);
  const started = performance.now();
  const release = await limiter.acquire();
  expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  release();
});
