/** Where the Redis password of Settings > Compute is kept, for the choice and for the error scrubber. */
import { REDIS_PASSWORD_ENV } from '../../compute/remote/names.ts';
import type { SecretStore } from '../../secrets/secretStore.ts';

export { REDIS_PASSWORD_ENV };

/** The secret-store entry (one account of the keychain's "regimen" service). */
export const REDIS_PASSWORD_SECRET = 'compute.redis-password';

/** Every Redis password the services know of (to be removed from anything that leaves them). */
export async function knownRedisPasswords(env: NodeJS.ProcessEnv, secrets: SecretStore): Promise<string[]> {
  const values: string[] = [];
  const fromEnv = env[REDIS_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') values.push(fromEnv);
  const saved = await secrets.get(REDIS_PASSWORD_SECRET);
  if (saved !== null && saved !== '') values.push(saved);
  return values;
}
