/**
 * Fuzzing every parser of the registry layer: manifests and indexes of each media type, descriptors,
 * referrers responses, Docker config files, credential-helper-free config reading, token
 * responses, tag lists, error bodies, `WWW-Authenticate`, `Link`, `Retry-After`,
 * `Content-Length`, `Docker-Content-Digest` and image references. Each property holds for
 * FUZZ_RUNS inputs: a result or a typed OcisignError, never another throw, never a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTokenResponse } from '../../../src/registry/auth/authenticator.js';
import { parseChallenges } from '../../../src/registry/auth/challenge.js';
import { parseDockerConfig } from '../../../src/registry/auth/docker-config.js';
import { parseTagList } from '../../../src/registry/documents.js';
import { contentDigest, nextLink } from '../../../src/registry/headers.js';
import { checkDescriptor, parseManifest, parseReferrersIndex } from '../../../src/registry/manifest.js';
import { SecretRedactor } from '../../../src/registry/redact.js';
import { parseReference } from '../../../src/registry/reference.js';
import { parseErrorBody } from '../../../src/registry/response-errors.js';
import { declaredLength } from '../../../src/registry/transport/http.js';
import { backoffMs, retryAfterMs } from '../../../src/registry/transport/retry.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult } from '../../helpers/fuzz.js';
import { image, index, referrer } from '../../helpers/images.js';
import { mutatedDocument } from '../../helpers/json-mutations.js';

const runs = { numRuns: FUZZ_RUNS };
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as unknown;

const img = image();
const realDocuments = [
  dec(img.manifest.bytes),
  dec(index([{ image: img, architecture: 'arm64' }]).bytes),
  dec(referrer(img.manifest, 'application/vnd.dev.sigstore.bundle.v0.3+json', '{}').manifest.bytes),
  {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifests: [
      {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: img.manifest.digest,
        size: 1,
        platform: { architecture: 'amd64', os: 'linux', variant: 'v8', 'os.features': ['x'] },
        annotations: { a: 'b' },
        urls: ['https://x'],
      },
    ],
    subject: { mediaType: 'x', digest: img.manifest.digest, size: 2 },
  },
];
const mediaTypes = fc.constantFrom(
  undefined,
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.artifact.manifest.v1+json',
  'application/json',
);
/** Bytes a registry might send: noise, any JSON, or a real document edited by a hostile hand. */
const documentBytes = (documents: readonly unknown[]) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.jsonValue().map(enc),
    mutatedDocument(documents).map(enc),
    mutatedDocument(documents).map(enc),
  );

describe('fuzz: manifests, indexes, descriptors, referrers', () => {
  it(
    'parseManifest returns a validated document or throws a typed error',
    () => {
      fc.assert(
        fc.property(documentBytes(realDocuments), mediaTypes, (bytes, mediaType) => {
          const result = typedOrResult(() => parseManifest(bytes, mediaType));
          if (result instanceof Error) return;
          // What came back is what the schemas promise.
          const list = 'manifests' in result ? result.manifests : [result.config, ...result.layers];
          for (const d of list)
            expect(typeof d.digest === 'string' && Number.isSafeInteger(d.size)).toBe(true);
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'parseReferrersIndex and checkDescriptor return typed values or typed errors',
    () => {
      const descriptor = { mediaType: 'x', digest: img.manifest.digest, size: 1, annotations: { a: 'b' } };
      fc.assert(
        fc.property(documentBytes(realDocuments), mutatedDocument([descriptor]), (bytes, d) => {
          typedOrResult(() => parseReferrersIndex(bytes));
          typedOrResult(() => checkDescriptor(d, 'descriptor'));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('fuzz: documents and credentials', () => {
  const configs = [
    {
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('u:p').toString('base64') },
        'r.example': { username: 'u', password: 'p', identitytoken: 't' },
      },
      credHelpers: { 'gcr.io': 'gcloud' },
      credsStore: 'desktop',
    },
  ];
  it(
    'parseDockerConfig reads a config or throws a typed error',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.jsonValue().map((j) => JSON.stringify(j)),
            mutatedDocument(configs).map((j) => JSON.stringify(j)),
          ),
          (text) => {
            typedOrResult(() => parseDockerConfig(text, 'config.json'));
          },
        ),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'parseTokenResponse returns a header-safe token or throws a typed error',
    () => {
      const tokens = [
        { token: 'abc', access_token: 'def', expires_in: 300, refresh_token: 'r', issued_at: '2024' },
      ];
      fc.assert(
        fc.property(documentBytes(tokens), (bytes) => {
          const result = typedOrResult(() => parseTokenResponse(bytes, 'r.example'));
          if (!(result instanceof Error)) {
            expect(result.token).toMatch(/^[\x21-\x7e]+$/);
            expect(result.expiresInSeconds).toBeGreaterThan(0);
          }
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'parseTagList returns strings or throws a typed error; parseErrorBody never throws',
    () => {
      const lists = [{ name: 'app', tags: ['a', 'b'] }];
      const bodies = [{ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'm', detail: {} }] }];
      fc.assert(
        fc.property(documentBytes(lists), documentBytes(bodies), (list, body) => {
          const tags = typedOrResult(() => parseTagList(list, 'app'));
          if (Array.isArray(tags)) expect(tags.every((t) => typeof t === 'string')).toBe(true);
          const parsed = parseErrorBody(body);
          if (parsed.code !== undefined) expect(parsed.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'a SecretRedactor removes every secret it was given from any text around it',
    () => {
      fc.assert(
        fc.property(fc.string({ minLength: 4 }), fc.string(), fc.string(), (secret, before, after) => {
          fc.pre(!'[REDACTED]'.includes(secret));
          const redactor = new SecretRedactor();
          redactor.addBasic('user', secret);
          const text = `${before}${secret}${after} ${Buffer.from(`user:${secret}`).toString('base64')}`;
          const out = redactor.scrub(text);
          expect(out).not.toContain(secret);
          expect(out).not.toContain(Buffer.from(`user:${secret}`).toString('base64'));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('fuzz: headers and references', () => {
  const headerText = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({
      unit: fc.constantFrom('<', '>', ';', ',', '"', '=', ' ', 'a', '/', ':', '\\'),
      maxLength: 300,
    }),
    fc
      .tuple(
        fc.constantFrom('Bearer', 'Basic', 'bearer'),
        fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 })),
      )
      .map(
        ([scheme, params]) =>
          `${scheme} ${Object.entries(params)
            .map(([k, v]) => `${k}="${v}"`)
            .join(', ')}`,
      ),
  );
  const current = new URL('http://r.example/v2/app/tags/list?n=10');

  it(
    'WWW-Authenticate, Link, Retry-After, Content-Length and Docker-Content-Digest never throw',
    () => {
      fc.assert(
        fc.property(headerText, (text) => {
          for (const challenge of parseChallenges(text)) {
            expect(typeof challenge.scheme).toBe('string');
            for (const value of Object.values(challenge.params)) expect(typeof value).toBe('string');
          }
          const next = nextLink(text, current);
          if (next !== undefined) expect(next.origin).toBe(current.origin);
          const wait = retryAfterMs(text);
          if (wait !== undefined) expect(backoffMs(1, { maxDelayMs: 1000 }, wait)).toBeLessThanOrEqual(1000);
          const length = declaredLength({ headers: { 'content-length': text } });
          expect(length === undefined || Number.isNaN(length) || length >= 0).toBe(true);
          const digest = contentDigest({ headers: { 'docker-content-digest': text } });
          if (digest !== undefined) expect(digest).toMatch(/^sha(256|512):[0-9a-f]+$/);
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('parses a 100 000-character header in linear time', () => {
    const started = performance.now();
    for (const text of ['<'.repeat(100_000), `Bearer ${'a="'.repeat(30_000)}`, `${'<a>;'.repeat(25_000)}`]) {
      parseChallenges(text);
      nextLink(text, current);
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it(
    'parseReference returns a reference or throws InvalidReferenceError',
    () => {
      const refChars = fc.constantFrom(...'abcAZ09._-/:@[]'.split(''), 'sha256:', `sha256:${'a'.repeat(64)}`);
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 300 }),
            fc.array(refChars, { maxLength: 40 }).map((parts) => parts.join('')),
            fc.anything({ withNullPrototype: true, withObjectString: true }),
          ),
          (input) => {
            const result = typedOrResult(() => parseReference(input as string));
            if (result instanceof Error) expect((result as { code?: string }).code).toBe('INVALID_REFERENCE');
          },
        ),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
