/**
 * The discovery file: how a Regimen process that owns a data folder (the app or `regimen serve`, which
 * hold its DuckDB file open, so no other process can) tells a CLI started later where to send its
 * requests instead. It holds the port and the per-launch token, so it is readable by the user only
 * (mode 0600 from its creation), written atomically (a private temporary file renamed over the old one,
 * so a reader never sees half a file) and removed on a clean exit. A file left by a crash is stale: its
 * pid is dead, or its server does not answer; readers ignore it and the next owner replaces it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const DISCOVERY_FILE = 'regimen.owner.json';

const OwnerFile = z
  .object({
    pid: z.number().int().positive(),
    port: z.number().int().min(1).max(65_535),
    token: z.string().min(16),
    host: z.enum(['electron', 'http']),
    version: z.string(),
  })
  .strict();

/** What the owner of a data folder announces. */
export type OwnerFile = z.output<typeof OwnerFile>;

export function discoveryPath(dataDir: string): string {
  return join(dataDir, DISCOVERY_FILE);
}

/** Writes (or replaces) the folder's discovery file atomically, readable by the user only. */
export async function writeDiscovery(dataDir: string, owner: OwnerFile): Promise<void> {
  const path = discoveryPath(dataDir);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  // 'wx' refuses to follow or reuse an existing path; the mode applies from creation, before the token is written.
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(owner));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
}

/** The folder's discovery file, or null when there is none or it is not one (never throws). */
export function readDiscovery(dataDir: string): OwnerFile | null {
  try {
    const parsed = OwnerFile.safeParse(JSON.parse(readFileSync(discoveryPath(dataDir), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Removes the discovery file if it is still this process's own (a newer owner's file stays). Synchronous,
 * so it also runs from an 'exit' handler.
 */
export function removeDiscovery(dataDir: string, pid: number = process.pid): void {
  if (readDiscovery(dataDir)?.pid !== pid) return;
  try {
    unlinkSync(discoveryPath(dataDir));
  } catch {
    // Already gone.
  }
}

/** True while a process with this id exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Announces this process as the owner of `dataDir` until `release()` or the process exits (even on an
 * uncaught error; a kill -9 leaves a stale file, which readers detect).
 */
export async function announceOwner(
  dataDir: string,
  owner: Omit<OwnerFile, 'pid'>,
): Promise<{ release(): void }> {
  await writeDiscovery(dataDir, { ...owner, pid: process.pid });
  const onExit = (): void => removeDiscovery(dataDir);
  process.once('exit', onExit);
  return {
    release: () => {
      process.removeListener('exit', onExit);
      removeDiscovery(dataDir);
    },
  };
}
