/**
 * Reading and discarding response bodies, and the response headers the transport's callers read:
 * a whole body under a byte limit and an optional deadline (small documents come whole from
 * `whole-body.ts`, without a stream), typed errors for a body that broke off, and draining a body
 * nobody wants so its connection goes back to the pool.
 *
 * It sends nothing and retries nothing: that is `http.ts` (which re-exports all of this).
 */
import { OcisignError } from '../../errors/base.js';
import { RegistryError, RegistryTimeoutError, SizeLimitError } from '../../errors/registry.js';
import { concatBytes } from '../../internal/bytes.js';
import { type ResponseBody, wholeBytes } from './whole-body.js';

/** A registry's answer: its status and headers, its body still to be read, the URL that gave it. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: ResponseBody;
  /** The URL that answered, after redirects. */
  readonly url: URL;
}

/** Longest we wait to drain a body we do not want (a redirect's, a retried error's) before dropping the connection. */
const DISCARD_MS = 1000;
const DISCARD_BYTES = 64 * 1024;

/** A response header (the first, when it was sent several times). */
export function header(response: Pick<HttpResponse, 'headers'>, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The declared `Content-Length`: a non-negative number (possibly beyond the safe integers, which
 * is still "too large"), `undefined` when absent, `NaN` when the header is not a length.
 */
export function declaredLength(response: Pick<HttpResponse, 'headers'>): number | undefined {
  const value = header(response, 'content-length');
  if (value === undefined) return undefined;
  const text = value.trim();
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * Reads a whole body, refusing more than `maxBytes` — before reading when the declared length is
 * over it. `deadlineMs` bounds the read (for responses whose request had no deadline). Every
 * failure is typed: SizeLimitError, RegistryTimeoutError, the abort's error, or a RegistryError
 * `REGISTRY_UNREACHABLE` whose cause is the connection error (see {@link isRetryableError}).
 */
export async function readBody(
  response: HttpResponse,
  maxBytes: number,
  what: string,
  options: { deadlineMs?: number | undefined } = {},
): Promise<Uint8Array> {
  const declared = declaredLength(response);
  if (declared !== undefined && declared > maxBytes) {
    response.body.destroy();
    throw new SizeLimitError(`${what} is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  const timer =
    options.deadlineMs === undefined
      ? undefined
      : setTimeout(
          () =>
            response.body.destroy(
              new RegistryTimeoutError(`${what} did not arrive within ${options.deadlineMs} ms`),
            ),
          options.deadlineMs,
        );
  try {
    const whole = wholeBytes(response.body);
    if (whole !== undefined) {
      const bytes = await whole;
      if (bytes.length > maxBytes) throw new SizeLimitError(`${what} is over the ${maxBytes}-byte limit`);
      return bytes;
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body) {
      total += (chunk as Uint8Array).length;
      if (total > maxBytes) {
        response.body.destroy();
        throw new SizeLimitError(`${what} is over the ${maxBytes}-byte limit`);
      }
      chunks.push(chunk as Uint8Array);
    }
    return concatBytes(...chunks);
  } catch (error) {
    throw bodyError(what, error);
  } finally {
    clearTimeout(timer);
  }
}

/** A failure while a body streamed, typed: ours as is, undici's as a RegistryError with it as cause. */
export function bodyError(what: string, error: unknown): OcisignError {
  if (error instanceof OcisignError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return new RegistryTimeoutError(`${what} stopped arriving (${code})`, { cause: error });
  return new RegistryError(
    'REGISTRY_UNREACHABLE',
    `${what} stopped mid-transfer: ${typeof code === 'string' ? code : 'the connection failed'}`,
    { cause: error },
  );
}

/** Discards a body we will not read, so the connection returns to the pool (or is dropped, if it dawdles). */
export async function discard(response: HttpResponse): Promise<void> {
  try {
    await response.body.dump({ limit: DISCARD_BYTES, signal: AbortSignal.timeout(DISCARD_MS) });
  } catch {
    // A broken body on a response we are discarding changes nothing.
  }
  if (!response.body.destroyed) response.body.destroy();
}
