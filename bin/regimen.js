#!/usr/bin/env node
// Runs the compiled CLI (out/cli, built by `npm run build` and by `npm install`'s prepare step), which
// starts in a fraction of a second. When any source is newer than that build (an edit, a pull, a fresh
// clone installed with --ignore-scripts) it runs the TypeScript sources through tsx instead, which costs
// seconds of transpiling but never runs stale code; worker threads get the same loader (see
// src/main/compute/pool.ts). REGIMEN_FROM_SOURCES=1 forces the sources.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}out/cli/main.js`;

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -Infinity;
  }
}

/** The newest modification time among what the CLI build compiles (tests excluded). */
function newestSource(dir) {
  let newest = -Infinity;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, mtime(path));
  }
  return newest;
}

function compiledIsFresh() {
  if (process.env.REGIMEN_FROM_SOURCES === '1') return false;
  const builtAt = mtime(built);
  if (builtAt === -Infinity) return false;
  const inputs = ['src/core', 'src/shared', 'src/main'].map((dir) => newestSource(`${root}${dir}`));
  inputs.push(mtime(`${root}package.json`), mtime(`${root}vite.cli.config.ts`));
  return Math.max(...inputs) <= builtAt;
}

// `regimen data list | head` closes stdout early: that ends the output, it is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
let main;
if (compiledIsFresh()) {
  ({ main } = await import(built));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
