import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real price data beside the repository (../shared/data, see its SOURCES.md): read in place, never
 * copied. Tests that need a file skip with `skipReason` in their title when it is absent.
 */
export const SHARED_DATA_DIR = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

export function sharedDataFile(name: string): { path: string; present: boolean; skipReason: string } {
  const path = `${SHARED_DATA_DIR}${name}`;
  const present = existsSync(path);
  return { path, present, skipReason: present ? '' : ` (skipped: ${path} is absent)` };
}
