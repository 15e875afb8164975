import { checkBotSecret, MIN_BOT_SECRET_LENGTH } from '../../core/live/signing.ts';
import { KeychainSecretStore, type SecretStore } from '../secrets/secretStore.ts';

/** The keychain entry (service "regimen") holding the shared bot secret. */
export const BOT_SECRET_NAME = 'bot-secret';
export const BOT_SECRET_ENV = 'REGIMEN_BOT_SECRET';

const MISSING =
  `No bot secret: set ${BOT_SECRET_ENV} (at least ${MIN_BOT_SECRET_LENGTH} characters) or store one in the OS keychain ` +
  `(service "regimen", account "${BOT_SECRET_NAME}") on both the workstation and the bot`;

/**
 * The shared secret that signs bot requests: REGIMEN_BOT_SECRET, else the OS keychain. Errors name where
 * it was looked for, never a value.
 */
export async function resolveBotSecret(
  env: NodeJS.ProcessEnv = process.env,
  keychain: SecretStore = new KeychainSecretStore(),
): Promise<string> {
  const fromEnv = env[BOT_SECRET_ENV];
  let secret: string | null | undefined = fromEnv;
  if (secret === undefined || secret === '') {
    try {
      secret = await keychain.get(BOT_SECRET_NAME);
    } catch {
      secret = null;
    }
  }
  if (secret === null || secret === undefined || secret === '') throw new Error(MISSING);
  checkBotSecret(secret, fromEnv ? `in ${BOT_SECRET_ENV}` : `in the keychain entry "${BOT_SECRET_NAME}"`);
  return secret;
}
