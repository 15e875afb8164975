import { DataValidationError } from '../../core/data/validate.ts';
import { InputError, RequestError } from '../../shared/errors.ts';
import { environmentCredentials, savedCredentials } from '../marketdata/credentials.ts';
import { redactSecrets } from '../secrets/redact.ts';
import type { SecretStore } from '../secrets/secretStore.ts';
import { BOT_SECRET_ENV, BOT_SECRET_NAME } from '../livebot/secret.ts';
import { WEBHOOK_SECRET_ENV, WEBHOOK_SECRET_NAME } from '../livebot/alarmWebhook.ts';
import { REDIS_PASSWORD_ENV, REDIS_PASSWORD_SECRET } from './compute/redisPassword.ts';

/**
 * Every secret the environment gives (Alpaca keys, the Redis password, the bot and webhook secrets): what
 * the CLI masks in anything it prints, and the services in anything they answer.
 */
export function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  const values = [...(environmentCredentials(env)?.secrets ?? [])];
  for (const name of [REDIS_PASSWORD_ENV, BOT_SECRET_ENV, WEBHOOK_SECRET_ENV]) {
    const value = env[name];
    if (value !== undefined && value !== '') values.push(value);
  }
  return values;
}

/** Cleans an error before it leaves the services; `extra` are secrets only this request knows. */
export type Scrubber = (error: unknown, extra?: readonly string[]) => Promise<Error>;

/**
 * The one cleaning of errors for every channel and job: every key value the services know of (from the
 * environment and the secret store) is removed from the message, whatever threw it.
 */
export function secretScrubber(env: NodeJS.ProcessEnv, secrets: SecretStore): Scrubber {
  /** Every key value the services know of, to be removed from anything that leaves them. */
  const knownSecrets = async (extra: readonly string[]): Promise<string[]> => {
    const values = [...extra, ...environmentSecrets(env)];
    try {
      values.push(...((await savedCredentials(secrets))?.secrets ?? []));
      for (const name of [REDIS_PASSWORD_SECRET, BOT_SECRET_NAME, WEBHOOK_SECRET_NAME]) {
        const value = await secrets.get(name);
        if (value !== null && value !== '') values.push(value);
      }
    } catch {
      // An unreadable keychain holds nothing this error could have picked up.
    }
    return values;
  };

  const scrub: Scrubber = async (error, extra = []) => {
    const message = redactSecrets(
      error instanceof Error ? error.message : String(error),
      await knownSecrets(extra),
    );
    // A file refused at the edge is the request's `path` at fault; the message names file, line, column.
    if (error instanceof DataValidationError) return new InputError(message, 'path');
    // The caller's mistakes keep their kind (and status); only the message is cleaned.
    if (error instanceof RequestError) {
      error.message = message;
      return error;
    }
    return new Error(message);
  };
  return scrub;
}
