#!/usr/bin/env node
// Runs the compiled CLI (out/cli, built by `npm run build` and by `npm install`'s prepare step), which
// starts in a fraction of a second. When any source is newer than that build (an edit, a pull, a fresh
// clone installed with --ignore-scripts) it runs the TypeScript sources through tsx instead, which costs
// seconds of transpiling but never runs stale code; worker threads get the same loader (see
// src/main/compute/pool.ts). REGIMEN_FROM_SOURCES=1 forces the sources.
import { fileURLToPath } from 'node:url';
import { compiledIsFresh } from './freshness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}out/cli/main.js`;

// `regimen data list | head` closes stdout early: that ends the output, it is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
let main;
if (process.env.REGIMEN_FROM_SOURCES !== '1' && compiledIsFresh(root)) {
  ({ main } = await import(built));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
