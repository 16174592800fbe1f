/**
 * The reference workflow end to end against the real docker-registry: images signed with local
 * keys and with an AWS KMS key (the real SDK against our emulator), Kyverno policies loaded from
 * YAML, AdmissionReviews answered by handleAdmissionReview — admitted with the digest pinned,
 * denied with Kyverno's message, Audit warnings, 2-of-3 attestors, skipImageReferences,
 * attestations with conditions, a registry outage inside the deadline, and request counting for
 * shared images and the cache.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestImage, signImage } from '../../../src/index.js';
import { createSigner, exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
import { AwsKmsSigner, createAwsKmsKey } from '../../../src/kms/aws/index.js';
import {
  handleAdmissionReview,
  loadPolicies,
  PolicyEngine,
  registryBackend,
  VerificationCache,
} from '../../../src/policy/index.js';
import { RegistryClient, type RequestInfo } from '../../../src/registry/index.js';
import { type RunningKmsEmulator, startKmsEmulator } from '../../../src/testing/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { image } from '../../helpers/images.js';

let registry: RunningRegistry;
let kms: RunningKmsEmulator;
let client: RegistryClient;
const requests: RequestInfo[] = [];
type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let keyA: Keys;
let keyB: Keys;
let keyC: Keys;
let kmsPem: string;
let kmsSigner: AwsKmsSigner;

async function push(repo: string, tag: string): Promise<string> {
  const img = image({ seed: `${repo}:${tag}` });
  for (const b of [img.config, ...img.layers]) await client.pushBlob(`${registry.host}/${repo}`, b.bytes);
  await client.putManifest(`${registry.host}/${repo}:${tag}`, img.manifest.bytes, img.manifest.mediaType);
  return img.manifest.digest;
}

async function sign(
  repo: string,
  digest: string,
  ...signers: Array<Parameters<typeof signImage>[1]['signer']>
) {
  for (const signer of signers)
    await signImage(`${registry.host}/${repo}@${digest}`, {
      signer,
      registry: client,
      format: 'simple-signing',
    });
}

const pemBlock = (pem: string, indent: string) =>
  pem
    .trim()
    .split('\n')
    .map((l) => `${indent}${l}`)
    .join('\n');

function keyEntry(pem: string, indent = '        '): string {
  return `${indent}- keys:\n${indent}    publicKeys: |-\n${pemBlock(pem, `${indent}      `)}\n${indent}    rekor: {ignoreTlog: true}\n${indent}    ctlog: {ignoreSCT: true}`;
}

function policy(name: string, body: string, action = 'Enforce'): string {
  return `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: ${name}
spec:
  validationFailureAction: ${action}
  webhookConfiguration: {failurePolicy: Fail, timeoutSeconds: 10}
  rules:
  - name: verify
    match:
      any:
      - resources: {kinds: [Pod]}
    verifyImages:
${body}`;
}

function review(images: string[], name = 'app') {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${name}`,
      operation: 'CREATE',
      namespace: 'default',
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
      },
    },
  };
}

const decodePatch = (patch: string | undefined) =>
  patch === undefined ? [] : JSON.parse(Buffer.from(patch, 'base64').toString('utf8'));

beforeAll(async () => {
  registry = await startDockerRegistry('none');
  kms = await startKmsEmulator();
  client = new RegistryClient({ dockerConfig: false, onRequest: (i) => requests.push(i) });
  [keyA, keyB, keyC] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair()]);
  const kmsOptions = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
  const ref = 'awskms:///alias/container-image-verification';
  kmsPem = exportPublicKeyPem(await createAwsKmsKey(ref, kmsOptions));
  kmsSigner = new AwsKmsSigner(ref, kmsOptions);
});
afterAll(async () => {
  await client?.close();
  await kms?.close();
  await registry?.close();
});

const engineFor = (yaml: string, cache: VerificationCache | false = false) =>
  new PolicyEngine(loadPolicies(yaml), { backend: registryBackend({ registry: client }), cache });

describe('the reference workflow: cosign + AWS KMS + a Kyverno ClusterPolicy', () => {
  it('admits the signed pod with its image pinned to the digest and denies the unsigned one', async () => {
    const signed = await push('acme/signed', 'v1');
    await sign('acme/signed', signed, kmsSigner);
    await push('acme/unsigned', 'v1');
    const engine = engineFor(
      policy(
        'check-image',
        `    - imageReferences: ["${registry.host}/acme/*"]\n      attestors:\n      - entries:\n${keyEntry(kmsPem)}\n`,
      ),
    );

    const ok = await handleAdmissionReview(engine, review([`${registry.host}/acme/signed:v1`], 'signed'));
    expect(ok.response.allowed, ok.response.status?.message).toBe(true);
    expect(ok.response.uid).toBe('uid-signed');
    expect(decodePatch(ok.response.patch)).toContainEqual({
      op: 'replace',
      path: '/spec/containers/0/image',
      value: `${registry.host}/acme/signed:v1@${signed}`,
    });
    expect(ok.decision?.results.map((r) => [r.phase, r.status])).toEqual([
      ['verify', 'pass'],
      ['validate', 'pass'],
    ]);

    const denied = await handleAdmissionReview(
      engine,
      review([`${registry.host}/acme/unsigned:v1`], 'unsigned'),
    );
    expect(denied.response.allowed).toBe(false);
    expect(denied.response.patch).toBeUndefined();
    expect(denied.response.status?.code).toBe(403);
    expect(denied.response.status?.message).toContain(
      'resource Pod/default/unsigned was blocked due to the following policies',
    );
    expect(denied.response.status?.message).toContain(
      `failed to verify image ${registry.host}/acme/unsigned:v1: .attestors[0].entries[0].keys:`,
    );
  });

  it('Audit mode admits the unsigned pod with a warning', async () => {
    await push('audit/unsigned', 'v1');
    const engine = engineFor(
      policy(
        'audit-images',
        `    - imageReferences: ["${registry.host}/audit/*"]\n      mutateDigest: false\n      attestors:\n      - entries:\n${keyEntry(kmsPem)}\n`,
        'Audit',
      ),
    );
    const answer = await handleAdmissionReview(engine, review([`${registry.host}/audit/unsigned:v1`]));
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings?.[0]).toMatch(/^policy audit-images\.verify: failed to verify image/);
    const quiet = await handleAdmissionReview(engine, review([`${registry.host}/audit/unsigned:v1`]), {
      auditWarnings: false,
    });
    expect(quiet.response.warnings).toBeUndefined();
  });
});

describe('attestors and image references', () => {
  it('keys.kms: the policy names the KMS key, whose public key is fetched once through ocisign/kms', async () => {
    const digest = await push('kmsref/app', 'v1');
    await sign('kmsref/app', digest, kmsSigner);
    await push('kmsref/other', 'v1');
    const yaml = policy(
      'kms-ref',
      `    - imageReferences: ["${registry.host}/kmsref/*"]\n      mutateDigest: false\n      attestors:\n      - entries:\n        - keys:\n            kms: awskms:///alias/container-image-verification\n            rekor: {ignoreTlog: true}\n`,
    );
    const backend = registryBackend({
      registry: client,
      keyProviderOptions: {
        providerOptions: {
          awskms: { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint },
        },
      },
    });
    const engine = new PolicyEngine(loadPolicies(yaml), { backend, cache: false });
    const signed = await engine.evaluate(review([`${registry.host}/kmsref/app@${digest}`]).request.object);
    expect(signed.allowed, signed.message).toBe(true);
    const unsigned = await engine.evaluate(review([`${registry.host}/kmsref/other:v1`]).request.object);
    expect(unsigned.allowed).toBe(false);
    expect(unsigned.message).toContain('no matching signatures');
  });

  it('signatureAlgorithm: a P-256 signature over SHA-384 verifies only when the policy says sha384', async () => {
    const digest = await push('sigalg/app', 'v1');
    await signImage(`${registry.host}/sigalg/app@${digest}`, {
      signer: createSigner(keyA.privateKey, { digestAlgorithm: 'sha384' }),
      registry: client,
      format: 'simple-signing',
    });
    const withAlgorithm = (algorithm: string | undefined) =>
      engineFor(
        policy(
          'sigalg',
          `    - imageReferences: ["${registry.host}/sigalg/*"]\n      mutateDigest: false\n      verifyDigest: false\n      attestors:\n      - entries:\n${keyEntry(exportPublicKeyPem(keyA.publicKey))}${algorithm === undefined ? '' : `\n          signatureAlgorithm: ${algorithm}`}\n`,
        ),
      ).evaluate(review([`${registry.host}/sigalg/app:v1`]).request.object);
    const sha384 = await withAlgorithm('sha384');
    expect(sha384.allowed, sha384.message).toBe(true);
    expect((await withAlgorithm(undefined)).allowed).toBe(false);
    expect((await withAlgorithm('sha256')).allowed).toBe(false);
    const sha224 = await withAlgorithm('sha224');
    expect(sha224.allowed).toBe(false);
    expect(sha224.message).toContain('signatureAlgorithm sha224 is not supported by ocisign');
  });

  it('a keyless attestor is verified (an unsigned image fails on its evidence); type Notary is refused', async () => {
    await push('refused/app', 'v1');
    const keyless = policy(
      'keyless',
      `    - imageReferences: ["${registry.host}/refused/*"]\n      mutateDigest: false\n      attestors:\n      - entries:\n        - keyless:\n            subject: "https://github.com/acme/*"\n            issuer: https://token.actions.githubusercontent.com\n            rekor: {url: https://rekor.sigstore.dev}\n`,
    );
    const k = await engineFor(keyless).evaluate(review([`${registry.host}/refused/app:v1`]).request.object);
    expect(k.allowed).toBe(false);
    expect(k.message).toContain('.attestors[0].entries[0].keyless: no matching signatures');
    const notary = policy(
      'notary',
      `    - type: Notary\n      imageReferences: ["${registry.host}/refused/*"]\n      mutateDigest: false\n      attestors:\n      - entries:\n        - certificates: {cert: "-----BEGIN CERTIFICATE-----"}\n`,
    );
    const n = await engineFor(notary).evaluate(review([`${registry.host}/refused/app:v1`]).request.object);
    expect(n.allowed).toBe(false);
    expect(n.message).toContain('type: Notary is not supported by ocisign');
  });

  it('2 of 3 attestors: A and C pass, B alone fails', async () => {
    const ac = await push('multi/ac', 'v1');
    await sign('multi/ac', ac, createSigner(keyA.privateKey), createSigner(keyC.privateKey));
    const b = await push('multi/b', 'v1');
    await sign('multi/b', b, createSigner(keyB.privateKey));
    const entries = [keyA, keyB, keyC].map((k) => keyEntry(exportPublicKeyPem(k.publicKey))).join('\n');
    const engine = engineFor(
      policy(
        'two-of-three',
        `    - imageReferences: ["${registry.host}/multi/*"]\n      mutateDigest: false\n      verifyDigest: false\n      attestors:\n      - count: 2\n        entries:\n${entries}\n`,
      ),
    );
    const pass = await engine.evaluate(review([`${registry.host}/multi/ac:v1`]).request.object);
    expect(pass.allowed, pass.message).toBe(true);
    const fail = await engine.evaluate(review([`${registry.host}/multi/b:v1`]).request.object);
    expect(fail.allowed).toBe(false);
    expect(fail.message).toContain('.attestors[0].entries[0].keys:');
    expect(fail.message).toContain('.attestors[0].entries[2].keys:');
  });

  it('skipImageReferences: the skipped image is admitted with a warning, others still verified', async () => {
    await push('skip/base', 'v1');
    await push('skip/app', 'v1');
    const engine = engineFor(
      policy(
        'skip-base',
        `    - imageReferences: ["${registry.host}/skip/*"]\n      skipImageReferences: ["${registry.host}/skip/base*"]\n      mutateDigest: false\n      verifyDigest: false\n      attestors:\n      - entries:\n${keyEntry(exportPublicKeyPem(keyA.publicKey))}\n`,
      ),
    );
    const skipped = await handleAdmissionReview(engine, review([`${registry.host}/skip/base:v1`]));
    expect(skipped.response.allowed).toBe(true);
    expect(skipped.response.warnings?.[0]).toContain(
      `skipping image reference image ${registry.host}/skip/base:v1`,
    );
    const app = await handleAdmissionReview(engine, review([`${registry.host}/skip/app:v1`]));
    expect(app.response.allowed).toBe(false);
  });

  it('attestations with conditions: the main-branch review passes, the dev-branch one is denied', async () => {
    const signer = createSigner(keyA.privateKey);
    for (const [tag, branch] of [
      ['main', 'main'],
      ['dev', 'dev'],
    ] as const) {
      const digest = await push('att/app', tag);
      await attestImage(`${registry.host}/att/app@${digest}`, {
        signer,
        registry: client,
        format: 'simple-signing',
        predicateType: 'https://example.com/CodeReview/v1',
        predicate: { repo: { uri: 'https://github.com/acme/app', branch } },
      });
    }
    const engine = engineFor(
      policy(
        'code-review',
        `    - imageReferences: ["${registry.host}/att/*"]
      mutateDigest: false
      verifyDigest: false
      attestations:
      - type: https://example.com/CodeReview/v1
        attestors:
        - entries:
${keyEntry(exportPublicKeyPem(keyA.publicKey), '          ')}
        conditions:
        - all:
          - key: "{{ repo.branch }}"
            operator: Equals
            value: main
`,
      ),
    );
    const main = await engine.evaluate(review([`${registry.host}/att/app:main`]).request.object);
    expect(main.allowed, main.message).toBe(true);
    expect(main.results[0]?.message).toBe(`verified image attestations for ${registry.host}/att/app:main`);
    const dev = await engine.evaluate(review([`${registry.host}/att/app:dev`]).request.object);
    expect(dev.allowed).toBe(false);
    expect(dev.message).toContain(
      'image attestations verification failed, verifiedCount: 0, requiredCount: 1',
    );
    expect(dev.message).toContain(`attestation checks failed for ${registry.host}/att/app:dev`);
  });
});

describe('outages, deadlines and request counts', () => {
  it('a registry that refuses connections: Enforce denies with a clear message, inside the deadline', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const down = `127.0.0.1:${closed}`;
    const engine = engineFor(
      policy(
        'outage',
        `    - imageReferences: ["${down}/*"]\n      attestors:\n      - entries:\n${keyEntry(kmsPem)}\n`,
      ),
    );
    const started = Date.now();
    const answer = await handleAdmissionReview(engine, review([`${down}/acme/app:v1`]), { deadlineMs: 3000 });
    expect(Date.now() - started).toBeLessThan(3500);
    expect(answer.response.allowed).toBe(false);
    expect(answer.decision?.results[0]?.status).toBe('error');
    expect(answer.response.status?.message).toContain(`failed to verify image ${down}/acme/app:v1`);
  });

  it('a registry that never answers: denied when the deadline passes', async () => {
    const hanging = createServer(() => {}); // accepts connections, never replies
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(hanging.address() as { port: number }).port}`;
    try {
      const engine = engineFor(
        policy(
          'slow',
          `    - imageReferences: ["${host}/*"]\n      attestors:\n      - entries:\n${keyEntry(kmsPem)}\n`,
        ),
      );
      const started = Date.now();
      const answer = await handleAdmissionReview(engine, review([`${host}/acme/app:v1`]), {
        deadlineMs: 600,
      });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status?.message).toMatch(/deadline|did not finish/);
    } finally {
      hanging.close();
    }
  });

  it('verifies each image once for 8 containers sharing 3 images, and not at all from a warm cache', async () => {
    const repos = ['shared/one', 'shared/two', 'shared/three'];
    for (const repo of repos) await sign(repo, await push(repo, 'v1'), createSigner(keyA.privateKey));
    const engine = engineFor(
      policy(
        'shared',
        `    - imageReferences: ["${registry.host}/shared/*"]\n      attestors:\n      - entries:\n${keyEntry(exportPublicKeyPem(keyA.publicKey))}\n`,
      ),
      new VerificationCache(),
    );
    const images = Array.from({ length: 8 }, (_, i) => `${registry.host}/${repos[i % 3]}:v1`);
    const before = requests.length;
    const cold = await handleAdmissionReview(engine, review(images, 'eight'));
    expect(cold.response.allowed, cold.response.status?.message).toBe(true);
    const signatureReads = requests.slice(before).filter((r) => r.method === 'GET' && r.url.includes('.sig'));
    expect(signatureReads).toHaveLength(3);
    expect(decodePatch(cold.response.patch).filter((p: { op: string }) => p.op === 'replace')).toHaveLength(
      8,
    );

    const warmStart = requests.length;
    const warm = await handleAdmissionReview(engine, review(images, 'eight-again'));
    expect(warm.response.allowed).toBe(true);
    expect(requests.length - warmStart).toBe(0);
    expect(warm.decision?.results.filter((r) => r.message === 'verified from cache')).toHaveLength(8);
    // One lookup per distinct image and rule: 3 verifications cold, 3 cache hits warm.
    expect(engine.cache?.stats()).toMatchObject({ hits: 3, misses: 3, successes: 3 });
  });
});
