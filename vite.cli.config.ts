import { relative, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;

/**
 * The CLI and its worker compiled to plain ESM for Node (out/cli), so a command starts in a fraction of
 * a second instead of spending seconds transpiling TypeScript through tsx. Dependencies stay external
 * (an SSR build resolves them from node_modules at run time: the native DuckDB and keyring addons among
 * them). DuckDB's JavaScript API (124 CommonJS files) and zod are bundled in: Node scans every CommonJS
 * file an ES module imports for its exports, which cost ~0.2 s of CPU per command; the native bindings,
 * Piscina (which finds its own worker file on disk) and the Alpaca client stay external. Chunks sit
 * beside the entries, so `new URL('./worker.js', import.meta.url)` finds the worker from whichever file
 * holds the pool.
 */
/**
 * Writes out/cli/inputs.json: the sources compiled into the build (paths from the repository root).
 * bin/regimen.js checks only these for edits newer than the build, not every file under src/ (a walk
 * that took a quarter of `regimen --help`'s time).
 */
function inputsManifest(): Plugin {
  return {
    name: 'regimen-cli-inputs',
    generateBundle(_options, bundle) {
      const inputs = new Set<string>();
      for (const output of Object.values(bundle))
        if (output.type === 'chunk')
          for (const id of output.moduleIds) {
            const path = relative(root, id);
            if (path.startsWith('src/')) inputs.add(path);
          }
      this.emitFile({
        type: 'asset',
        fileName: 'inputs.json',
        source: JSON.stringify([...inputs].sort()),
      });
    },
  };
}

export default defineConfig({
  plugins: [inputsManifest()],
  ssr: { noExternal: ['@duckdb/node-api', 'zod'] },
  build: {
    ssr: true,
    target: 'node20',
    outDir: resolve(root, 'out/cli'),
    emptyOutDir: true,
    minify: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: {
        main: resolve(root, 'src/main/cli/main.ts'),
        worker: resolve(root, 'src/main/compute/worker.ts'),
        // A remote worker's sandbox child (regimen worker) is started from its own file, like the pool's.
        sandbox: resolve(root, 'src/main/compute/remote/sandbox.ts'),
      },
      output: { format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
});
