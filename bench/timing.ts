/** Timing shared by the benches. */

/** How many runs `bestOf` takes the fastest of by default. */
export const RUNS = 3;

/** Wall and CPU milliseconds of the fastest of `runs` runs: on a shared machine CPU time is the steadier. */
export function bestOf(work: () => void, runs = RUNS): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    work();
    const used = process.cpuUsage(cpuStarted);
    wall = Math.min(wall, performance.now() - started);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
  }
  return { wall, cpu };
}
