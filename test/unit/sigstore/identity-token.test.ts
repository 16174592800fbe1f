/**
 * Identity tokens: identityTokenFromEnvironment takes SIGSTORE_ID_TOKEN first, else asks a local
 * server playing GitHub Actions' token endpoint (audience `sigstore`, the request token as bearer,
 * `{ "value": … }`), else fails naming both sources; every failure is an IdentityTokenError whose
 * message holds neither token, nor the request token, nor the endpoint's path. The proof-of-
 * possession subject is the verified email, else `sub`, as sigstore's oauthflow reads them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, OperationTimeoutError } from '../../../src/errors/base.js';
import { IdentityTokenError } from '../../../src/errors/sigstore.js';
import {
  identityTokenFromEnvironment,
  proofOfPossessionSubject,
} from '../../../src/sigstore/identity-token.js';
import { freePort } from '../../helpers/ports.js';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256', typ: 'JWT' })}.${part(claims)}.${Buffer.from('signature-bytes').toString('base64url')}`;
}

const GITHUB_TOKEN = jwt({
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/widget:ref:refs/heads/main',
});
const REQUEST_TOKEN = 'request-token-that-is-a-secret';
const JOB_PATH = '/00000000-job-secret-path/idtoken';

/** What the endpoint answers next, and the requests it saw. */
let answer: (request: IncomingMessage, response: ServerResponse) => void;
const seen: { url: string; authorization: string | undefined }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  answer = (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ count: 1, value: GITHUB_TOKEN }));
  };
});

const github = (extra: Record<string, string> = {}) => ({
  ACTIONS_ID_TOKEN_REQUEST_URL: `${base}${JOB_PATH}?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<IdentityTokenError> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof IdentityTokenError)) throw error;
    for (const secret of [REQUEST_TOKEN, GITHUB_TOKEN, JOB_PATH, ...GITHUB_TOKEN.split('.')])
      expect(error.message).not.toContain(secret);
    return error;
  }
  throw new Error('expected an IdentityTokenError');
}

describe('identityTokenFromEnvironment', () => {
  it('takes SIGSTORE_ID_TOKEN first, trimmed, without asking GitHub', async () => {
    const token = jwt({ sub: 'gitlab-project' });
    expect(await identityTokenFromEnvironment({ env: github({ SIGSTORE_ID_TOKEN: ` ${token}\n` }) })).toBe(
      token,
    );
    expect(seen).toHaveLength(0);
  });

  it('asks the GitHub Actions endpoint for audience sigstore with the request token as bearer', async () => {
    expect(await identityTokenFromEnvironment({ env: github() })).toBe(GITHUB_TOKEN);
    expect(seen).toHaveLength(1);
    const url = new URL(seen[0]?.url ?? '', base);
    expect(url.pathname).toBe(JOB_PATH);
    expect(url.searchParams.get('api-version')).toBe('2.0');
    expect(url.searchParams.getAll('audience')).toEqual(['sigstore']);
    expect(seen[0]?.authorization).toBe(`Bearer ${REQUEST_TOKEN}`);
  });

  it('asks again on each call (a renewing signer needs a fresh token)', async () => {
    await identityTokenFromEnvironment({ env: github() });
    await identityTokenFromEnvironment({ env: github() });
    expect(seen).toHaveLength(2);
  });

  it('names both sources when neither is there', async () => {
    const error = await failure(identityTokenFromEnvironment({ env: {} }));
    expect(error.message).toMatch(/SIGSTORE_ID_TOKEN/);
    expect(error.message).toMatch(/ACTIONS_ID_TOKEN_REQUEST_URL/);
    // A URL without its request token is not a source either.
    await failure(identityTokenFromEnvironment({ env: { ACTIONS_ID_TOKEN_REQUEST_URL: `${base}/x` } }));
  });

  it('refuses a SIGSTORE_ID_TOKEN that is not a JWT, without echoing it', async () => {
    const secret = 'a-password-pasted-by-mistake';
    const error = await failure(identityTokenFromEnvironment({ env: { SIGSTORE_ID_TOKEN: secret } }));
    expect(error.message).not.toContain(secret);
  });

  it('a refusal is an IdentityTokenError with the status and a hint, never the endpoint’s path', async () => {
    answer = (_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `denied ${REQUEST_TOKEN}` }));
    };
    const error = await failure(identityTokenFromEnvironment({ env: github() }));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/id-token: write/);
    expect(error.message).toContain(base);
  });

  it('an answer without a token, or not JSON, is an IdentityTokenError', async () => {
    answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ value: 'not a jwt' }));
    };
    expect((await failure(identityTokenFromEnvironment({ env: github() }))).message).toMatch(/no token/);
    answer = (_request, response) => {
      response.writeHead(200);
      response.end('<html>');
    };
    expect((await failure(identityTokenFromEnvironment({ env: github() }))).message).toMatch(
      /not answer JSON/,
    );
    answer = (_request, response) => {
      response.writeHead(200);
      response.end('x'.repeat(70 * 1024));
    };
    expect((await failure(identityTokenFromEnvironment({ env: github() }))).message).toMatch(/more than/);
  });

  it('an endpoint not listening is an IdentityTokenError with status 0', async () => {
    const port = await freePort();
    const env = github({
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}${JOB_PATH}?api-version=2.0`,
    });
    expect((await failure(identityTokenFromEnvironment({ env }))).status).toBe(0);
  });

  it('an endpoint that never answers ends at the deadline, or at the caller’s abort', async () => {
    answer = () => undefined;
    await expect(identityTokenFromEnvironment({ env: github(), timeoutMs: 200 })).rejects.toBeInstanceOf(
      OperationTimeoutError,
    );
    const controller = new AbortController();
    const pending = identityTokenFromEnvironment({ env: github(), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    server.closeAllConnections();
  });
});

describe('proofOfPossessionSubject', () => {
  it('is the email when the token has a verified one, else the subject', () => {
    expect(
      proofOfPossessionSubject(jwt({ sub: '1234', email: 'dev@example.com', email_verified: true })),
    ).toBe('dev@example.com');
    expect(
      proofOfPossessionSubject(jwt({ sub: '1234', email: 'dev@example.com', email_verified: 'True' })),
    ).toBe('dev@example.com');
    expect(proofOfPossessionSubject(GITHUB_TOKEN)).toBe('repo:acme/widget:ref:refs/heads/main');
    expect(proofOfPossessionSubject(jwt({ sub: 'only-sub', email: '' }))).toBe('only-sub');
  });

  it('refuses an unverified email, a token without subject, and what is not a JWT', () => {
    const cases: [string, RegExp][] = [
      [jwt({ sub: '1', email: 'dev@example.com' }), /not verified/],
      [jwt({ sub: '1', email: 'dev@example.com', email_verified: false }), /not verified/],
      [jwt({ sub: '1', email: 'dev@example.com', email_verified: 'yes' }), /not a boolean/],
      [jwt({ sub: '1', email: 7 }), /email claim is not a string/],
      [jwt({ iss: 'x' }), /no subject/],
      [jwt({ sub: 42 }), /no subject/],
      ['a.b', /not a JWT/],
      ['a.%%%.c', /not a JWT/],
      [`x.${Buffer.from('[1]').toString('base64url')}.y`, /not a JSON object/],
      [`x.${Buffer.from('{').toString('base64url')}.y`, /not JSON/],
    ];
    for (const [token, message] of cases) {
      let error: unknown;
      try {
        proofOfPossessionSubject(token);
      } catch (e) {
        error = e;
      }
      expect(error, token).toBeInstanceOf(IdentityTokenError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(token);
    }
  });
});
