import { inspect } from 'node:util';
import type { SecretStore } from '../secrets/secretStore.ts';

export const ALPACA_KEY_ID_SECRET = 'alpaca.keyId';
export const ALPACA_SECRET_KEY_SECRET = 'alpaca.secretKey';

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
    return { source: this.source, keyId: '[redacted]', secretKey: '[redacted]' };
  }

  toString(): string {
    return `AlpacaCredentials(${this.source}, redacted)`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * The key pair to use: APCA_API_KEY_ID / APCA_API_SECRET_KEY when both are set (an explicit override
 * for one run), else the pair saved in the secret store; null when neither has one.
 */
export async function resolveAlpacaCredentials(
  store: SecretStore | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AlpacaCredentials | null> {
  const envKey = env['APCA_API_KEY_ID'];
  const envSecret = env['APCA_API_SECRET_KEY'];
  if (envKey && envSecret) return new AlpacaCredentials(envKey, envSecret, 'environment');
  if (!store) return null;
  const [keyId, secretKey] = await Promise.all([
    store.get(ALPACA_KEY_ID_SECRET),
    store.get(ALPACA_SECRET_KEY_SECRET),
  ]);
  if (keyId && secretKey)
    return new AlpacaCredentials(keyId, secretKey, store.kind === 'keychain' ? 'keychain' : 'memory');
  return null;
}

/** Saves a key pair in the secret store (the settings screen and `regimen` key commands call this). */
export async function saveAlpacaCredentials(
  store: SecretStore,
  keyId: string,
  secretKey: string,
): Promise<void> {
  await store.set(ALPACA_KEY_ID_SECRET, keyId);
  await store.set(ALPACA_SECRET_KEY_SECRET, secretKey);
}

/** Replaces every occurrence of a secret in a text (an upstream error body could echo a header). */
export function redact(text: string, credentials: AlpacaCredentials | null | undefined): string {
  if (!credentials) return text;
  let out = text;
  for (const secret of credentials.secrets)
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
