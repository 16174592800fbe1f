/**
 * handleAdmissionReview reads the AdmissionReview through one schema: members named like
 * Object.prototype members (`toString`, `valueOf`, `__proto__`) are data, wrong types are an
 * AdmissionReviewError. Fuzzed with mutated real reviews built from the shared admission vectors'
 * resources against the vectors' policies: an answer or an AdmissionReviewError, never another
 * throw, never a hang.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdmissionReviewError } from '../../../src/errors/index.js';
import { handleAdmissionReview, loadPolicies, PolicyEngine } from '../../../src/policy/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResultAsync } from '../../helpers/fuzz.js';
import { mutatedDocument, PROTOTYPE_KEYS } from '../../helpers/json-mutations.js';
import { type FixtureImage, fixtureBackend, fixtureKeys } from '../../helpers/kyverno-fixture.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

interface Case {
  id: string;
  operation: 'CREATE' | 'UPDATE';
  resource: Record<string, unknown>;
  oldResource?: Record<string, unknown>;
}
const vectors = readVectors<{ registryFixture: Record<string, FixtureImage>; cases: Case[] }>(
  'kyverno/policies/cases.json',
);
const keys = fixtureKeys();
const dir = join(SHARED_DIR, 'vectors', 'kyverno', 'policies');
const policyText = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => {
    let t = readFileSync(join(dir, f), 'utf8');
    for (const [name, body] of Object.entries(keys)) t = t.replaceAll(name, body);
    return t;
  })
  .join('\n---\n');
const engine = new PolicyEngine(loadPolicies(policyText), {
  backend: fixtureBackend(vectors.registryFixture, keys),
  cache: false,
});

const reviews = vectors.cases.map((c, i) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: `uid-${i}`,
    kind: { group: '', version: 'v1', kind: String(c.resource.kind) },
    operation: c.operation,
    namespace: 'default',
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    object: c.resource,
    oldObject: c.oldResource ?? null,
  },
}));

describe('AdmissionReview members named like Object.prototype members', () => {
  it.each(PROTOTYPE_KEYS.map((k) => [k]))(
    '%s as a member name, a kind or a label gives an answer or a typed error',
    async (key) => {
      const base = reviews[0] as (typeof reviews)[number];
      const variants: unknown[] = [
        { ...base, apiVersion: { [key]: 1 } },
        { ...base, kind: { toString: 1, valueOf: 2 } },
        { ...base, request: { ...base.request, operation: { [key]: 'CREATE' } } },
        { ...base, request: { ...base.request, userInfo: { username: 'a', groups: [{ toString: 5 }] } } },
        { ...base, request: { ...base.request, object: { ...base.request.object, kind: key } } },
        {
          ...base,
          request: {
            ...base.request,
            object: { ...base.request.object, metadata: { labels: { [key]: 'x' } } },
          },
        },
        JSON.parse(
          `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","operation":"CREATE","${key}":{},"object":{"kind":"Pod","${key}":1,"spec":{"containers":[{"image":"ghcr.io/acme/app:1.0","${key}":2}]}}}}`,
        ),
      ];
      for (const review of variants) {
        const answer = await typedOrResultAsync(() =>
          handleAdmissionReview(engine, review, { deadlineMs: 2000 }),
        );
        if (answer instanceof Error) expect(answer).toBeInstanceOf(AdmissionReviewError);
        else expect(typeof answer.response.allowed).toBe('boolean');
      }
    },
  );

  it('a CREATE or UPDATE without an object is refused, not admitted unchecked', async () => {
    for (const operation of ['CREATE', 'UPDATE']) {
      const review = structuredClone(reviews[0]) as { request: Record<string, unknown> };
      review.request.operation = operation;
      delete review.request.object;
      await expect(handleAdmissionReview(engine, review)).rejects.toBeInstanceOf(AdmissionReviewError);
    }
    const deletion = structuredClone(reviews[0]) as { request: Record<string, unknown> };
    deletion.request.operation = 'DELETE';
    delete deletion.request.object;
    expect((await handleAdmissionReview(engine, deletion)).response.allowed).toBe(true);
  });

  it('a kind named toString with a policy that matches it does not crash the extraction', async () => {
    const yaml = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: odd-kinds}
spec:
  validationFailureAction: Enforce
  rules:
  - name: r
    match: {any: [{resources: {kinds: [toString, valueOf, constructor]}}]}
    verifyImages:
    - imageReferences: ["*"]
      mutateDigest: false
      attestors: [{entries: [{keys: {publicKeys: "k8s://ns/key"}}]}]
`;
    const e = new PolicyEngine(loadPolicies(yaml), { backend: fixtureBackend({}, keys), cache: false });
    for (const kind of ['toString', 'valueOf', 'constructor']) {
      const review = {
        ...reviews[0],
        request: { ...reviews[0]?.request, object: { kind, metadata: { name: 'x' }, spec: {} } },
      };
      const answer = await handleAdmissionReview(e, review);
      expect(typeof answer.response.allowed).toBe('boolean');
    }
  });
});

describe('objects nested deeper than the stack', () => {
  it('an object nested 200,000 levels deep still gets an answer (no deep copy, no RangeError)', async () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 200_000; i++) {
      const next = {};
      deep.x = next;
      deep = next;
    }
    const base = reviews.find((r) => r.request.object.kind === 'Pod') as (typeof reviews)[number];
    const review = { ...base, request: { ...base.request, object: { ...base.request.object, deep: root } } };
    for (const e of [engine, new PolicyEngine([], { cache: false })]) {
      const answer = await handleAdmissionReview(e, review, { deadlineMs: 5000 });
      expect(typeof answer.response.allowed).toBe('boolean');
    }
  });
});

describe('fuzzing handleAdmissionReview on mutated real reviews', () => {
  it(
    'an answer or an AdmissionReviewError, never another throw, never a hang',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedDocument(reviews), async (review) => {
          const answer = await typedOrResultAsync(() =>
            handleAdmissionReview(engine, review, { deadlineMs: 2000 }),
          );
          if (answer instanceof Error) expect(answer).toBeInstanceOf(AdmissionReviewError);
          else expect(typeof answer.response.allowed).toBe('boolean');
        }),
        { numRuns: FUZZ_RUNS, timeout: 5000 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
