import type { COMPUTE_CHANNELS } from '../../../shared/computeChannels.ts';
import type { DomainHandlers } from '../../../shared/contract.ts';
import { passwordOf } from '../../secrets/redact.ts';
import type { Scrubber } from '../scrub.ts';
import type { ComputeChoice } from './computeChoice.ts';

/** Settings > Compute: every answer and error passes the scrubber, whatever URL it was about. */
export function createComputeHandlers(deps: {
  choice: ComputeChoice;
  scrub: Scrubber;
}): DomainHandlers<typeof COMPUTE_CHANNELS> {
  const { choice, scrub } = deps;
  const guarded = async <T>(work: () => Promise<T>, url?: string): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw await scrub(error, passwordOf(url));
    }
  };
  return {
    'compute:status': () => guarded(() => choice.status()),
    'compute:choose': (request) =>
      guarded(() => choice.choose(request), request.target === 'redis' ? request.redisUrl : undefined),
    'compute:test': async ({ redisUrl }) => {
      const result = await guarded(() => choice.test(redisUrl), redisUrl);
      if (result.ok) return result;
      return { ok: false, error: (await scrub(new Error(result.error), passwordOf(redisUrl))).message };
    },
  };
}
