/**
 * A small Docker token service for the real registry's `auth: token` mode: issues ES256 JWTs with an
 * x5c header chaining to the certificate the registry trusts. Anonymous callers get `pull` on
 * `public/*`; callers with the right Basic credentials or refresh token get `pull,push,delete`.
 * Counts token requests so tests can prove tokens are cached.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { selfSignedCert } from './certs.js';

export interface TokenServer {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certPath: string;
  readonly refreshToken: string;
  requests: number;
  close(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export async function startTokenServer(
  dir: string,
  credentials: { username: string; password: string },
): Promise<TokenServer> {
  const { keyPath, certPath } = selfSignedCert(dir, 'token', { subject: '/CN=ocisign-test-token' });
  const certDer = execFileSync('openssl', ['x509', '-in', certPath, '-outform', 'DER']);
  const key = createPrivateKey(readFileSync(keyPath));
  const service = 'ocisign-test';
  const issuer = 'ocisign-test-issuer';
  const refreshToken = `refresh-${randomUUID()}`;
  const state = { requests: 0 };

  const server: Server = createServer((req, res) => {
    state.requests++;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const form = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      let authenticated = false;
      const auth = req.headers.authorization;
      if (auth?.startsWith('Basic ')) {
        const [user, pass] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
        if (user !== credentials.username || pass !== credentials.password) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
          return;
        }
        authenticated = true;
      }
      if (req.method === 'POST') {
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshToken) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad refresh token"}');
          return;
        }
        authenticated = true;
      }
      const scopes = (
        req.method === 'POST' ? (form.get('scope') ?? '').split(' ') : form.getAll('scope')
      ).filter(Boolean);
      const access = scopes.flatMap((scope) => {
        const [type, name, actions] = scope.split(':');
        if (type !== 'repository' || name === undefined || actions === undefined) return [];
        const wanted = actions.split(',');
        const granted = authenticated
          ? wanted
          : name.startsWith('public/')
            ? wanted.filter((a) => a === 'pull')
            : [];
        return [{ type, name, actions: granted }];
      });
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'ES256', x5c: [certDer.toString('base64')] };
      const claims = {
        iss: issuer,
        sub: authenticated ? credentials.username : '',
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      };
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      const token = `${input}.${b64url(signature)}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          token,
          access_token: token,
          expires_in: 300,
          issued_at: new Date().toISOString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    realm: `http://127.0.0.1:${address.port}/token`,
    service,
    issuer,
    certPath,
    refreshToken,
    get requests() {
      return state.requests;
    },
    set requests(v: number) {
      state.requests = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
