import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where Regimen keeps its data: --data-dir, then REGIMEN_DATA_DIR, then the platform's user data folder
 * (XDG_DATA_HOME on Linux). The Electron app passes its userData folder as the fallback instead.
 */
export function resolveDataDir(flag: string | undefined, fallback?: string): string {
  if (flag) return resolve(flag);
  const fromEnv = process.env['REGIMEN_DATA_DIR'];
  if (fromEnv) return resolve(fromEnv);
  if (fallback) return fallback;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Regimen');
  if (process.platform === 'win32')
    return join(process.env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Regimen');
  return join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'regimen');
}

export function databasePath(dataDir: string): string {
  return join(dataDir, 'regimen.duckdb');
}
