/**
 * How TUF metadata and targets are downloaded: tuf-js's `Updater` with a fetcher of ours on the
 * runtime's `fetch`, so that one AbortSignal (the caller's, joined with our deadline) ends every
 * request, and every answer is bounded in bytes before tuf-js sees it. tuf-js is loaded only when
 * a refresh runs, under a specifier bundlers leave alone, so importing ocisign never bundles it
 * (nor make-fetch-happen, which tuf-js's own fetcher uses).
 *
 * Deliberately not here: retries (a failed refresh is the caller's to retry; TUF keeps what it
 * already verified), caching, and deciding what the bytes mean (tuf-js verifies them).
 */
import { Readable } from 'node:stream';
import type { Fetcher } from 'tuf-js';
import { TrustedRootError, TufUnavailableError } from '../errors/sigstore.js';
import { abortError } from '../internal/abort.js';

/** The parts of tuf-js a refresh uses. */
export interface TufModules {
  readonly tuf: typeof import('tuf-js');
  readonly errors: typeof import('tuf-js/dist/error.js');
}

// In variables, not literals: a bundler follows `import('tuf-js')` even from code nothing calls.
const TUF_JS = 'tuf-js';
const TUF_JS_ERRORS = 'tuf-js/dist/error.js';

/** Loads tuf-js (and its error classes, which its index does not export) on first use. */
export async function loadTuf(): Promise<TufModules> {
  try {
    const [tuf, errors] = await Promise.all([import(TUF_JS), import(TUF_JS_ERRORS)]);
    return { tuf: tuf as TufModules['tuf'], errors: errors as TufModules['errors'] };
  } catch (cause) {
    throw new TrustedRootError(
      'could not load tuf-js, which refreshing a trusted root needs: is it installed?',
      {
        cause,
      },
    );
  }
}

/** What every request of one refresh shares. */
export interface FetchBounds {
  /** Ends every request: the caller's signal joined with the refresh's deadline. */
  readonly signal: AbortSignal;
  /** Most bytes one answer may have. */
  readonly maxBytes: number;
  /** The work named in abort and timeout errors. */
  readonly what: string;
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${detail}`;
}

function tooLarge(url: string, maxBytes: number): TrustedRootError {
  return new TrustedRootError(`${url} sent more than ${maxBytes} bytes, the most one TUF answer may have`);
}

/** The body, chunk by chunk, refused past `maxBytes`; a broken or aborted transfer as our errors. */
async function* bounded(
  body: ReadableStream<Uint8Array>,
  url: string,
  bounds: FetchBounds,
): AsyncGenerator<Uint8Array> {
  let received = 0;
  try {
    for await (const chunk of body) {
      received += chunk.byteLength;
      if (received > bounds.maxBytes) throw tooLarge(url, bounds.maxBytes);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof TrustedRootError) throw error;
    if (bounds.signal.aborted) throw abortError(bounds.signal, bounds.what);
    throw new TufUnavailableError(`${url} broke off its answer: ${describe(error)}`, { cause: error });
  }
}

async function request(url: string, bounds: FetchBounds): Promise<Response> {
  try {
    return await fetch(url, { signal: bounds.signal, headers: { 'user-agent': 'ocisign (tuf-js)' } });
  } catch (error) {
    if (bounds.signal.aborted) throw abortError(bounds.signal, bounds.what);
    throw new TufUnavailableError(`could not reach ${url}: ${describe(error)}`, { cause: error });
  }
}

/** A tuf-js fetcher on the runtime's `fetch`, ended by `bounds.signal` and bounded by `bounds.maxBytes`. */
export function boundedFetcher(modules: TufModules, bounds: FetchBounds): Fetcher {
  const { DownloadHTTPError } = modules.errors;
  class BoundedFetcher extends modules.tuf.BaseFetcher {
    override async fetch(url: string): Promise<NodeJS.ReadableStream> {
      const response = await request(url, bounds);
      const body = response.body;
      if (!response.ok || body === null) {
        await body?.cancel().catch(() => undefined);
        // tuf-js ends its search for a newer root.json at a 403 or 404 only in its own error class.
        throw new DownloadHTTPError(`${url} answered HTTP ${response.status}`, response.status);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > bounds.maxBytes) {
        await body.cancel().catch(() => undefined);
        throw tooLarge(url, bounds.maxBytes);
      }
      return Readable.from(bounded(body, url, bounds), { objectMode: false });
    }
  }
  return new BoundedFetcher();
}
