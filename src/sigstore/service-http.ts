/**
 * How the Sigstore service clients (Rekor, the TSA) talk HTTP: the runtime's `fetch` (undici), one
 * AbortSignal ending the request and the reading of its answer (the caller's, joined with the
 * client's deadline), no redirects, and every answer bounded in bytes before it is parsed. Failures
 * come out as the calling client's own errors: no answer or a broken one is its "unavailable"
 * error, an answer over the bound its "response" error; the caller's abort or deadline is
 * AbortedError / OperationTimeoutError.
 *
 * Deliberately not here: what the statuses mean and what the bytes say (each client's), retries.
 */
import type { OcisignError } from '../errors/base.js';
import { abortError } from '../internal/abort.js';
import { concatBytes } from '../internal/bytes.js';

/** What a request is bounded by. */
export interface ServiceBounds {
  /** Ends the request and the reading of its answer. */
  readonly signal: AbortSignal;
  /** Most bytes one answer may have. */
  readonly maxBytes: number;
  /** The work named in abort and timeout errors. */
  readonly what: string;
}

/** The calling client's errors, and how its answers are named in messages. */
export interface ServiceErrors {
  /** `Rekor answer`, `timestamp answer`. */
  readonly answerName: string;
  /** No answer arrived, or it broke off (`status` 0 when none arrived). */
  unavailable(message: string, options: { readonly status?: number; readonly cause?: unknown }): OcisignError;
  /** The answer is not one the client can take (here: over the byte bound). */
  response(message: string): OcisignError;
}

/** One answer, read whole. */
export interface ServiceAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** One request: its method, headers and body. */
export interface ServiceRequestInit {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${detail}`;
}

async function readBounded(
  response: Response,
  url: string,
  bounds: ServiceBounds,
  errors: ServiceErrors,
): Promise<Uint8Array> {
  const body = response.body;
  if (body === null) return new Uint8Array();
  const tooLarge = errors.response(
    `${url} sent more than ${bounds.maxBytes} bytes, the most one ${errors.answerName} may have`,
  );
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > bounds.maxBytes) {
    await body.cancel().catch(() => undefined);
    throw tooLarge;
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for await (const chunk of body) {
      received += chunk.byteLength;
      if (received > bounds.maxBytes) throw tooLarge;
      chunks.push(chunk);
    }
  } catch (error) {
    await body.cancel().catch(() => undefined);
    if (error === tooLarge) throw error;
    if (bounds.signal.aborted) throw abortError(bounds.signal, bounds.what);
    throw errors.unavailable(`${url} broke off its answer: ${describe(error)}`, {
      status: response.status,
      cause: error,
    });
  }
  return concatBytes(...chunks);
}

/**
 * Sends one request and reads its whole answer, whatever its status.
 *
 * @throws the client's unavailable error when no answer arrives or it breaks off, its response
 * error past `maxBytes`; OperationTimeoutError / AbortedError when `bounds.signal` fires.
 */
export async function serviceRequest(
  url: string,
  init: ServiceRequestInit,
  bounds: ServiceBounds,
  errors: ServiceErrors,
): Promise<ServiceAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      signal: bounds.signal,
      redirect: 'error',
      headers: { 'user-agent': 'ocisign', ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  } catch (error) {
    if (bounds.signal.aborted) throw abortError(bounds.signal, bounds.what);
    throw errors.unavailable(`could not reach ${url}: ${describe(error)}`, { cause: error });
  }
  return {
    status: response.status,
    headers: response.headers,
    body: await readBounded(response, url, bounds, errors),
  };
}
