/**
 * `npm run bench`: every benchmark in one run, each printing its figures next to a baseline measured in
 * the same process, so ratios stay meaningful on whatever machine runs them. Name some to run a subset:
 * `npm run bench -- engine data`.
 */
const SUITES: Record<string, () => Promise<{ run: () => unknown }>> = {
  engine: async () => ({ run: (await import('./engine.bench.ts')).runEngineBench }),
  data: async () => ({ run: (await import('./data.bench.ts')).runDataBench }),
  optimize: async () => ({ run: (await import('./optimize.bench.ts')).runOptimizeBench }),
  study: async () => ({ run: (await import('./study.bench.ts')).runStudyBench }),
  cli: async () => ({ run: (await import('./cli.bench.ts')).runCliBench }),
  regime: async () => ({ run: (await import('./regime.bench.ts')).runRegimeBench }),
  import: async () => ({ run: (await import('./import.bench.ts')).runImportBench }),
  mainThread: async () => ({ run: (await import('./mainThread.bench.ts')).runMainThreadBench }),
  distributed: async () => ({ run: (await import('./distributed.bench.ts')).runDistributedBench }),
  live: async () => ({ run: (await import('./live.bench.ts')).runLiveBench }),
  robustness: async () => ({ run: (await import('./robustness.bench.ts')).runRobustnessBench }),
  ml: async () => ({ run: (await import('./ml.bench.ts')).runMlBench }),
  tearSheet: async () => ({ run: (await import('./tearSheet.bench.ts')).runTearSheetBench }),
  importance: async () => ({ run: (await import('./importance.bench.ts')).runImportanceBench }),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(SUITES)) {
  const load = SUITES[name];
  if (!load) {
    console.error(`Unknown benchmark "${name}"; choose from ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ===`);
  const suite = await load();
  await suite.run();
}

export {};
