import { useCallback, useEffect, useState } from 'react';
import type {
  AuditEntryView,
  LiveBotsResult,
  LiveBotView,
  LiveProposal,
  RequestOutput,
} from '../../../shared/contract.ts';
import type { RegimenClient } from '../../../shared/client.ts';
import { errorMessage } from '../../client/clientError.ts';

/** Runs an action, showing its refusal in words; true when it succeeded. */
export type Act = (work: () => Promise<unknown>) => Promise<boolean>;

export interface LiveState {
  readonly bots: LiveBotsResult | null;
  readonly proposals: readonly LiveProposal[];
  readonly audit: {
    entries: readonly AuditEntryView[];
    verdict: RequestOutput<'live:audit'>['verdict'];
  } | null;
  readonly error: string | null;
  readonly busy: boolean;
}

/**
 * The Live view's state: the bots as the watcher last saw them (kept current by `live:status` events),
 * the proposals and the audit trail, re-read after every action so the trail shows what it recorded.
 */
export function useLive(client: RegimenClient) {
  const [state, setState] = useState<LiveState>({
    bots: null,
    proposals: [],
    audit: null,
    error: null,
    busy: false,
  });

  const reload = useCallback(async () => {
    try {
      const [bots, proposals, audit] = await Promise.all([
        client.invoke('live:bots', {}),
        client.invoke('live:proposals', {}),
        client.invoke('live:audit', {}),
      ]);
      setState((s) => ({ ...s, bots, proposals, audit }));
    } catch (error) {
      setState((s) => ({ ...s, error: errorMessage(error) }));
    }
  }, [client]);

  useEffect(() => {
    void reload();
    const offStatus = client.on('live:status', (view: LiveBotView) =>
      setState((s) =>
        s.bots === null
          ? s
          : { ...s, bots: { ...s.bots, bots: s.bots.bots.map((b) => (b.url === view.url ? view : b)) } },
      ),
    );
    // A proposal made elsewhere (a regime update, the CLI through the server) shows without a refresh.
    const offApproval = client.on('live:approval', () => void reload());
    return () => {
      offStatus();
      offApproval();
    };
  }, [client, reload]);

  /** Runs an action, shows its refusal in words, and re-reads everything after it. */
  const act = useCallback(
    async (work: () => Promise<unknown>): Promise<boolean> => {
      setState((s) => ({ ...s, busy: true, error: null }));
      try {
        await work();
        await reload();
        return true;
      } catch (error) {
        setState((s) => ({ ...s, error: errorMessage(error) }));
        return false;
      } finally {
        setState((s) => ({ ...s, busy: false }));
      }
    },
    [reload],
  );

  return { state, act, reload, dismiss: () => setState((s) => ({ ...s, error: null })) };
}
