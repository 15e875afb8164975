import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const started = vi.hoisted(() => ({ count: 0 }));
vi.mock('piscina', () => ({
  Piscina: class {
    constructor() {
      started.count++;
    }
    run(): Promise<unknown> {
      return Promise.resolve({ outcomes: [] });
    }
    destroy(): Promise<void> {
      return Promise.resolve();
    }
  },
}));

const { ComputePool, sourceLoaderArgs } = await import('./pool.ts');

describe('ComputePool', () => {
  afterEach(() => {
    started.count = 0;
  });

  it('starts no worker until the first task, so commands that never compute do not pay for one', async () => {
    const pool = new ComputePool(3);
    expect(pool.threads).toBe(3);
    expect(started.count).toBe(0);
    await pool.close();
    expect(started.count).toBe(0);
  });

  it('starts its workers early when warmed, once', async () => {
    const pool = new ComputePool(2);
    pool.warm();
    expect(started.count).toBe(1);
    pool.warm();
    await pool.run({ kind: 'trials' } as unknown as Parameters<typeof pool.run>[0]);
    expect(started.count).toBe(1);
    await pool.close();
  });

  it('starts its workers once, on the first task, and again after close', async () => {
    const pool = new ComputePool(2);
    const task = {
      kind: 'trials',
      dataset: { id: 'x', bars: undefined },
      strategy: 'sma-cross',
      paramSets: [],
      options: {},
    } as unknown as Parameters<typeof pool.run>[0];
    await pool.run(task);
    await pool.run(task);
    expect(started.count).toBe(1);
    await pool.close();
    await pool.run(task);
    expect(started.count).toBe(2);
    await pool.close();
  });
});

describe('workers started from the sources', () => {
  it('load the TypeScript loader from any working directory, not only the project folder', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'regimen-pool-cwd-'));
    try {
      const run = spawnSync(process.execPath, [...sourceLoaderArgs(), '-e', ''], { cwd: elsewhere });
      expect(run.status, run.stderr.toString()).toBe(0);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
