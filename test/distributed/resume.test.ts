/**
 * The coordinator (the CLI) killed with SIGKILL mid-study and resumed with --resume while the workers
 * keep going: what was stored stays as it was (not told twice), what the workers finished meanwhile is
 * read back from Redis, and the study equals an uninterrupted local run of the seed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { SLOW_SMA } from '../support/slowStrategy.ts';
import { distributedSkip, goog, skipTitle } from './harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The coordinator loads the test strategy too (its engine hash must be the workers'). */
const SLOW_IMPORTS = ['--import', 'tsx', '--import', './test/support/slowStrategy.ts'];
const TRIALS = 40;

interface Trial {
  number: number;
  status: string;
  params: Record<string, number>;
  values: number[] | null;
  metrics: Record<string, number>;
  finishedAt: number;
}

function cli(
  imports: string[],
  args: string[],
  onStderr?: (text: string, kill: () => void) => void,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...imports, `${ROOT}bin/regimen.js`, ...args], {
    cwd: ROOT,
    env: { ...process.env, REGIMEN_FROM_SOURCES: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, () => child.kill('SIGKILL'));
  });
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

const study = (strategy: string, dataDir: string): string[] => [
  'optimize',
  '--csv',
  goog.path,
  '--strategy',
  strategy,
  '--space',
  'fast=16:40',
  '--space',
  'slow=41:120',
  '--sampler',
  'random',
  '--trials',
  String(TRIALS),
  '--seed',
  '5',
  '--data-dir',
  dataDir,
];

const comparable = (t: Trial) => ({
  number: t.number,
  status: t.status,
  params: t.params,
  values: t.values,
  metrics: t.metrics,
});

describe.skipIf(distributedSkip !== null)(`the coordinator killed and resumed${skipTitle}`, () => {
  let redis: TestRedis;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    workers.push(
      ...[1, 2].map(() => startWorker(redis.url, { imports: ['./test/support/slowStrategy.ts'] })),
    );
    await Promise.all(workers.map((w) => w.ready));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  });

  it('--resume keeps what was stored, takes what workers finished meanwhile, and equals the local run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-resume-'));
    const remote = ['--redis', redis.url, '--chunk-size', '3'];
    const killed = await cli(
      SLOW_IMPORTS,
      [...study(SLOW_SMA.name, dataDir), ...remote, '--progress', 'lines'],
      (text, kill) => {
        const done = [...text.matchAll(/progress running (\d+)\//g)].map((m) => Number(m[1]));
        if (done.some((d) => d >= 9)) kill();
      },
    );
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const studyId = /study (\S+) running/.exec(killed.stderr)![1]!;

    const resumed = await cli(SLOW_IMPORTS, [
      'optimize',
      '--resume',
      studyId,
      '--data-dir',
      dataDir,
      ...remote,
      '--json',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = JSON.parse(resumed.stdout) as { state: string; trials: Trial[] };
    expect(after.state).toBe('complete');

    const local = await cli(
      ['--import', 'tsx'],
      [...study('sma-cross', mkdtempSync(join(tmpdir(), 'regimen-local-'))), '--json'],
    );
    expect(local.code, local.stderr).toBe(0);
    const reference = JSON.parse(local.stdout) as { trials: Trial[] };
    expect(after.trials.map(comparable)).toEqual(reference.trials.map(comparable));
    expect(after.trials.filter((t) => t.status === 'complete')).toHaveLength(TRIALS);
  }, 120_000);
});
