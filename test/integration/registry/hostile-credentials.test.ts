/**
 * Where credentials go when a registry is hostile: a registry's credentials reach that registry and
 * the token realm it names — never an upload `Location` or a redirect target on another host — and
 * no error message or cause built from a response carries them, even when the registry echoes them.
 * "Another host" is another origin: a second server on 127.0.0.2.
 */
import { describe, expect, it } from 'vitest';
import { OcisignError, RegistryAuthError, RegistryResponseError } from '../../../src/errors/index.js';
import type { RegistryClientOptions } from '../../../src/registry/index.js';
import { Transport } from '../../../src/registry/transport/http.js';
import {
  basicHeader,
  echoCredentials,
  type HostileHandler,
  hostileTestbed,
  type MaliciousRegistry,
  redirectTo,
  requireBasic,
  requireBearer,
  serveContent,
} from '../../helpers/malicious-registry.js';

const USER = 'alice';
const PASSWORD = 'pw-Very-Secret-42';
const testbed = hostileTestbed({ timeoutMs: 2000, bodyTimeoutMs: 2000 });

const server = (handler: HostileHandler, host?: string) =>
  testbed.server(handler, host === undefined ? {} : { host });

/** A client holding USER's credentials for `host`. */
const client = (host: string, options: RegistryClientOptions = {}) =>
  testbed.client({ credentials: { [host]: { username: USER, password: PASSWORD } }, ...options });

/** Every string a leak could take: the password, user:pass in base64, the whole header. */
function secretsOf(...extra: string[]): string[] {
  const basic = basicHeader(USER, PASSWORD);
  return [PASSWORD, basic, basic.slice('Basic '.length), ...extra];
}

/** The error's message, its cause chain's messages and its JSON form. */
function everythingSaid(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 8; depth++) {
    parts.push(String(e), e instanceof Error ? (e.stack ?? '') : '', JSON.stringify(e) ?? '');
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join('\n');
}

const bytes = new TextEncoder().encode('blob bytes');

describe('credentials stay with their registry', () => {
  it.each([
    ['monolithic PUT', undefined],
    ['PATCH chunks', 4],
  ])('sends an upload Location on another host no credentials (%s)', async (_name, chunkSize) => {
    const storage = await server(
      (r) => (r.method === 'PUT' ? { status: 201 } : { status: 202, headers: { location: r.path } }),
      '127.0.0.2',
    );
    const registry = await server(
      requireBasic(USER, PASSWORD, (r) =>
        r.method === 'POST'
          ? { status: 202, headers: { location: `${storage.url}/uploads/1` } }
          : { status: 404 },
      ),
    );
    const c = client(registry.host);
    const result = await c
      .pushBlob(`${registry.host}/app`, bytes, chunkSize === undefined ? {} : { chunkSize })
      .catch((e: unknown) => e);
    if (result instanceof Error) expect(result).toBeInstanceOf(OcisignError);
    expect(storage.requests.length).toBeGreaterThan(0);
    expect(storage.requests.map((r) => r.headers.authorization)).toEqual(
      storage.requests.map(() => undefined),
    );
    // The registry itself did get them.
    expect(registry.requests.some((r) => r.headers.authorization === basicHeader(USER, PASSWORD))).toBe(true);
  });

  it('refuses an upload Location that is not a URL, or plain HTTP to a host that is not loopback', async () => {
    for (const location of ['http://[::1', 'http://registry.example.com/uploads/1', 'ftp://127.0.0.1/x']) {
      const registry = await server((r) =>
        r.method === 'POST' ? { status: 202, headers: { location } } : { status: 404 },
      );
      const error = await client(registry.host)
        .pushBlob(`${registry.host}/app`, bytes)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryResponseError);
    }
  });

  it.each(['bearer', 'basic'])(
    'gives a redirect target on another host that answers 401 (%s) no credentials, and keeps talking to the registry',
    async (scheme) => {
      const other = await server((r) => {
        if (r.path.startsWith('/token')) return { status: 200, body: '{"token":"other-token"}' };
        if (r.headers.authorization === undefined)
          return {
            status: 401,
            headers: {
              'www-authenticate':
                scheme === 'bearer' ? `Bearer realm="http://${r.headers.host}/token"` : 'Basic realm="x"',
            },
          };
        return { status: 200, body: 'stolen' };
      }, '127.0.0.2');
      const manifest =
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}';
      const content = serveContent(
        new Map([['v1', { bytes: manifest, mediaType: 'application/vnd.oci.image.index.v1+json' }]]),
      );
      const registry = await server(
        requireBasic(USER, PASSWORD, (r) =>
          r.path.includes('/blobs/') ? redirectTo(`${other.url}/storage/blob`) : content(r),
        ),
      );
      const c = client(registry.host);
      // Warm: the client learns that the registry wants Basic, and sends it up front from now on.
      expect((await c.getManifest(`${registry.host}/app:v1`)).bytes.length).toBe(manifest.length);
      const digest = `sha256:${'a'.repeat(64)}`;
      const error = await c.getBlobBytes(`${registry.host}/app`, digest).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryAuthError);
      expect(other.requests.length).toBeGreaterThan(0);
      expect(other.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
      // The other host's challenge did not become the registry's: Basic still works there.
      expect((await c.getManifest(`${registry.host}/app:v1`)).bytes.length).toBe(manifest.length);
      expect(other.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    },
  );

  it('drops Authorization, Cookie and Proxy-Authorization when a redirect leaves the origin, keeps them within it', async () => {
    const other = await server(() => ({ status: 200, body: 'ok' }), '127.0.0.2');
    const origin = await server((r) =>
      r.path === '/same'
        ? redirectTo('/there')
        : r.path === '/there'
          ? redirectTo(`${other.url}/x`)
          : { status: 404 },
    );
    const transport = new Transport();
    const secret = { authorization: 'Bearer t', cookie: 'session=1', 'proxy-authorization': 'Basic eA==' };
    const response = await transport.send({
      method: 'GET',
      url: new URL(`${origin.url}/same`),
      headers: secret,
      idempotent: true,
    });
    await response.body.dump();
    await transport.close();
    expect(origin.requests.map((r) => [r.headers.authorization, r.headers.cookie])).toEqual([
      ['Bearer t', 'session=1'],
      ['Bearer t', 'session=1'],
    ]);
    const seen = other.requests[0]?.headers ?? {};
    expect([seen.authorization, seen.cookie, seen['proxy-authorization']]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('no credential in errors built from responses', () => {
  it('scrubs Basic credentials a registry echoes in its error body', async () => {
    const registry = await server(
      requireBasic(USER, PASSWORD, (r) => {
        const echoed = echoCredentials(r);
        // Also the password in clear and base64 without the scheme, as a debugging registry might.
        const text = String(echoed.body).replace(
          'request was:',
          `password ${PASSWORD}, user:pass ${basicHeader(USER, PASSWORD).slice(6)},`,
        );
        return { ...echoed, body: text };
      }),
    );
    const error = await client(registry.host)
      .getManifest(`${registry.host}/app:v1`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OcisignError);
    const said = everythingSaid(error);
    for (const secret of secretsOf()) expect(said).not.toContain(secret);
    expect(said).toMatch(/request was|DENIED/);
  });

  it('scrubs bearer tokens and refresh tokens a registry echoes', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNlY3JldA';
    const refresh = 'refresh-Secret-Token-77';
    let formSeen = '';
    const registry: MaliciousRegistry = await server(
      requireBearer(
        () => `${registry.url}/token`,
        token,
        (r) => ({
          ...echoCredentials(r, 403),
          body: JSON.stringify({
            errors: [
              {
                code: 'DENIED',
                message: `you sent ${r.headers.authorization}; raw ${token}; form ${formSeen}`,
              },
            ],
          }),
        }),
        (r) => {
          formSeen = r.body.toString('utf8');
          return { status: 200, body: JSON.stringify({ token, refresh_token: 'new-refresh-Secret-88' }) };
        },
      ),
    );
    const c = client(registry.host, { credentials: { [registry.host]: { identityToken: refresh } } });
    const error = await c.getManifest(`${registry.host}/app:v1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect(formSeen).toContain('refresh_token=');
    const said = everythingSaid(error);
    for (const secret of [token, refresh, encodeURIComponent(refresh), 'new-refresh-Secret-88'])
      expect(said).not.toContain(secret);
  });

  it('scrubs a token service error that echoes the Basic credentials it was sent', async () => {
    const registry: MaliciousRegistry = await server(
      requireBearer(
        () => `${registry.url}/token`,
        'never',
        () => ({ status: 200 }),
        (r) => echoCredentials(r, 401),
      ),
    );
    const error = await client(registry.host)
      .getManifest(`${registry.host}/app:v1`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    const said = everythingSaid(error);
    for (const secret of secretsOf()) expect(said).not.toContain(secret);
  });

  it('keeps control characters a registry sends out of messages', async () => {
    const registry = await server(() => ({
      status: 400,
      body: JSON.stringify({
        errors: [{ code: 'DENIED', message: 'line1\n\u001b[31mFAKE: verified\u001b[0m\r' }],
      }),
    }));
    const error = (await client(registry.host)
      .getManifest(`${registry.host}/app:v1`)
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(OcisignError);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});
