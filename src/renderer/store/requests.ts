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
  /** What failed, e.g. 'bars' or 'backtest': one notice per cause, cleared when that cause succeeds. */
  cause: string;
  /** What the user was doing, e.g. "Backtest" or "Loading bars". */
  context: string;
  message: string;
  /** How many times in a row it failed; a retry that fails again replaces the banner, it does not add one. */
  repeats: number;
}

let lastNoticeId = 0;

/**
 * `notices` with `error` as the only notice of `cause`, keeping the last `keep` causes: clicking again
 * on something that fails must not stack banners that push the workspace down.
 */
export function withNotice(
  notices: readonly Notice[],
  cause: string,
  context: string,
  error: unknown,
  keep: number,
): Notice[] {
  lastNoticeId += 1;
  const previous = notices.find((n) => n.cause === cause);
  const notice = {
    id: lastNoticeId,
    cause,
    context,
    message: errorMessage(error),
    repeats: (previous?.repeats ?? 0) + 1,
  };
  return [...notices.filter((n) => n.cause !== cause), notice].slice(-keep);
}

/** `notices` without the one of `cause` (it has just succeeded); the same array when there is none. */
export function withoutNotice(notices: Notice[], cause: string): Notice[] {
  return notices.some((n) => n.cause === cause) ? notices.filter((n) => n.cause !== cause) : notices;
}
