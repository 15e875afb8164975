/**
 * What one domain of the contract declares (see channels.ts and contract.ts): its channel names, as data
 * the preload bridge can import without bundling zod (zod is imported for types only, erased at build),
 * and its schemas, which must cover exactly those names.
 */
import type { z } from 'zod';

export interface DomainChannels {
  readonly requests: readonly string[];
  readonly events: readonly string[];
}

export interface DomainContract<C extends DomainChannels> {
  readonly requests: {
    readonly [K in C['requests'][number]]: {
      readonly input: z.ZodType;
      readonly output: z.ZodType;
      /**
       * What did not happen when the request's payload is refused, in a trader's words: the start of the
       * error the UI and the CLI show ("Settings not saved: cash: must be more than 0"). The channel's
       * name is internal wiring and stays out of it.
       */
      readonly refused: string;
    };
  };
  readonly events: { readonly [K in C['events'][number]]: z.ZodType };
}
