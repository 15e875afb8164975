import { inspect } from 'node:util';
import { z } from 'zod';
import { REDACTED, redactSecrets } from '../secrets/redact.ts';
import type { SecretStore } from '../secrets/secretStore.ts';

/**
 * The saved pair is one secret-store entry (JSON), so saving is all or nothing: a failure can never leave
 * a key id stored beside another key's secret.
 */
export const ALPACA_KEYS_SECRET = 'alpaca.keys';
const SavedKeys = z.object({ keyId: z.string().min(1), secretKey: z.string().min(1) });

/**
 * An Alpaca key pair. The values are reachable only through `keyId` / `secretKey` (read by the HTTP
 * and stream clients); logging, JSON or an error that embeds the object shows a redacted form.
 */
export class AlpacaCredentials {
  readonly #keyId: string;
  readonly #secretKey: string;

  constructor(
    keyId: string,
    secretKey: string,
    readonly source: 'environment' | 'keychain' | 'memory' | 'explicit',
  ) {
    if (!keyId || !secretKey) throw new Error('Alpaca credentials need both a key id and a secret key');
    this.#keyId = keyId;
    this.#secretKey = secretKey;
  }

  get keyId(): string {
    return this.#keyId;
  }

  get secretKey(): string {
    return this.#secretKey;
  }

  /** Strings that must never appear in output: used by the redaction in error messages. */
  get secrets(): readonly string[] {
    return [this.#keyId, this.#secretKey];
  }

  toJSON(): Record<string, string> {
    return { source: this.source, keyId: REDACTED, secretKey: REDACTED };
  }

  toString(): string {
    return `AlpacaCredentials(${this.source}, redacted)`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The pair from APCA_API_KEY_ID / APCA_API_SECRET_KEY when both are set (an override for one run). */
export function environmentCredentials(env: NodeJS.ProcessEnv): AlpacaCredentials | null {
  const keyId = env['APCA_API_KEY_ID'];
  const secretKey = env['APCA_API_SECRET_KEY'];
  return keyId && secretKey ? new AlpacaCredentials(keyId, secretKey, 'environment') : null;
}

/** The pair saved in the secret store; null when none is (or the entry is not a pair). */
export async function savedCredentials(store: SecretStore): Promise<AlpacaCredentials | null> {
  const raw = await store.get(ALPACA_KEYS_SECRET);
  if (!raw) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  const keys = SavedKeys.safeParse(parsed);
  if (!keys.success) return null;
  return new AlpacaCredentials(
    keys.data.keyId,
    keys.data.secretKey,
    store.kind === 'keychain' ? 'keychain' : 'memory',
  );
}

/**
 * The key pair to use: the environment's when both variables are set (an explicit override for one
 * run), else the pair saved in the secret store; null when neither has one.
 */
export async function resolveAlpacaCredentials(
  store: SecretStore | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AlpacaCredentials | null> {
  return environmentCredentials(env) ?? (store ? savedCredentials(store) : null);
}

/** Saves a key pair in the secret store in one write (the Settings view calls this). */
export async function saveAlpacaCredentials(
  store: SecretStore,
  keyId: string,
  secretKey: string,
): Promise<void> {
  const keys = SavedKeys.parse({ keyId, secretKey });
  await store.set(ALPACA_KEYS_SECRET, JSON.stringify(keys));
}

export async function clearAlpacaCredentials(store: SecretStore): Promise<void> {
  await store.delete(ALPACA_KEYS_SECRET);
}

/** redactSecrets for one key pair. */
export function redact(text: string, credentials: AlpacaCredentials | null | undefined): string {
  return credentials ? redactSecrets(text, credentials.secrets) : text;
}
