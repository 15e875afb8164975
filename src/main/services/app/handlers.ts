import type { APP_CHANNELS } from '../../../shared/appChannels.ts';
import type { AppInfo, DomainHandlers } from '../../../shared/contract.ts';
import type { JobRegistry } from '../jobs.ts';

/** The host's own channels: what it is, and the one cancel every job of the registry answers to. */
export function createAppHandlers(deps: {
  /** Read on every request: a first start's demo-market progress changes while it runs. */
  readonly info: () => AppInfo;
  readonly jobs: JobRegistry;
}): DomainHandlers<typeof APP_CHANNELS> {
  return {
    'app:info': async () => deps.info(),
    'job:cancel': async ({ jobId }) => ({ cancelled: await deps.jobs.stop(jobId) }),
  };
}
