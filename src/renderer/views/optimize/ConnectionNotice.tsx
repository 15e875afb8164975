import type { RedisConnectionNotice } from '../../../shared/computeContract.ts';
import { redisConnectionText } from '../../../shared/redisConnectionText.ts';
import { useTimeFormat } from '../../timeFormat.ts';

/**
 * The Redis a study computes on (the Optimize header's, a walk-forward window's), lost (the count stops
 * while it waits: say why, and since when) or back after a loss (a quiet note that the study goes on),
 * in the CLI's words.
 */
export function ConnectionNotice({
  notice,
  testId = 'opt-connection',
}: {
  notice: RedisConnectionNotice;
  testId?: string;
}) {
  const time = useTimeFormat();
  const lost = notice.state === 'lost';
  return (
    <span
      className={lost ? 'opt-connection lost' : 'opt-connection opt-muted'}
      data-testid={testId}
      data-state={notice.state}
      role="status"
      title={redisConnectionText(notice)}
    >
      {redisConnectionText(notice)}
      {lost
        ? ` · since ${time.dateTime(notice.lostAt)}`
        : ` (it was lost at ${time.dateTime(notice.lostAt)})`}
    </span>
  );
}
