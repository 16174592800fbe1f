/** handleAdmissionReview's input handling and admissionRequestListener over node:http, with fuzzing. */
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionReviewError } from '../../../src/errors/index.js';
import {
  admissionRequestListener,
  handleAdmissionReview,
  loadPolicies,
  PolicyEngine,
} from '../../../src/policy/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from '../../helpers/fuzz.js';
import { fixtureBackend, fixtureKeys } from '../../helpers/kyverno-fixture.js';
import { pemScalar, pod, verifyImagesPolicy } from '../../helpers/policy-yaml.js';

const keys = fixtureKeys();
const yaml = verifyImagesPolicy({ publicKeys: pemScalar(keys.KEY_A as string) });
const engine = new PolicyEngine(loadPolicies(yaml), {
  backend: fixtureBackend(
    { 'ghcr.io/acme/app:1.0': { digest: `sha256:${'a'.repeat(64)}`, signatures: ['KEY_A'] } },
    keys,
  ),
  cache: false,
});
const review = (request: Record<string, unknown>) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request,
});
const podRequest = (image: string, operation = 'CREATE') =>
  review({
    uid: '42',
    operation,
    namespace: 'default',
    object: pod(image),
  });

describe('handleAdmissionReview', () => {
  it('answers with the uid, base64 JSONPatch and patchType', async () => {
    const answer = await handleAdmissionReview(engine, podRequest('ghcr.io/acme/app:1.0'));
    expect(answer).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    expect(answer.response).toMatchObject({ uid: '42', allowed: true, patchType: 'JSONPatch' });
    const patch = JSON.parse(Buffer.from(answer.response.patch as string, 'base64').toString());
    expect(patch.at(-1)).toEqual({
      op: 'replace',
      path: '/spec/containers/0/image',
      value: `ghcr.io/acme/app:1.0@sha256:${'a'.repeat(64)}`,
    });
  });

  it('admits DELETE without verifying; refuses a CREATE without an object instead of admitting it', async () => {
    expect(
      (await handleAdmissionReview(engine, podRequest('ghcr.io/acme/unsigned:1', 'DELETE'))).response.allowed,
    ).toBe(true);
    await expect(handleAdmissionReview(engine, review({ uid: '1', operation: 'CREATE' }))).rejects.toThrow(
      'request.object is missing',
    );
  });

  it('refuses what is not an admission.k8s.io/v1 AdmissionReview with a typed error', async () => {
    for (const bad of [
      null,
      [],
      'x',
      {
        apiVersion: 'admission.k8s.io/v1beta1',
        kind: 'AdmissionReview',
        request: { uid: '1', operation: 'CREATE' },
      },
      review({ operation: 'CREATE' }),
      review({ uid: '1', operation: 'PATCH' }),
    ]) {
      await expect(handleAdmissionReview(engine, bad)).rejects.toBeInstanceOf(AdmissionReviewError);
    }
  });

  it(
    'fuzz: any JSON value gets an answer or an AdmissionReviewError, nothing else',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.jsonValue(),
            fc.record({
              apiVersion: fc.constant('admission.k8s.io/v1'),
              kind: fc.constant('AdmissionReview'),
              request: fc.record({
                uid: fc.string({ minLength: 1 }),
                operation: fc.constantFrom('CREATE', 'UPDATE'),
                object: fc.oneof(
                  fc.jsonValue(),
                  fc.record({ kind: fc.constantFrom('Pod', 'Deployment', 'CronJob'), spec: fc.jsonValue() }),
                ),
                oldObject: fc.jsonValue(),
              }),
            }),
          ),
          async (input) => {
            try {
              const answer = await handleAdmissionReview(engine, input);
              expect(typeof answer.response.allowed).toBe('boolean');
            } catch (error) {
              expect(error).toBeInstanceOf(AdmissionReviewError);
            }
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('admissionRequestListener', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(admissionRequestListener(engine, { maxBodyBytes: 64 * 1024 }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/validate`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = (body: string) =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  it('answers AdmissionReviews over HTTP without the internal decision', async () => {
    const res = await post(JSON.stringify(podRequest('ghcr.io/acme/unsigned:1')));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response: unknown; decision?: unknown };
    expect(body.response).toMatchObject({ uid: '42', allowed: false, status: { code: 403 } });
    expect(body.decision).toBeUndefined();
  });

  it('400 for non-JSON and non-AdmissionReview bodies, 413 when too large, 405 for GET', async () => {
    expect((await post('{nope')).status).toBe(400);
    expect((await post('{"kind":"Pod"}')).status).toBe(400);
    expect((await post(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }))).status).toBe(413);
    expect((await fetch(url)).status).toBe(405);
  });
});

describe('handleAdmissionReview: namespace labels', () => {
  it('passes them to the engine, and fails closed when the lookup fails or hangs past the deadline', async () => {
    const request = podRequest('ghcr.io/acme/app:1.0');
    const seen: string[] = [];
    const ok = await handleAdmissionReview(engine, request, {
      namespaceLabels: async (ns) => {
        seen.push(ns);
        return { team: 'a' };
      },
    });
    expect(ok.response.allowed).toBe(true);
    expect(seen).toEqual(['default']);
    const failing = await handleAdmissionReview(engine, request, {
      namespaceLabels: async () => {
        throw new Error('forbidden: namespaces "default"');
      },
    });
    expect(failing.response).toMatchObject({ allowed: false, status: { code: 500 } });
    expect(failing.response.status?.message).toContain('could not read the labels of namespace default');
    const started = Date.now();
    const hanging = await handleAdmissionReview(engine, request, {
      deadlineMs: 100,
      namespaceLabels: () => new Promise(() => {}),
    });
    expect(hanging.response.allowed).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
