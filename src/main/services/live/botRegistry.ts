import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  BOT_TIMEOUT_DEFAULTS,
  BotTimeoutSettings,
  LiveBotEntry,
  RegimeUpdateSettings,
} from '../../../shared/liveContract.ts';
import type { BotTimeouts } from '../../livebot/botClient.ts';

/**
 * The bots the workstation watches: names, URLs and the auto-pause choice, in live-bots.json beside the
 * cache, with the alarm webhook's address. No secret is in it: every bot shares the one bot secret from
 * the keychain or the environment, and the webhook's signing secret is in the keychain too.
 */
export function botRegistryPath(dataDir: string): string {
  return join(dataDir, 'live-bots.json');
}

const RegistryFile = z.object({
  bots: z.array(LiveBotEntry),
  /** Where alarms are posted (its signing secret is in the keychain, not here). */
  webhook: z.object({ url: z.string() }).optional(),
  /** Each bot's regime-driven updates, by URL (absent: off). */
  regimeUpdates: z.record(z.string(), RegimeUpdateSettings).optional(),
  /** How long a request to a bot waits for its answer (absent: the defaults). */
  botTimeouts: BotTimeoutSettings.optional(),
});
type RegistryFile = z.output<typeof RegistryFile>;

export class BotRegistry {
  constructor(private readonly path: string) {}

  list(): LiveBotEntry[] {
    return this.read().bots;
  }

  webhookUrl(): string | null {
    return this.read().webhook?.url ?? null;
  }

  setWebhookUrl(url: string | null): void {
    const file = this.read();
    this.write({ ...file, webhook: url === null ? undefined : { url } });
  }

  regimeUpdates(url: string): RegimeUpdateSettings | null {
    return this.read().regimeUpdates?.[url] ?? null;
  }

  setRegimeUpdates(url: string, settings: RegimeUpdateSettings): void {
    const file = this.read();
    this.write({ ...file, regimeUpdates: { ...file.regimeUpdates, [url]: settings } });
  }

  botTimeouts(): BotTimeoutSettings {
    return this.read().botTimeouts ?? { ...BOT_TIMEOUT_DEFAULTS };
  }

  setBotTimeouts(timeouts: BotTimeoutSettings): void {
    this.write({ ...this.read(), botTimeouts: timeouts });
  }

  /** The bounds a BotClient waits within, in its milliseconds. */
  clientTimeouts(): BotTimeouts {
    const { pushSeconds, readSeconds } = this.botTimeouts();
    return { pushMs: pushSeconds * 1000, readMs: readSeconds * 1000 };
  }

  private read(): RegistryFile {
    if (!existsSync(this.path)) return { bots: [] };
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
    return result.data;
  }

  /** Adds a bot, or renames it and updates its auto-pause when its URL is already listed. */
  add(entry: LiveBotEntry): LiveBotEntry {
    const file = this.read();
    this.write({ ...file, bots: [...file.bots.filter((b) => b.url !== entry.url), entry] });
    return entry;
  }

  remove(url: string): boolean {
    const file = this.read();
    const kept = file.bots.filter((b) => b.url !== url);
    const regimeUpdates = Object.fromEntries(
      Object.entries(file.regimeUpdates ?? {}).filter(([u]) => u !== url),
    );
    if (kept.length !== file.bots.length) this.write({ ...file, bots: kept, regimeUpdates });
    return kept.length !== file.bots.length;
  }

  private write(file: RegistryFile): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
