import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { LiveBotEntry } from '../../../shared/liveContract.ts';

/**
 * The bots the workstation watches: names, URLs and the auto-pause choice, in live-bots.json beside the
 * cache. No secret is in it: every bot shares the one bot secret from the keychain or the environment.
 */
export function botRegistryPath(dataDir: string): string {
  return join(dataDir, 'live-bots.json');
}

const RegistryFile = z.object({ bots: z.array(LiveBotEntry) });

export class BotRegistry {
  constructor(private readonly path: string) {}

  list(): LiveBotEntry[] {
    if (!existsSync(this.path)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new Error(`${this.path} is not JSON (${(error as Error).message}): fix or remove it`);
    }
    const result = RegistryFile.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new Error(`${this.path}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
    }
    return result.data.bots;
  }

  /** Adds a bot, or renames it and updates its auto-pause when its URL is already listed. */
  add(entry: LiveBotEntry): LiveBotEntry {
    const bots = this.list().filter((b) => b.url !== entry.url);
    this.write([...bots, entry]);
    return entry;
  }

  remove(url: string): boolean {
    const bots = this.list();
    const kept = bots.filter((b) => b.url !== url);
    if (kept.length !== bots.length) this.write(kept);
    return kept.length !== bots.length;
  }

  private write(bots: readonly LiveBotEntry[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ bots }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
