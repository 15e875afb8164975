// `npm start`: builds, then opens the desktop app, or serves the same app to a browser where Electron
// cannot run (desktopLaunch.ts decides, and says why).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchPlan } from './desktopLaunch.ts';

const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const require = createRequire(import.meta.url);
const electronDir = require.resolve('electron/package.json').replace(/package\.json$/, '');
const electronPackage = JSON.parse(readFileSync(`${electronDir}package.json`, 'utf8')) as {
  engines?: { node?: string };
};
const pathFile = `${electronDir}path.txt`;
const binary = existsSync(pathFile)
  ? `${electronDir}dist/${readFileSync(pathFile, 'utf8').trim()}`
  : undefined;

const plan = launchPlan({
  nodeVersion: process.versions.node,
  platform: process.platform,
  env: process.env,
  electronNodeRange: electronPackage.engines?.node ?? '>=0',
  electronBinary: binary !== undefined && existsSync(binary) ? binary : undefined,
});
if (plan.mode === 'browser') console.error(plan.reason);
const extra = process.argv.slice(2);
const [command, args] =
  plan.mode === 'desktop'
    ? [plan.binary, ['.', ...extra]]
    : [process.execPath, ['bin/regimen.js', 'serve', ...extra]];
spawn(command, args, { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
