/**
 * How a request fails, whichever host carried it. A caller's mistake is one of the `RequestError` family
 * below, thrown where it is found (the contract, a service, the store) and naming the request field at
 * fault; so is a refusal or silence of a service we depend on (Alpaca: `UpstreamError`), which the
 * caller can act on (other keys, a later retry) and which is no fault of ours. `toWireError` turns each
 * into its status once, for HTTP and Electron IPC alike. Anything else thrown is a fault of ours and
 * answers 500. A cancelled job is neither: it answers normally (see `JobCancelled` in contract.ts).
 */

export const REQUEST_ERROR_STATUS = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  upstream: 502,
  unavailable: 503,
} as const;
export type RequestErrorKind = keyof typeof REQUEST_ERROR_STATUS;

/** A request the caller can fix; `field` is the dotted path of the request field at fault, when one is. */
export abstract class RequestError extends Error {
  abstract readonly kind: RequestErrorKind;

  constructor(
    message: string,
    public field?: string,
  ) {
    super(message);
  }

  /** The same refusal, its field placed under a parent of the request (a study's `data.symbol`). */
  nestedIn(prefix: string): this {
    if (this.field !== undefined) this.field = `${prefix}${this.field}`;
    return this;
  }

  get status(): (typeof REQUEST_ERROR_STATUS)[RequestErrorKind] {
    return REQUEST_ERROR_STATUS[this.kind];
  }
}

/** A value the request carries is malformed, out of range or inconsistent with another (400). */
export class InputError extends RequestError {
  readonly kind = 'invalid';
  override name = 'InputError';
}

/** The request names a symbol, study, strategy, file or channel that does not exist (404). */
export class NotFoundError extends RequestError {
  readonly kind = 'not-found';
  override name = 'NotFoundError';
}

/** The request is well formed but clashes with the current state: already running, file exists (409). */
export class ConflictError extends RequestError {
  readonly kind = 'conflict';
  override name = 'ConflictError';
}

/**
 * A service the request needed answered with a refusal (keys refused, request rejected, an answer of the
 * wrong shape: 502) or could not be reached in time (connection refused, timeouts: 503). The message
 * names the service and its host, never the keys or the service's own answer (which may echo them).
 */
export class UpstreamError extends RequestError {
  override name = 'UpstreamError';

  constructor(
    message: string,
    readonly kind: 'upstream' | 'unavailable' = 'upstream',
  ) {
    super(message);
  }
}

/** The shape a request failure takes on the wire, whichever host carried it. */
export interface WireError {
  error: {
    message: string;
    status: number;
    /** Absent only for the HTTP host's own refusals (token, origin, method), which reach no channel. */
    kind?: RequestErrorKind | 'internal';
    /** The request field at fault (dotted path), when the failure is about one. */
    field?: string;
  };
}

/** The one mapping from anything thrown by a request to what the caller receives. */
export function toWireError(error: unknown): WireError {
  if (error instanceof RequestError) {
    return {
      error: {
        message: error.message,
        status: error.status,
        kind: error.kind,
        ...(error.field === undefined ? {} : { field: error.field }),
      },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { error: { message, status: 500, kind: 'internal' } };
}
