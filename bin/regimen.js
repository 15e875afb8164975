#!/usr/bin/env node
// The CLI runs from the TypeScript sources through tsx, so `npx regimen` works right after `npm install`
// with no build step; worker threads get the same loader (see src/main/compute/pool.ts).
import { register } from 'tsx/esm/api';

register();
// `regimen data list | head` closes stdout early: that ends the output, it is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../src/main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
