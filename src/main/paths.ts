import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { nextDataFolderOf } from './services/settings/settingsStore.ts';

/**
 * Where Regimen keeps its data: --data-dir, then REGIMEN_DATA_DIR, then the platform's user data folder
 * (XDG_DATA_HOME on Linux); the Electron app passes its userData folder as the fallback instead. When
 * that folder's settings say the data moved (Settings > Data folder, `regimen settings data-folder`),
 * the folder it moved to: one step only, so two folders pointing at each other cannot loop.
 */
export function resolveDataDir(flag: string | undefined, fallback?: string): string {
  const named = namedDataDir(flag, fallback);
  return nextDataFolderOf(named) ?? named;
}

function namedDataDir(flag: string | undefined, fallback: string | undefined): string {
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
