import type { WireError } from '../../shared/client.ts';

/**
 * A failed request as the renderer sees it, whichever host carried it. `status` follows HTTP: 4xx means
 * the request was refused (bad input, unknown symbol, token), 5xx a failure in the services, 0 that the
 * host could not be reached at all.
 */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly channel: string,
    /** The request field at fault, when the services named one (e.g. `end`, `params.fast`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error: unknown = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string' &&
    'status' in error &&
    typeof error.status === 'number'
  );
}

/** Both hosts may answer a refused request with the wire error shape: that answer becomes a ClientError. */
export function throwIfWireError(answer: unknown, channel: string): void {
  if (isWireError(answer)) {
    const field = typeof answer.error.field === 'string' ? answer.error.field : undefined;
    throw new ClientError(answer.error.message, answer.error.status, channel, field);
  }
}

/** A message fit for the user from anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
