import { errorMessage } from '../client/clientError.ts';

/** A fresh id for a job, so its `job:progress` events can be told from other jobs'. */
export function newJobId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Numbers the calls of one kind of request so that only the latest one's answer is used: the user can
 * click faster than the services answer, and an older answer must not overwrite a newer one. Each call
 * returns the check to make when its answer arrives.
 */
export function latestOnly(): () => () => boolean {
  let latest = 0;
  return () => {
    const id = ++latest;
    return () => id === latest;
  };
}

export interface Notice {
  id: number;
  /** What the user was doing, e.g. "Backtest" or "Loading bars". */
  context: string;
  message: string;
}

let lastNoticeId = 0;

/** `notices` with one more for `error`, keeping the last `keep`: an error storm must not bury the screen. */
export function withNotice(
  notices: readonly Notice[],
  context: string,
  error: unknown,
  keep: number,
): Notice[] {
  lastNoticeId += 1;
  return [...notices, { id: lastNoticeId, context, message: errorMessage(error) }].slice(-keep);
}
