import { DataValidationError } from '../../core/data/validate.ts';
import { InputError, RequestError } from '../../shared/errors.ts';
import { environmentCredentials, redactSecrets, savedCredentials } from '../marketdata/credentials.ts';
import type { SecretStore } from '../secrets/secretStore.ts';
import { knownRedisPasswords } from './compute/redisPassword.ts';

/** Cleans an error before it leaves the services; `extra` are secrets only this request knows. */
export type Scrubber = (error: unknown, extra?: readonly string[]) => Promise<Error>;

/**
 * The one cleaning of errors for every channel and job: every key value the services know of (from the
 * environment and the secret store) is removed from the message, whatever threw it.
 */
export function secretScrubber(env: NodeJS.ProcessEnv, secrets: SecretStore): Scrubber {
  /** Every key value the services know of, to be removed from anything that leaves them. */
  const knownSecrets = async (extra: readonly string[]): Promise<string[]> => {
    const values = [...extra, ...(environmentCredentials(env)?.secrets ?? [])];
    try {
      values.push(...((await savedCredentials(secrets))?.secrets ?? []));
      values.push(...(await knownRedisPasswords(env, secrets)));
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
