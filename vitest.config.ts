import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Browser tests poll the page for what a request answers; on a loaded 2-core CI machine that takes
    // seconds, not vitest's 1 s default, and a poll that holds passes as soon as it holds.
    expect: { poll: { timeout: 30_000 } },
  },
});
