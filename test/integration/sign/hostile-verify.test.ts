/**
 * `verifyImage` and `verifyImageAttestations` against a hostile registry (test/helpers/
 * malicious-registry.ts): a referrers index listing thousands of entries costs at most
 * `maxReferrers` manifest GETs, newest first, and the result or the failure says the list was cut;
 * a `.sig` tag holding an index or an artifact manifest, a genuine `.sig` layer with a hostile Rekor
 * bundle annotation, a bundle with a malformed inclusion proof or a string `dsseEnvelope` — each is
 * a typed candidate failure, never a TypeError.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, OcisignError, VerificationError } from '../../../src/errors/index.js';
import { verifyImage, verifyImageAttestations } from '../../../src/index.js';
import { createSigner, exportPublicKeyPem, generateKeyPair, publicKeyHint } from '../../../src/keys/index.js';
import {
  bundleReferrerManifest,
  COSIGN_SIGN_PREDICATE_TYPE,
  createBundle,
  encodeCosignSignStatement,
  encodeSimpleSigningPayload,
  IN_TOTO_PAYLOAD_TYPE,
  SignatureAnnotation,
  signatureTag,
  signDsse,
} from '../../../src/payload/index.js';
import { RegistryClient } from '../../../src/registry/index.js';
import {
  type HostileRequest,
  type MaliciousRegistry,
  serveContent,
  sha256Digest,
  startMaliciousRegistry,
} from '../../helpers/malicious-registry.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

let registry: MaliciousRegistry;
let client: RegistryClient | undefined;
const alice = await generateKeyPair();
const signer = createSigner(alice.privateKey);
const subjectDigest = () => sha256Digest(randomBytes(16));

beforeAll(async () => {
  registry = await startMaliciousRegistry(() => ({ status: 404 }));
});
afterAll(async () => registry.close());
afterEach(async () => {
  await client?.close();
  client = undefined;
});

function fresh(): RegistryClient {
  registry.requests.length = 0;
  client = new RegistryClient({ dockerConfig: false, retry: { retries: 0 } });
  return client;
}

/** Manifest GETs by digest: what each considered referrer costs. */
const manifestGets = (requests: readonly HostileRequest[]) =>
  requests.filter((r) => r.method === 'GET' && /\/manifests\/sha256:/.test(r.path)).length;

type Content = Map<string, { bytes: string | Uint8Array; mediaType?: string }>;

/** Serves `content`, and `index` as the referrers API answer for `digest`. */
function serve(digest: string, content: Content, index?: object): void {
  const rest = serveContent(content);
  registry.setHandler((request) =>
    index !== undefined && request.path === `/v2/app/referrers/${digest}`
      ? { status: 200, headers: { 'content-type': OCI_INDEX }, body: JSON.stringify(index) }
      : rest(request),
  );
}

/** A genuine bundle referrer for `digest`, signed by alice, added to `content`; returns its descriptor. */
async function genuineBundle(digest: string, content: Content, created: string, bundleText?: Uint8Array) {
  const envelope = await signDsse(signer, IN_TOTO_PAYLOAD_TYPE, encodeCosignSignStatement(digest));
  const bundle =
    bundleText ?? createBundle({ publicKeyHint: publicKeyHint(alice.publicKey), dsseEnvelope: envelope });
  const referrer = bundleReferrerManifest({
    bundle,
    subject: { mediaType: OCI_MANIFEST, digest, size: 100 },
    predicateType: COSIGN_SIGN_PREDICATE_TYPE,
    created,
  });
  content.set(referrer.manifestDescriptor.digest, { bytes: referrer.manifest, mediaType: OCI_MANIFEST });
  content.set(referrer.bundleDescriptor.digest, { bytes: referrer.bundle });
  content.set(referrer.configDescriptor.digest, { bytes: referrer.config });
  return {
    ...referrer.manifestDescriptor,
    annotations: { 'org.opencontainers.image.created': created },
  };
}

function junk(i: number, created?: string) {
  return {
    mediaType: OCI_MANIFEST,
    digest: sha256Digest(`junk ${i}`),
    size: 500,
    artifactType: BUNDLE_TYPE,
    ...(created === undefined ? {} : { annotations: { 'org.opencontainers.image.created': created } }),
  };
}

const index = (manifests: object[]) => ({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
const day = (n: number) =>
  new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

/** verifyImage of `digest` on the hostile registry with alice's key, without tlog unless `extra` says. */
const verify = (digest: string, extra: Partial<Parameters<typeof verifyImage>[1]> = {}) =>
  verifyImage(`${registry.host}/app@${digest}`, {
    keys: [alice.publicKey],
    registry: fresh(),
    ignoreTlog: true,
    ...extra,
  });

async function failureOf(work: Promise<unknown>): Promise<VerificationError> {
  const error = await work.catch((e: unknown) => e);
  if (!(error instanceof OcisignError)) throw error;
  expect(error).toBeInstanceOf(VerificationError);
  return error as VerificationError;
}

describe('a hostile referrers index', () => {
  it('of 3000 entries costs at most 50 manifest GETs, and the failure says the list was cut', async () => {
    const digest = subjectDigest();
    serve(digest, new Map(), index(Array.from({ length: 3000 }, (_, i) => junk(i))));
    const warnings: string[] = [];
    const error = await failureOf(verify(digest, { onWarning: (w) => warnings.push(w) }));
    expect(manifestGets(registry.requests)).toBeLessThanOrEqual(50);
    const cut = error.failures.find((f) => f.reason === 'limit-exceeded');
    expect(cut?.message).toMatch(/50 newest of 3000 bundle referrers/);
    expect(warnings.join('\n')).toMatch(/maxReferrers/);
  });

  it('is read newest first: a genuine bundle newer than 59 others verifies, and the result says 10 were left out', async () => {
    const digest = subjectDigest();
    const content: Content = new Map();
    const genuine = await genuineBundle(digest, content, day(100));
    serve(digest, content, index([genuine, ...Array.from({ length: 59 }, (_, i) => junk(i, day(i)))]));
    const result = await verifyImage(`${registry.host}/app@${digest}`, {
      keys: [exportPublicKeyPem(alice.publicKey)],
      registry: fresh(),
      ignoreTlog: true,
    });
    expect(result.signatures).toHaveLength(1);
    expect(result.omittedReferrers).toBe(10);
    expect(manifestGets(registry.requests)).toBeLessThanOrEqual(50);
  });

  it('leaves out a genuine bundle older than 50 others, and says so', async () => {
    const digest = subjectDigest();
    const content: Content = new Map();
    const genuine = await genuineBundle(digest, content, day(0));
    serve(digest, content, index([genuine, ...Array.from({ length: 59 }, (_, i) => junk(i, day(i + 1)))]));
    const error = await failureOf(verify(digest));
    expect(error.failures.map((f) => f.reason)).toContain('limit-exceeded');
    expect(error.failures.some((f) => f.candidate === `bundle ${genuine.digest}`)).toBe(false);
  });

  it('without dates, takes later entries first; maxReferrers sets the limit; non-bundle types cost nothing', async () => {
    const digest = subjectDigest();
    const content: Content = new Map();
    const genuine = await genuineBundle(digest, content, day(0));
    const { annotations: _, ...undated } = genuine;
    const sboms = Array.from({ length: 100 }, (_, i) => ({
      ...junk(i + 1000),
      artifactType: 'application/spdx+json',
    }));
    serve(digest, content, index([...sboms, ...Array.from({ length: 20 }, (_, i) => junk(i)), undated]));
    const result = await verify(digest, { maxReferrers: 5 });
    expect(result).toMatchObject({ omittedReferrers: 16 });
    expect(manifestGets(registry.requests)).toBeLessThanOrEqual(5);
  });

  it('refuses a maxReferrers that is not a positive integer before any request', async () => {
    for (const maxReferrers of [0, -1, 1.5, Number.NaN]) {
      const work = verifyImage(`${registry.host}/app@${subjectDigest()}`, {
        keys: [alice.publicKey],
        registry: fresh(),
        maxReferrers,
      });
      await expect(work).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(registry.requests).toHaveLength(0);
    }
  });

  it('costs verifyImageAttestations at most 50 manifest GETs too', async () => {
    const digest = subjectDigest();
    serve(digest, new Map(), index(Array.from({ length: 3000 }, (_, i) => junk(i))));
    const error = await failureOf(
      verifyImageAttestations(`${registry.host}/app@${digest}`, {
        keys: [alice.publicKey],
        registry: fresh(),
        ignoreTlog: true,
      }),
    );
    expect(manifestGets(registry.requests)).toBeLessThanOrEqual(50);
    expect(error.failures.map((f) => f.reason)).toContain('limit-exceeded');
  });
});

describe('hostile signature documents', () => {
  const sigContent = (digest: string, manifest: object): Content =>
    new Map([[signatureTag(digest), { bytes: JSON.stringify(manifest), mediaType: OCI_MANIFEST }]]);
  const layer = {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    digest: sha256Digest('p'),
    size: 1,
  };
  const config = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: sha256Digest('c'),
    size: 1,
  };

  it.each([
    ['an image index', { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }],
    [
      'an index that also lists layers',
      { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [], layers: [5, null] },
    ],
    [
      'an artifact manifest',
      { schemaVersion: 2, mediaType: 'application/vnd.oci.artifact.manifest.v1+json', blobs: [layer] },
    ],
    [
      'a manifest with layers that are not descriptors',
      { schemaVersion: 2, mediaType: OCI_INDEX, config, manifests: [], layers: 'x' },
    ],
  ])('a .sig tag holding %s is a malformed candidate', async (_name, manifest) => {
    const digest = subjectDigest();
    serve(digest, sigContent(digest, manifest));
    const error = await failureOf(verify(digest));
    expect(error.failures.map((f) => f.reason)).toEqual(['malformed']);
    expect(error.failures[0]?.message).toMatch(/not a signature image|must be|Malformed/);
  });

  it('an .att tag holding an image index is a malformed candidate for verifyImageAttestations', async () => {
    const digest = subjectDigest();
    const manifest = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
    serve(
      digest,
      new Map([[signatureTag(digest, 'att'), { bytes: JSON.stringify(manifest), mediaType: OCI_INDEX }]]),
    );
    const error = await failureOf(
      verifyImageAttestations(`${registry.host}/app@${digest}`, {
        keys: [alice.publicKey],
        registry: fresh(),
        ignoreTlog: true,
      }),
    );
    expect(error.failures.map((f) => f.reason)).toEqual(['malformed']);
  });

  it.each([
    ['null'],
    ['{}'],
    ['{"SignedEntryTimestamp":"AAAA","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":5}}'],
    [
      '{"SignedEntryTimestamp":"AAAA","Payload":{"body":"e30=","integratedTime":1.5,"logIndex":1,"logID":"ab"}}',
    ],
  ])('a genuine .sig layer whose Rekor bundle annotation is %s fails as tlog-invalid', async (annotation) => {
    const digest = subjectDigest();
    const payload = encodeSimpleSigningPayload({
      dockerReference: `${registry.host}/app`,
      manifestDigest: digest,
    });
    const signature = Buffer.from(await signer.sign(payload)).toString('base64');
    const configBytes = '{}';
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Digest(configBytes),
        size: 2,
      },
      layers: [
        {
          mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
          digest: sha256Digest(payload),
          size: payload.length,
          annotations: {
            [SignatureAnnotation.signature]: signature,
            [SignatureAnnotation.bundle]: annotation,
          },
        },
      ],
    };
    const content = sigContent(digest, manifest);
    content.set(sha256Digest(payload), { bytes: payload });
    serve(digest, content);
    const rekor = await generateKeyPair();
    const options = { keys: [alice.publicKey], rekorPublicKeys: [rekor.publicKey] };
    const error = await failureOf(
      verifyImage(`${registry.host}/app@${digest}`, { ...options, registry: fresh() }),
    );
    expect(error.failures.map((f) => f.reason)).toEqual(['tlog-invalid']);
    // The same layer verifies when tlog evidence is not asked for: the signature itself is genuine.
    const ok = await verifyImage(`${registry.host}/app@${digest}`, {
      ...options,
      ignoreTlog: true,
      registry: fresh(),
    });
    expect(ok.signatures).toHaveLength(1);
  });

  // A missing int64 is protojson's 0, so a proof without treeSize parses (as in sigstore-go) and
  // then fails to verify; everything else here is refused when the bundle is read.
  type Change = { logIndex?: string; proof?: Record<string, unknown>; promise?: object };
  it.each<[string, Change, string]>([
    ['a logIndex of "1.5"', { logIndex: '1.5' }, 'malformed'],
    ['no treeSize in its proof', { proof: { treeSize: undefined } }, 'tlog-invalid'],
    ['a treeSize of "1.5" in its proof', { proof: { treeSize: '1.5' } }, 'malformed'],
    ['hashes: [null] in its proof', { proof: { hashes: [null] } }, 'malformed'],
    ['no signedEntryTimestamp (v0.1)', { promise: {} }, 'malformed'],
  ])('a bundle whose tlog entry has %s is a typed failure (%s)', async (_name, change, reason) => {
    const digest = subjectDigest();
    const envelope = await signDsse(signer, IN_TOTO_PAYLOAD_TYPE, encodeCosignSignStatement(digest));
    const proof = {
      logIndex: '0',
      rootHash: 'AAAA',
      treeSize: '1',
      hashes: [],
      checkpoint: { envelope: 'x' },
      ...change.proof,
    };
    const v01 = change.promise !== undefined;
    const bundle = {
      mediaType: v01 ? 'application/vnd.dev.sigstore.bundle+json;version=0.1' : BUNDLE_TYPE,
      verificationMaterial: {
        publicKey: { hint: publicKeyHint(alice.publicKey) },
        tlogEntries: [
          {
            logIndex: change.logIndex ?? '1',
            logId: { keyId: 'AAAA' },
            kindVersion: { kind: 'dsse', version: '0.0.1' },
            integratedTime: '1',
            ...(v01 ? { inclusionPromise: change.promise } : { inclusionProof: proof }),
            canonicalizedBody: 'e30=',
          },
        ],
      },
      dsseEnvelope: {
        payload: Buffer.from(envelope.payload).toString('base64'),
        payloadType: envelope.payloadType,
        signatures: envelope.signatures,
      },
    };
    const content: Content = new Map();
    const descriptor = await genuineBundle(
      digest,
      content,
      day(1),
      new TextEncoder().encode(JSON.stringify(bundle)),
    );
    serve(digest, content, index([descriptor]));
    const rekor = await generateKeyPair();
    const error = await failureOf(
      verifyImage(`${registry.host}/app@${digest}`, {
        keys: [alice.publicKey],
        rekorPublicKeys: [rekor.publicKey],
        registry: fresh(),
      }),
    );
    expect(error.failures.map((f) => f.reason)).toEqual([reason]);
  });

  it('a bundle whose dsseEnvelope is a JSON string is a malformed candidate, even with a genuine envelope in it', async () => {
    const digest = subjectDigest();
    const envelope = await signDsse(signer, IN_TOTO_PAYLOAD_TYPE, encodeCosignSignStatement(digest));
    const genuine = JSON.parse(
      new TextDecoder().decode(
        createBundle({ publicKeyHint: publicKeyHint(alice.publicKey), dsseEnvelope: envelope }),
      ),
    );
    const hostile = { ...genuine, dsseEnvelope: JSON.stringify(genuine.dsseEnvelope) };
    const content: Content = new Map();
    const descriptor = await genuineBundle(
      digest,
      content,
      day(1),
      new TextEncoder().encode(JSON.stringify(hostile)),
    );
    serve(digest, content, index([descriptor]));
    const error = await failureOf(verify(digest));
    expect(error.failures.map((f) => f.reason)).toEqual(['malformed']);
  });
});
