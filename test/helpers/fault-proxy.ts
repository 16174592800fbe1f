/**
 * A loopback HTTP proxy in front of a registry that injects faults on chosen requests: error
 * statuses (with Retry-After), connections reset mid-body, stalled bodies, corrupted bodies, and
 * redirects to another host. Each rule fires a set number of times, then requests pass through.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'reset-mid-body' }
  | { kind: 'stall-body' }
  | { kind: 'corrupt-body' }
  | { kind: 'redirect'; to: string };

export interface FaultRule {
  readonly match: (method: string, path: string) => boolean;
  readonly fault: Fault;
  times: number;
}

export interface FaultProxy {
  readonly host: string;
  readonly rules: FaultRule[];
  /** Every request seen: method, path, whether it carried Authorization. */
  readonly seen: Array<{ method: string; path: string; authorization: boolean }>;
  close(): Promise<void>;
}

function forward(
  target: string,
  req: IncomingMessage,
  onResponse: (res: IncomingMessage) => void,
  onError: (e: Error) => void,
): void {
  const url = new URL(req.url ?? '/', target);
  // The Host header is kept, as a reverse proxy configured for a registry keeps it: the registry
  // builds its upload Locations from it, and they must point at the proxy (the client sends
  // credentials to the registry's own origin only).
  const upstream = httpRequest(url, { method: req.method, headers: { ...req.headers } }, onResponse);
  upstream.on('error', onError);
  req.pipe(upstream);
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const seen: FaultProxy['seen'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ method, path, authorization: req.headers.authorization !== undefined });
    const rule = rules.find((r) => r.times > 0 && r.match(method, path));
    if (rule !== undefined) rule.times--;
    const fault = rule?.fault;
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected fault' }] }));
      return;
    }
    if (fault?.kind === 'redirect') {
      req.resume();
      res.writeHead(307, { location: `${fault.to}${req.url}` }).end();
      return;
    }
    forward(
      target,
      req,
      (up) => {
        if (fault === undefined || fault.kind === 'corrupt-body') {
          res.writeHead(up.statusCode ?? 502, up.headers);
          if (fault?.kind === 'corrupt-body') {
            const chunks: Buffer[] = [];
            up.on('data', (c: Buffer) => chunks.push(c));
            up.on('end', () => {
              const body = Buffer.concat(chunks);
              if (body.length > 0) body[body.length - 1] = (body[body.length - 1] as number) ^ 0xff;
              res.end(body);
            });
          } else {
            up.pipe(res);
          }
          return;
        }
        // reset-mid-body / stall-body: send headers and half the body, then break or hang.
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(up.statusCode ?? 200, { ...up.headers, 'content-length': String(body.length) });
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          if (fault.kind === 'reset-mid-body') setTimeout(() => res.socket?.destroy(), 20);
        });
      },
      () => res.destroy(),
    );
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    rules,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
