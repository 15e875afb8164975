/** Where the Redis password of Settings > Compute is kept, for the choice and for the error scrubber. */
import { REDIS_PASSWORD_ENV } from '../../compute/remote/names.ts';

export { REDIS_PASSWORD_ENV };

/** The secret-store entry (one account of the keychain's "regimen" service). */
export const REDIS_PASSWORD_SECRET = 'compute.redis-password';
