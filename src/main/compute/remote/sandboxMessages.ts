/** The IPC between a remote worker and its sandbox child (structured clone: bars travel as typed arrays). */
import type { Bars } from '../../../core/data/bars.ts';
import type { StrategyRef } from '../../../core/strategy/index.ts';
import type { RemoteBacktestOptions, RemoteOutcome, TrialChunk } from '../../../shared/computeProtocol.ts';

export type SandboxRequest =
  | { readonly type: 'bars'; readonly fingerprint: string; readonly bars: Bars }
  | {
      readonly type: 'trial';
      readonly id: number;
      readonly datasets: readonly string[];
      readonly strategy: StrategyRef;
      readonly options: RemoteBacktestOptions;
      /** The chunk's first bar of the range of each dataset (TrialChunk's tradeFrom). */
      readonly tradeFrom?: TrialChunk['tradeFrom'];
      readonly riskFreeRate?: number;
      readonly params: Readonly<Record<string, number>>;
      readonly periodReturns: boolean;
      readonly equity: boolean;
      /** A per-regime study's scoring: the chunk's run-length encoded schedule of each dataset. */
      readonly regimeSchedules?: TrialChunk['regimeSchedules'];
      readonly userStrategy?: TrialChunk['userStrategy'];
    };

export type SandboxReply =
  | { readonly type: 'ready' }
  | { readonly type: 'need'; readonly id: number; readonly fingerprints: readonly string[] }
  | { readonly type: 'result'; readonly id: number; readonly outcomes: readonly RemoteOutcome[] };
