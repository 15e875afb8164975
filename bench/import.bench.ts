/**
 * Issue 9 items 9 and 10: a 1 GB CSV import's peak memory (target: under 300 MB) and the latency of a
 * trivial request (`app:info`, asked every 10 ms) while it runs (target: under 100 ms). The file is
 * generated in a temp dir and deleted after. The baseline is the same child's RSS before the import.
 * Run: `npm run bench -- import` (REGIMEN_BENCH_IMPORT_MB sets the size, 1024 by default).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes minute bars as CSV until the file reaches `megabytes`, a few MB at a time (little memory). */
function writeMinuteCsv(path: string, megabytes: number): number {
  const fd = openSync(path, 'w');
  let rows = 0;
  let bytes = 0;
  const t0 = Date.UTC(1990, 0, 1);
  try {
    writeSync(fd, 'timestamp,open,high,low,close,volume\n');
    while (bytes < megabytes * 2 ** 20) {
      const lines: string[] = [];
      for (let k = 0; k < 50_000; k++, rows++) {
        const p = 100 + Math.sin(rows / 500) * 20;
        lines.push(
          `${new Date(t0 + rows * 60_000).toISOString()},${p.toFixed(2)},${(p + 0.3).toFixed(2)},${(p - 0.3).toFixed(2)},${(p + 0.1).toFixed(2)},${1000 + (rows % 977)}`,
        );
      }
      const chunk = `${lines.join('\n')}\n`;
      bytes += writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}

export async function runImportBench(): Promise<void> {
  const megabytes = Number(process.env['REGIMEN_BENCH_IMPORT_MB'] ?? 1024);
  const dir = mkdtempSync(join(tmpdir(), 'regimen-import-bench-'));
  try {
    const file = join(dir, 'BENCH_1min.csv');
    const rows = writeMinuteCsv(file, megabytes);
    console.log(`generated ${megabytes} MB, ${rows.toLocaleString('en-US')} rows`);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'importChild.ts'), join(dir, 'data'), file],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (child.status !== 0) throw new Error(`import child failed: ${child.stderr}`);
    const figures = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    const row = (name: string, value: number, unit: string, target = ''): void =>
      console.log(`${name.padEnd(44)} ${value.toFixed(1).padStart(10)} ${unit.padEnd(6)} ${target}`);
    row('bars imported', figures['bars']!, 'bars');
    row('import time', figures['elapsedS']!, 's');
    row('RSS before the import (baseline)', figures['baselineRssMb']!, 'MB');
    row('peak RSS of the process', figures['peakRssMb']!, 'MB', 'target < 300 MB');
    row("main thread's heap at the sampled peak", figures['heapAtPeakMb']!, 'MB');
    row('app:info max latency during the import', figures['maxLatencyMs']!, 'ms', 'target < 100 ms');
    row('app:info p99 latency', figures['p99LatencyMs']!, 'ms');
    row('event-loop delay max', figures['maxLoopDelayMs']!, 'ms');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runImportBench();
