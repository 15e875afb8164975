import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

/**
 * The dev server needs what the production CSP forbids: React Refresh's inline preamble script and the
 * HMR WebSocket. Relax the meta CSP only when serving in development; builds keep it strict.
 */
function devContentSecurityPolicy(): Plugin {
  return {
    name: 'regimen:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // package.json dependencies (native DuckDB and keyring addons among them) stay external.
      externalizeDeps: true,
      rolldownOptions: {
        // Compiles the user's strategy files at start (vite's own copy: a native binary, never bundled).
        external: ['esbuild'],
        input: {
          index: resolve(root, 'src/main/electron/index.ts'),
          worker: resolve(root, 'src/main/compute/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // Sandboxed preloads are plain scripts: CommonJS with everything bundled in.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    base: './',
    plugins: [react(), devContentSecurityPolicy()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      // One bundle served from disk or 127.0.0.1; ECharts' canvas charts are most of its ~2 MB unminified.
      chunkSizeWarningLimit: 2500,
      rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
});
