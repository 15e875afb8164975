/**
 * Issue 9 items 9 and 10: a 1 GB CSV import's peak memory (target: under 300 MB) and the latency of a
 * trivial request (`app:info`, asked every 10 ms) while it runs (target: under 100 ms). Each file is
 * generated in a temp dir and deleted after. The baselines come from the same child: its RSS before the
 * import, and app:info's latencies for 3 s before it.
 *
 * The child runs compiled, as the app and the CLI do (built here with the CLI's vite config into
 * out/bench): run from sources, tsx's loader threads in the process and in the worker would add tens of MB
 * that no user's process holds. Its RSS is sampled every 50 ms over the whole process tree (children too),
 * beside the kernel's high-water mark of the process itself (worker threads included).
 *
 * The child's figures are split by the import's stages (see ImportStage): reading and parsing into the
 * staging file, DuckDB's load, the calendar after it; each with its peaks (RSS, the main thread's heap,
 * the pool worker's heap) and its latencies (app:info, the event loop's delay).
 *
 * Run: `npm run bench -- import`. REGIMEN_BENCH_IMPORT_MB lists the sizes, one run each
 * (default "1024"; e.g. "64,256,1024,1024"); REGIMEN_BENCH_CPU_PROF=DIR writes CPU profiles there.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { ChildFigures, Latencies } from './importChild.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'out/bench');

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

/** Resident MB of a process and all its descendants now (0 once it has exited). */
function treeRssMb(pid: number): number {
  let kb = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop()!;
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${current}/status`, 'utf8'))?.[1] ?? 0);
      const children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim();
      if (children !== '') pending.push(...children.split(/\s+/).map(Number));
    } catch {
      // Exited between the listing and the read.
    }
  }
  return kb / 1024;
}

/**
 * Runs the compiled child on `file`; resolves with its figures and the sampled peak of its tree. With
 * REGIMEN_BENCH_CPU_PROF set to a folder, the child writes a CPU profile of each of its threads there.
 */
async function runChild(dataDir: string, file: string): Promise<ChildFigures & { peakTreeMb: number }> {
  const profiles = process.env['REGIMEN_BENCH_CPU_PROF'];
  const flags = profiles ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [];
  const child = spawn(process.execPath, [...flags, join(OUT, 'importChild.js'), dataDir, file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let peakTreeMb = 0;
  const sampler = setInterval(() => (peakTreeMb = Math.max(peakTreeMb, treeRssMb(child.pid!))), 50);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`import child failed (${code}): ${stderr}`);
  const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildFigures;
  return { ...figures, peakTreeMb };
}

export async function runImportBench(): Promise<void> {
  const sizes = (process.env['REGIMEN_BENCH_IMPORT_MB'] ?? '1024').split(',').map(Number);
  await build({
    configFile: join(ROOT, 'vite.cli.config.ts'),
    logLevel: 'warn',
    build: {
      outDir: OUT,
      rolldownOptions: { input: { importChild: join(import.meta.dirname, 'importChild.ts') } },
    },
  });
  const row = (name: string, value: string, target = ''): void =>
    console.log(`${name.padEnd(46)} ${value.padStart(24)}  ${target}`);
  const ms = (l: Latencies): string => `${l.p50.toFixed(1)} / ${l.p99.toFixed(1)} / ${l.max.toFixed(1)}`;
  for (const megabytes of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'regimen-import-bench-'));
    try {
      const file = join(dir, 'BENCH_1min.csv');
      const rows = writeMinuteCsv(file, megabytes);
      const loadBefore = loadavg()[0]!;
      const figures = await runChild(join(dir, 'data'), file);
      console.log(
        `\n${megabytes} MB, ${rows.toLocaleString('en-US')} rows (load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)})`,
      );
      row('bars imported', figures.bars.toLocaleString('en-US'));
      row('import time', `${figures.elapsedS.toFixed(1)} s`);
      row('RSS before the import (baseline)', `${figures.baselineRssMb.toFixed(0)} MB`);
      row(
        'peak RSS of the process (threads included)',
        `${figures.peakRssMb.toFixed(0)} MB`,
        'target < 300 MB',
      );
      row('peak RSS of the process tree (sampled)', `${figures.peakTreeMb.toFixed(0)} MB`);
      const during = figures.stages.filter((s) => s.stage !== 'idle');
      row(
        'app:info max over the stages',
        `${Math.max(...during.map((s) => s.latencies.max)).toFixed(1)} ms`,
        'target < 100 ms',
      );
      console.log(
        `${'stage'.padEnd(9)}${'time s'.padStart(8)}${'RSS'.padStart(7)}${'main heap'.padStart(11)}` +
          `${'worker heap'.padStart(13)}${'external'.padStart(10)}   app:info p50 / p99 / max   loop p99 / max (ms)`,
      );
      for (const s of figures.stages) {
        const l = s.latencies;
        console.log(
          `${s.stage.padEnd(9)}${s.seconds.toFixed(1).padStart(8)}${s.peakRssMb.toFixed(0).padStart(7)}` +
            `${s.peakMainHeapMb.toFixed(0).padStart(11)}${s.peakWorkerHeapMb.toFixed(0).padStart(13)}` +
            `${s.peakExternalMb.toFixed(0).padStart(10)}   ${ms(l).padEnd(25)}  ${l.loopP99.toFixed(1)} / ${l.loopMax.toFixed(1)}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runImportBench();
