/**
 * Image extraction as Kyverno's `pkg/utils/api/image.go` does it: an `imageExtractors` entry with
 * `path` and no `value` takes the last path segment as the value; `*` over a scalar and a
 * non-object where an image object belongs are extraction errors (a rule `error`, never a silent
 * "no images"); and kinds named like Object.prototype members are data.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicies, PolicyEngine, resourceImages } from '../../../../src/policy/index.js';
import { fixtureBackend, fixtureKeys } from '../../../helpers/kyverno-fixture.js';

const keys = fixtureKeys();
const DIGEST = `sha256:${'a1'.repeat(32)}`;
const images = {
  'ghcr.io/acme/app:1.0': { digest: DIGEST, signatures: ['KEY_A'] },
  'ghcr.io/acme/unsigned:1.0': { digest: `sha256:${'b2'.repeat(32)}`, signatures: [] },
};

const taskPolicy = (extractor: string, kinds = 'tekton.dev/v1beta1/Task') => `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: tasks}
spec:
  validationFailureAction: Enforce
  rules:
  - name: verify-images
    imageExtractors:
      Task:
${extractor}
    match: {any: [{resources: {kinds: [${kinds}]}}]}
    verifyImages:
    - imageReferences: ["ghcr.io/acme/*"]
      mutateDigest: false
      attestors:
      - entries:
        - keys:
            publicKeys: "-----BEGIN PUBLIC KEY-----\\n${keys.KEY_A}\\n-----END PUBLIC KEY-----"
            rekor: {ignoreTlog: true}
`;

const task = (steps: unknown) => ({
  apiVersion: 'tekton.dev/v1beta1',
  kind: 'Task',
  metadata: { name: 'build', namespace: 'ci' },
  spec: { steps },
});

const engine = (yaml: string) =>
  new PolicyEngine(loadPolicies(yaml), { backend: fixtureBackend(images, keys), cache: false });

describe('imageExtractors: path without value (Kyverno takes the last segment as the value)', () => {
  const simple = taskPolicy('      - path: /spec/steps/*/image');

  it('denies an unsigned image in a Tekton Task in Enforce', async () => {
    const d = await engine(simple).evaluate(task([{ name: 's', image: 'ghcr.io/acme/unsigned:1.0' }]));
    expect(d.allowed).toBe(false);
    expect(d.results[0]).toMatchObject({
      status: 'fail',
      image: 'ghcr.io/acme/unsigned:1.0',
      pointer: '/spec/steps/0/image',
    });
  });

  it('admits a signed one, and finds the image at the same pointer as path + value', () => {
    const found = resourceImages(task([{ name: 's', image: 'ghcr.io/acme/app:1.0' }]), {
      Task: [{ path: '/spec/steps/*/image' }],
    });
    expect(found.map((i) => i.pointer)).toEqual(['/spec/steps/0/image']);
    expect(
      resourceImages(task([{ name: 's', image: 'ghcr.io/acme/app:1.0' }]), {
        Task: [{ path: '/spec/steps/*', value: 'image' }],
      }).map((i) => i.pointer),
    ).toEqual(['/spec/steps/0/image']);
  });

  it('expands * over map values as well as list items', async () => {
    const d = await engine(simple).evaluate(task({ first: { image: 'ghcr.io/acme/unsigned:1.0' } }));
    expect(d.allowed).toBe(false);
    expect(d.results[0]?.pointer).toBe('/spec/steps/first/image');
  });
});

describe('extraction errors fail closed, as Kyverno reports "failed to extract images"', () => {
  it('* over a scalar, or a scalar where the image object belongs, is a rule error', async () => {
    const e = engine(taskPolicy('      - path: /spec/steps/*/image'));
    for (const steps of ['ghcr.io/acme/unsigned:1.0', ['ghcr.io/acme/unsigned:1.0']]) {
      const d = await e.evaluate(task(steps));
      expect(d.allowed, JSON.stringify(steps)).toBe(false);
      expect(d.results[0]).toMatchObject({ status: 'error' });
      expect(d.results[0]?.message).toMatch(/^failed to extract images: /);
    }
  });

  it('a Pod whose containers are not a list of objects is a rule error, not "no images"', async () => {
    const yaml = taskPolicy('      - path: /spec/steps/*/image', 'Pod');
    const pod = (spec: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
    const e = engine(yaml);
    for (const spec of [
      { containers: { name: 'c', image: 'ghcr.io/acme/unsigned:1.0' } },
      { containers: 'ghcr.io/acme/unsigned:1.0' },
      { containers: ['ghcr.io/acme/unsigned:1.0'] },
    ]) {
      const d = await e.evaluate(pod(spec));
      expect(d.allowed, JSON.stringify(spec)).toBe(false);
      expect(d.results[0]?.message).toMatch(/^failed to extract images: /);
    }
    // Absent fields are not errors: the image may not be there.
    expect((await e.evaluate(pod({}))).allowed).toBe(true);
  });
});

describe('kinds and keys named like Object.prototype members are data', () => {
  it('a resource of kind toString, constructor or __proto__ gives a decision, never a TypeError', async () => {
    const kinds = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];
    const e = engine(taskPolicy('      - path: /spec/steps/*/image', kinds.map((k) => `"${k}"`).join(', ')));
    for (const kind of kinds) {
      const d = await e.evaluate({ apiVersion: 'v1', kind, metadata: { name: 'x' }, spec: {} });
      expect(typeof d.allowed).toBe('boolean');
      expect(resourceImages({ kind, spec: {} })).toEqual([]);
    }
  });
});
