import { isRequestChannel, requestSchemas, type Requests } from '../../shared/contract.ts';
import { NotFoundError, toWireError, type WireError } from '../../shared/errors.ts';
import { parseOrRefuse } from '../../shared/validation.ts';

/**
 * The single entry for every request from an untrusted host (IPC or HTTP): unknown channels and
 * malformed payloads are refused here with a message naming what did not happen and each field's problem.
 */
export async function dispatch(handlers: Requests, channel: string, input: unknown): Promise<unknown> {
  if (!isRequestChannel(channel)) throw new NotFoundError(`Unknown request channel "${channel}"`);
  const { input: schema, refused } = requestSchemas[channel];
  const request = parseOrRefuse(schema, input ?? {}, refused);
  const handler = handlers[channel] as (req: typeof request) => Promise<unknown>;
  return handler(request);
}

/**
 * `dispatch` for a host that answers failures as data rather than by throwing (Electron IPC would turn a
 * thrown error into a bare message): the answer or the wire error, mapped as the HTTP host maps it.
 */
export async function dispatchOrWireError(
  handlers: Requests,
  channel: string,
  input: unknown,
): Promise<unknown | WireError> {
  try {
    return await dispatch(handlers, channel, input);
  } catch (error) {
    return toWireError(error);
  }
}
