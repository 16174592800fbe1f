/**
 * What every Sigstore service double (`rekor/`, `fulcio/`, `tsa/`, the OIDC issuer) is: a handler
 * of the HTTP exchanges its real counterpart answers, served on loopback by {@link serveOnLoopback}.
 * A handler sees the request with its body already read (bounded) and returns the answer, or
 * undefined for a path it does not know (404). Several handlers share one server, each under the
 * paths of its own API, as the public instance's services would behind one test URL.
 *
 * Deliberately not here: any service's protocol. Nothing here is for production.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRequestBody } from '../http-body.js';

/** A request as a handler sees it. */
export interface ServiceRequest {
  readonly method: string;
  /** The path without the query, e.g. `/api/v1/log/entries`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/** A handler's answer: bytes or text as given, any other value as JSON. */
export interface ServiceResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string | object;
}

/** Answers the paths it knows; undefined for others. Throwing answers 500 with the message. */
export type ServiceHandler = (
  request: ServiceRequest,
) => ServiceResponse | undefined | Promise<ServiceResponse | undefined>;

/** A server of handlers on 127.0.0.1. */
export interface RunningService {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** Options of {@link serveOnLoopback}. */
export interface ServeOptions {
  /** Port on 127.0.0.1; default: any free port. */
  readonly port?: number;
  /** Largest request body read, in bytes (default 4 MiB); a larger one is answered 413. */
  readonly bodyLimit?: number;
}

const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

function send(res: ServerResponse, answer: ServiceResponse): void {
  const { body } = answer;
  const isJson = body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
  const bytes =
    body === undefined
      ? Buffer.alloc(0)
      : isJson
        ? Buffer.from(JSON.stringify(body))
        : Buffer.from(body as Uint8Array | string);
  res.writeHead(answer.status, {
    ...(isJson ? { 'content-type': 'application/json' } : {}),
    ...answer.headers,
    'content-length': String(bytes.length),
  });
  res.end(bytes);
}

/** Serves `handlers` (the first that answers wins) on 127.0.0.1 until `close()`. */
export async function serveOnLoopback(
  handlers: readonly ServiceHandler[],
  options: ServeOptions = {},
): Promise<RunningService> {
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readRequestBody(req, limit);
      if (body === undefined) return send(res, { status: 413, body: { message: 'request body too large' } });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: ServiceRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      for (const handler of handlers) {
        const answer = await handler(request);
        if (answer !== undefined) return send(res, answer);
      }
      send(res, { status: 404, body: { message: `no such path: ${url.pathname}` } });
    })().catch((error: unknown) => {
      if (!res.headersSent)
        send(res, { status: 500, body: { message: error instanceof Error ? error.message : String(error) } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
