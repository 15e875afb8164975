import { isRequestChannel, requestSchemas, type Requests } from '../../shared/contract.ts';
import { ContractError, parseOrThrow } from '../../shared/validation.ts';

/**
 * The single entry for every request from an untrusted host (IPC or HTTP): unknown channels and
 * malformed payloads are refused here with a message naming the channel and field.
 */
export async function dispatch(handlers: Requests, channel: string, input: unknown): Promise<unknown> {
  if (!isRequestChannel(channel)) throw new ContractError(`Unknown request channel "${channel}"`, 404);
  const schema = requestSchemas[channel].input;
  const request = parseOrThrow(schema, input ?? {}, `request to "${channel}"`);
  const handler = handlers[channel] as (req: typeof request) => Promise<unknown>;
  return handler(request);
}
