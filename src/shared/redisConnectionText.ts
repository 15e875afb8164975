import type { RedisConnectionNotice } from './computeContract.ts';

/**
 * What a trader is told when the Redis a study computes on is lost and when it is back: meanwhile the
 * study only waits, and without this its progress stops with no reason given. The CLI, the Optimize view
 * and `regimen optimize` beside `regimen serve` say it alike.
 */
export function redisConnectionText(notice: RedisConnectionNotice): string {
  return notice.state === 'lost'
    ? `lost Redis at ${notice.redisUrl} (${notice.reason}): waiting for it to come back; finished trials are kept`
    : `Redis at ${notice.redisUrl} is back: the study goes on`;
}
