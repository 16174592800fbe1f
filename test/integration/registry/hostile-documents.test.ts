/**
 * Malformed documents and headers from a hostile registry — tag lists, token responses, referrers
 * indexes, manifests of every media type, `WWW-Authenticate`, `Retry-After`, `Link`,
 * `Docker-Content-Digest`, `Content-Length`: each is a typed error or is safely ignored, never a
 * TypeError and never a hang.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OcisignError, RegistryResponseError } from '../../../src/errors/index.js';
import { RegistryClient } from '../../../src/registry/index.js';
import {
  type HostileHandler,
  type HostileReply,
  type MaliciousRegistry,
  requireBearer,
  sha256Digest,
  startMaliciousRegistry,
} from '../../helpers/malicious-registry.js';

let registry: MaliciousRegistry;
let client: RegistryClient;
let handler: HostileHandler = () => ({ status: 404 });

beforeAll(async () => {
  registry = await startMaliciousRegistry((r) => handler(r));
});
afterAll(async () => registry.close());
afterEach(async () => client?.close());

function fresh(): RegistryClient {
  client = new RegistryClient({
    dockerConfig: false,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 50 },
    timeoutMs: 2000,
    bodyTimeoutMs: 2000,
  });
  return client;
}

/** What a call ended with: its result, or the error it threw. A TypeError fails the test right here. */
async function outcome(work: Promise<unknown>): Promise<unknown> {
  try {
    return await work;
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
    return error;
  }
}

const json = (body: unknown, headers: Record<string, string> = {}): HostileReply => ({
  status: 200,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const descriptor = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: sha256Digest('x'),
  size: 1,
};

describe('tag lists', () => {
  it.each(['null', '"x"', '5', '[]', '{"tags":"x"}', '{"tags":[1]}', '{"tags":[null]}', '{"tags":{}}', '{'])(
    'refuses %s with a typed error',
    async (body) => {
      handler = () => json(body);
      expect(await outcome(fresh().listTags(`${registry.host}/app`))).toBeInstanceOf(RegistryResponseError);
    },
  );

  it('reads {"tags":null} and a missing list as no tags', async () => {
    handler = () => json('{"name":"app","tags":null}');
    expect(await fresh().listTags(`${registry.host}/app`)).toEqual([]);
  });

  it.each([
    ['an invalid URL', '<http://[>; rel="next"'],
    ['an empty target', '<>; rel="next"'],
    ['8000 angle brackets', `${'<'.repeat(8000)}`],
    ['a javascript: URL', '<javascript:alert(1)>; rel="next"'],
    ['two rels and an open bracket', '</v2/app/tags/list?last=a>; rel=next; rel="prev", <x'],
    ['punctuation', ';;;,,,<<>>'],
  ])('survives a Link header with %s', async (_name, link) => {
    let pages = 0;
    handler = () => (pages++ === 0 ? json({ tags: ['a'] }, { link }) : json({ tags: ['b'] }));
    const result = await outcome(fresh().listTags(`${registry.host}/app`));
    expect(Array.isArray(result) || result instanceof OcisignError).toBe(true);
  });
});

describe('token responses', () => {
  it.each([
    'null',
    '"x"',
    '5',
    '[]',
    '{}',
    '{"token":5}',
    '{"token":""}',
    '{"token":null,"access_token":null}',
    '{"token":"a\\r\\nX-Injected: 1"}',
    '{"token":"t","expires_in":"soon"}',
    '{"access_token":{"toString":"x"}}',
    '{',
  ])('refuses %s with a typed error', async (body) => {
    handler = requireBearer(
      () => `${registry.url}/token`,
      'good',
      () => json({}),
      () => json(body),
    );
    const result = await outcome(fresh().getManifest(`${registry.host}/app:v1`));
    expect(result).toBeInstanceOf(OcisignError);
    expect(registry.requests.every((r) => !String(r.headers.authorization).includes('\n'))).toBe(true);
  });

  it('reads a good token', async () => {
    const m = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [],
    });
    handler = requireBearer(
      () => `${registry.url}/token`,
      'good',
      () => json(m, { 'content-type': 'application/vnd.oci.image.index.v1+json' }),
      () => json({ access_token: 'good', expires_in: 1e300, issued_at: 5 }),
    );
    expect((await fresh().getManifest(`${registry.host}/app:v1`)).bytes.length).toBe(m.length);
  });
});

describe('WWW-Authenticate challenges', () => {
  it.each([
    'Bearer',
    'Bearer realm=',
    'Bearer realm="not a url"',
    'Bearer realm="ftp://x/token"',
    'Bearer realm="http://[::1"',
    'Bearer __proto__="x", realm="http://127.0.0.1:1/token", constructor=y',
    'Basic realm="x"',
    'Negotiate abc',
    '=,,"""  ;;',
  ])('answers %s with a typed error', async (challenge) => {
    handler = () => ({ status: 401, headers: { 'www-authenticate': challenge } });
    expect(await outcome(fresh().getManifest(`${registry.host}/app:v1`))).toBeInstanceOf(OcisignError);
  });
});

describe('WWW-Authenticate challenges, long', () => {
  it.each([
    ['an unterminated 10 000-character realm', `Bearer realm="${'a'.repeat(10_000)}`],
    ['500 challenges', `${'Bearer realm="x", '.repeat(500)}`],
  ])('answers %s with a typed error', async (_name, challenge) => {
    handler = () => ({ status: 401, headers: { 'www-authenticate': challenge } });
    expect(await outcome(fresh().getManifest(`${registry.host}/app:v1`))).toBeInstanceOf(OcisignError);
  });
});

describe('referrers API responses', () => {
  it.each([
    [
      'a manifest, not an index',
      { schemaVersion: 2, mediaType: descriptor.mediaType, config: descriptor, layers: [] },
    ],
    ['manifests not an array', { schemaVersion: 2, manifests: 'x' }],
    ['a null entry', { schemaVersion: 2, manifests: [null] }],
    ['an entry without digest', { schemaVersion: 2, manifests: [{ mediaType: 'x', size: 1 }] }],
    ['null', null],
    ['an index with layers', { schemaVersion: 2, manifests: [], layers: [descriptor] }],
  ])('refuses %s', async (_name, body) => {
    handler = () => json(body, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
    expect(await outcome(fresh().referrers(`${registry.host}/app`, sha256Digest('x')))).toBeInstanceOf(
      RegistryResponseError,
    );
  });
});

describe('manifests of every media type', () => {
  const oci = 'application/vnd.oci.image.manifest.v1+json';
  const ociIndex = 'application/vnd.oci.image.index.v1+json';
  it.each([
    [
      'an index that also has layers',
      ociIndex,
      { schemaVersion: 2, mediaType: ociIndex, manifests: [], layers: [] },
    ],
    [
      'a manifest that also lists manifests',
      oci,
      { schemaVersion: 2, mediaType: oci, config: descriptor, layers: [], manifests: [] },
    ],
    [
      'served as an index, says manifest',
      ociIndex,
      { schemaVersion: 2, mediaType: oci, config: descriptor, layers: [] },
    ],
    [
      'an artifact manifest',
      'application/vnd.oci.artifact.manifest.v1+json',
      { schemaVersion: 2, mediaType: 'application/vnd.oci.artifact.manifest.v1+json', blobs: [] },
    ],
    ['a null layer', oci, { schemaVersion: 2, mediaType: oci, config: descriptor, layers: [null] }],
    ['a null config', oci, { schemaVersion: 2, mediaType: oci, config: null, layers: [] }],
    ['a numeric mediaType', oci, { schemaVersion: 2, mediaType: 5, config: descriptor, layers: [] }],
    [
      'a docker list with a bad platform',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      { schemaVersion: 2, manifests: [{ ...descriptor, platform: 'linux/amd64' }] },
    ],
    ['urls not strings', oci, { schemaVersion: 2, config: { ...descriptor, urls: [1] }, layers: [] }],
    [
      'schema 1',
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      { schemaVersion: 1, fsLayers: [] },
    ],
  ])('refuses %s', async (_name, mediaType, doc) => {
    handler = () => json(doc, { 'content-type': mediaType });
    expect(await outcome(fresh().getManifest(`${registry.host}/app:v1`))).toBeInstanceOf(
      RegistryResponseError,
    );
  });
});

describe('headers', () => {
  const m = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [],
  });
  const served = (headers: Record<string, string>) => () =>
    json(m, { 'content-type': 'application/vnd.oci.image.index.v1+json', ...headers });

  it.each(['nope', 'sha256:zz', `sha256:${'A'.repeat(64)}`, 'sha999:abc', ':', '\u00e9'.repeat(10)])(
    'ignores or refuses a Docker-Content-Digest of %s, never crashes',
    async (digest) => {
      handler = served({ 'docker-content-digest': encodeURIComponent(digest) });
      const got = await outcome(fresh().getManifest(`${registry.host}/app:v1`));
      if (got instanceof OcisignError) expect(got).toBeInstanceOf(RegistryResponseError);
      else expect((got as { digest: string }).digest).toBe(sha256Digest(m));
      const head = await outcome(fresh().headManifest(`${registry.host}/app:v1`));
      expect(head).toBeInstanceOf(RegistryResponseError);
    },
  );

  it.each(['abc', '-1', '1e3', ''])('refuses a HEAD Content-Length of "%s"', async (length) => {
    handler = (r) =>
      r.method === 'HEAD'
        ? {
            status: 200,
            headers: { 'docker-content-digest': sha256Digest(m), 'content-length': length },
            stallBody: true,
          }
        : json(m);
    const head = await outcome(fresh().headManifest(`${registry.host}/app:v1`));
    expect(head).toBeInstanceOf(OcisignError);
  });

  it.each(['99999999999999999999999', '-1', '1e3', 'Thu, 01 Jan 2999 00:00:00 GMT', 'soon', '0x10'])(
    'retries within maxDelayMs whatever Retry-After says (%s)',
    async (retryAfter) => {
      let calls = 0;
      handler = () =>
        calls++ === 0 ? { status: 503, headers: { 'retry-after': retryAfter } } : served({})();
      const started = Date.now();
      await fresh().getManifest(`${registry.host}/app:v1`);
      expect(Date.now() - started).toBeLessThan(1500);
    },
  );

  it('refuses a redirect whose Location is not a URL', async () => {
    handler = () => ({ status: 307, headers: { location: 'http://[::1' } });
    expect(await outcome(fresh().getManifest(`${registry.host}/app:v1`))).toBeInstanceOf(
      RegistryResponseError,
    );
  });
});
