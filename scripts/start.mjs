// `npm start`: builds, then opens the desktop app. Where Electron's binary is absent (installed with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 on a headless box) it serves the same app to a browser instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run('npx', ['electron-vite', 'build']);

const require = createRequire(import.meta.url);
const electronDir = require.resolve('electron/package.json').replace(/package\.json$/, '');
const pathFile = `${electronDir}path.txt`;
const binary = existsSync(pathFile)
  ? `${electronDir}dist/${readFileSync(pathFile, 'utf8').trim()}`
  : undefined;
const extra = process.argv.slice(2);

if (binary && existsSync(binary)) {
  spawn(binary, ['.', ...extra], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error('Electron binary not installed (headless install): serving the app to a browser instead.');
  spawn(process.execPath, ['bin/regimen.js', 'serve', ...extra], { stdio: 'inherit' }).on('exit', (code) =>
    process.exit(code ?? 0),
  );
}
