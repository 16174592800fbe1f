/**
 * A hostile registry on loopback, for tests of what ocisign does when a registry misbehaves on
 * purpose: bodies that trickle or never end, wrong digests, cross-host redirects and upload
 * `Location`s, error bodies that echo the request's credentials, huge declared lengths, hostile
 * indexes. Each test gives a handler that decides the reply to every request; every request is
 * recorded (headers included) so a test can assert where credentials went.
 *
 * Not a registry: it stores nothing unless the handler does. `serveContent` answers manifest and
 * blob GETs from a map of digest → bytes, for the common case; `hostileTestbed` opens servers and
 * clients that are closed after each test.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach } from 'vitest';
import { RegistryClient, type RegistryClientOptions } from '../../src/registry/index.js';

/** One request as the hostile registry saw it. */
export interface HostileRequest {
  readonly method: string;
  /** Path and query, e.g. `/v2/app/manifests/latest`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What to answer. `trickleMs` sends the body one byte at a time with that pause; `hang` never answers. */
export interface HostileReply {
  readonly status?: number;
  readonly headers?: Record<string, string | number>;
  readonly body?: string | Uint8Array;
  readonly trickleMs?: number;
  /** Send the headers, then never send (or finish) the body. */
  readonly stallBody?: boolean;
  /** Never send anything, not even headers. */
  readonly hang?: boolean;
}

export type HostileHandler = (request: HostileRequest) => HostileReply | Promise<HostileReply>;

export interface MaliciousRegistry {
  /** `host:port`, e.g. `127.0.0.1:41234`. */
  readonly host: string;
  /** `http://host:port`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: HostileRequest[];
  /** Replace the handler (e.g. between phases of a test). */
  setHandler(handler: HostileHandler): void;
  close(): Promise<void>;
}

/** Starts a hostile registry on 127.0.0.1 (or `host`, e.g. `127.0.0.2`, to look like another host). */
export async function startMaliciousRegistry(
  handler: HostileHandler,
  options: { host?: string } = {},
): Promise<MaliciousRegistry> {
  let current = handler;
  const requests: HostileRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: HostileRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      Promise.resolve()
        .then(() => current(request))
        .then(
          (reply) => send(res, reply, timers),
          (error: unknown) => {
            res.statusCode = 500;
            res.end(String(error));
          },
        );
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const bindHost = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, bindHost, resolve));
  const { port } = server.address() as AddressInfo;
  const host = `${bindHost}:${port}`;
  return {
    host,
    url: `http://${host}`,
    requests,
    setHandler(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, reply: HostileReply, timers: Set<NodeJS.Timeout>): void {
  if (reply.hang) return;
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : Buffer.from(reply.body ?? []);
  res.statusCode = reply.status ?? 200;
  const headers = { ...(reply.headers ?? {}) };
  const declared = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
  if (!declared && !reply.stallBody && reply.trickleMs === undefined) headers['content-length'] = body.length;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (reply.stallBody) {
    res.flushHeaders();
    if (body.length > 0) res.write(body);
    return;
  }
  if (reply.trickleMs === undefined) {
    res.end(body);
    return;
  }
  res.flushHeaders();
  let offset = 0;
  const tick = () => {
    if (res.destroyed) return;
    if (offset >= body.length) {
      res.end();
      return;
    }
    res.write(body.subarray(offset, offset + 1));
    offset += 1;
    const timer = setTimeout(tick, reply.trickleMs);
    timers.add(timer);
  };
  tick();
}

/** `sha256:<hex>` of `bytes`. */
export function sha256Digest(bytes: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * A handler answering `GET/HEAD /v2/<repo>/(manifests|blobs)/<digest-or-tag>` from `content`
 * (digest or tag → bytes and media type), 404 otherwise; `/v2/` answers 200. Compose it with
 * your own handler for the hostile parts.
 */
export function serveContent(
  content: ReadonlyMap<string, { bytes: string | Uint8Array; mediaType?: string }>,
): HostileHandler {
  return (request) => {
    if (request.path === '/v2/' || request.path === '/v2') return { status: 200, body: '{}' };
    const match = /^\/v2\/.+\/(manifests|blobs)\/([^/?]+)$/.exec(request.path);
    const entry = match ? content.get(decodeURIComponent(match[2] as string)) : undefined;
    if (!entry)
      return { status: 404, body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"not found"}]}' };
    const bytes = typeof entry.bytes === 'string' ? Buffer.from(entry.bytes) : entry.bytes;
    return {
      status: 200,
      headers: {
        'content-type': entry.mediaType ?? 'application/octet-stream',
        'docker-content-digest': sha256Digest(bytes),
      },
      body: request.method === 'HEAD' ? '' : bytes,
    };
  };
}

/** `Basic <base64 user:pass>`, as a client sends it. */
export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * Wraps `handler` behind Basic auth: requests without `Authorization: Basic user:pass` get a 401
 * with a Basic challenge (paths in `open`, e.g. an upload target on another host, are not checked).
 */
export function requireBasic(
  username: string,
  password: string,
  handler: HostileHandler,
  open: (path: string) => boolean = () => false,
): HostileHandler {
  const expected = basicHeader(username, password);
  return (request) =>
    open(request.path) || request.headers.authorization === expected
      ? handler(request)
      : {
          status: 401,
          headers: { 'www-authenticate': 'Basic realm="hostile"', 'content-type': 'application/json' },
          body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
        };
}

/**
 * Wraps `handler` behind the Bearer token flow with a token service on the same server at `/token`:
 * the token service answers `token` (or `tokenReply`, for hostile token responses) to any request;
 * everything else needs `Authorization: Bearer <token>`.
 */
export function requireBearer(
  realm: () => string,
  token: string,
  handler: HostileHandler,
  tokenReply?: HostileHandler,
): HostileHandler {
  return (request) => {
    if (request.path.startsWith('/token'))
      return tokenReply?.(request) ?? { status: 200, body: JSON.stringify({ token, expires_in: 300 }) };
    if (request.headers.authorization === `Bearer ${token}`) return handler(request);
    return {
      status: 401,
      headers: { 'www-authenticate': `Bearer realm="${realm()}",service="hostile"` },
      body: '{"errors":[{"code":"UNAUTHORIZED","message":"token required"}]}',
    };
  };
}

/** A distribution error body whose message repeats the request's credentials, as a careless registry does. */
export function echoCredentials(request: HostileRequest, status = 400): HostileReply {
  const said = [request.headers.authorization, request.headers.cookie, request.body.toString('utf8')]
    .filter((v) => v !== undefined && v !== '')
    .join(' | ');
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ errors: [{ code: 'DENIED', message: `request was: ${said}`, detail: said }] }),
  };
}

/** A redirect to `location` (another host, usually). */
export function redirectTo(location: string, status = 307): HostileReply {
  return { status, headers: { location }, body: '' };
}

/**
 * Hostile registries and the clients that talk to them, for every test of a file: `server` starts
 * one, `client` makes a `RegistryClient` (no Docker config, no retries, then `defaults`, then its
 * own options); after each test every client is closed — within `closeWithinMs` when given, so a
 * client stuck on a hung connection cannot hold the hook — and then every server.
 */
export function hostileTestbed(defaults: RegistryClientOptions, options: { closeWithinMs?: number } = {}) {
  const servers: MaliciousRegistry[] = [];
  const clients: RegistryClient[] = [];
  const { closeWithinMs } = options;
  afterEach(async () => {
    await Promise.all(
      clients
        .splice(0)
        .map((c) =>
          closeWithinMs === undefined
            ? c.close()
            : Promise.race([c.close(), new Promise((resolve) => setTimeout(resolve, closeWithinMs))]),
        ),
    );
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    async server(handler: HostileHandler, serverOptions: { host?: string } = {}): Promise<MaliciousRegistry> {
      const s = await startMaliciousRegistry(handler, serverOptions);
      servers.push(s);
      return s;
    },
    client(clientOptions: RegistryClientOptions = {}): RegistryClient {
      const c = new RegistryClient({
        dockerConfig: false,
        retry: { retries: 0 },
        ...defaults,
        ...clientOptions,
      });
      clients.push(c);
      return c;
    },
  };
}
