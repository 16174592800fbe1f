/**
 * Rule features ocisign does not evaluate (context entries, verifyImages[].validate, jmesPath image
 * extractors, roles / clusterRoles) never decide silently: the rule reports an `error` — but only
 * for what the rule selects. An image no entry's imageReferences selects (or one its
 * skipImageReferences skips) is not blocked; a rule whose extractors cannot be evaluated is an
 * error for every object its match selects, whatever the raw image strings look like.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicies, PolicyEngine } from '../../../../src/policy/index.js';
import { fixtureBackend, fixtureKeys } from '../../../helpers/kyverno-fixture.js';
import { pemScalar, verifyImagesPolicy } from '../../../helpers/policy-yaml.js';

const keys = fixtureKeys();
const images = {
  'ghcr.io/acme/app:1.0': { digest: `sha256:${'a1'.repeat(32)}`, signatures: ['KEY_A'] },
  'docker.io/nginx:1.25': { digest: `sha256:${'c3'.repeat(32)}`, signatures: [] },
};

/** The policy under test: `rule` and `entry` are more members of the rule and of its verifyImages entry. */
const policy = (rule: string, entry = '', kinds = 'Pod') =>
  verifyImagesPolicy({
    kinds,
    ruleMembers: rule,
    entry: `skipImageReferences: ["ghcr.io/acme/skipped*"]\nmutateDigest: false\nverifyDigest: false\n${entry}`,
    publicKeys: pemScalar(keys.KEY_A as string),
  });
const CONTEXT = 'context:\n- name: allowed\n  configMap: {name: allowed, namespace: kyverno}';
const VALIDATE = 'validate:\n  deny:\n    conditions: {any: [{key: "{{ a }}", operator: Equals, value: b}]}';

const pod = (...containerImages: string[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: containerImages.map((image, i) => ({ name: `c${i}`, image })) },
});

const run = (yaml: string, resource: Record<string, unknown>) =>
  new PolicyEngine(loadPolicies(yaml), { backend: fixtureBackend(images, keys), cache: false }).evaluate(
    resource,
  );

describe('context and verifyImages[].validate: an error only for the images the rule selects', () => {
  it.each([
    ['context', policy(CONTEXT), 'spec.rules[0].context'],
    ['validate', policy('', VALIDATE), 'spec.rules[0].verifyImages[0].validate'],
  ])('%s: a pod with no selected image is admitted', async (_name, yaml, feature) => {
    const other = await run(yaml, pod('nginx:1.25'));
    expect(other.allowed, other.message).toBe(true);
    expect(other.results).toEqual([]);
    const skipped = await run(yaml, pod('ghcr.io/acme/skipped:1.0'));
    expect(skipped.allowed, skipped.message).toBe(true);
    const selected = await run(yaml, pod('nginx:1.25', 'ghcr.io/acme/app:1.0'));
    expect(selected.allowed).toBe(false);
    expect(selected.results).toMatchObject([
      {
        status: 'error',
        image: 'ghcr.io/acme/app:1.0',
        message: `not evaluated: ocisign does not support ${feature}`,
      },
    ]);
  });

  it('a rule with context cannot trust its preconditions (they may read the context): still an error', async () => {
    const yaml = policy(
      `${CONTEXT}\npreconditions:\n  all: [{key: "{{ allowed.data.enabled }}", operator: Equals, value: "true"}]`,
    );
    expect((await run(yaml, pod('ghcr.io/acme/app:1.0'))).allowed).toBe(false);
  });

  it('unmet preconditions that need no context still skip the rule', async () => {
    const yaml = policy(
      'preconditions:\n  all: [{key: "{{ request.operation }}", operator: Equals, value: UPDATE}]',
      VALIDATE,
    );
    const d = await run(yaml, pod('ghcr.io/acme/app:1.0'));
    expect(d.allowed).toBe(true);
    expect(d.results).toMatchObject([{ status: 'skip', message: 'preconditions not met' }]);
  });
});

describe('jmesPath image extractors: an error for every object the match selects (fail closed)', () => {
  const yaml = policy(
    "imageExtractors:\n  DataVolume:\n  - path: /spec/source/registry/url\n    jmesPath: trim_prefix(@, 'docker://')",
    '',
    'DataVolume',
  );
  const dataVolume = (url: string) => ({
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name: 'dv', namespace: 'default' },
    spec: { source: { registry: { url } } },
  });

  it('even when the raw value matches no pattern before the jmesPath would transform it', async () => {
    const d = await run(yaml, dataVolume('docker://ghcr.io/acme/unsigned:1.0'));
    expect(d.allowed).toBe(false);
    expect(d.results[0]).toMatchObject({ status: 'error' });
    expect(d.results[0]?.message).toContain('spec.rules[0].imageExtractors.DataVolume[0].jmesPath');
  });

  it('objects of other kinds use their own extractors and are unaffected', async () => {
    const mixed = yaml.replace('kinds: [DataVolume]', 'kinds: [DataVolume, Pod]');
    expect((await run(mixed, pod('ghcr.io/acme/app:1.0'))).allowed).toBe(true);
  });
});

describe('roles and clusterRoles (the AdmissionReview does not carry them)', () => {
  it('an exclude by clusterRoles does not silently exclude everyone: the rule reports an error', async () => {
    const yaml = policy('exclude: {any: [{clusterRoles: [cluster-admin]}]}');
    const d = await run(yaml, pod('ghcr.io/acme/app:1.0'));
    expect(d.allowed).toBe(false);
    expect(d.results[0]?.message).toContain('spec.rules[0].exclude.any[0].clusterRoles');
    expect(
      loadPolicies(yaml)
        .warnings.map((w) => w.message)
        .join('\n'),
    ).toContain('clusterRoles');
  });
});

describe('exclude filters that say nothing exclude nothing (as Kyverno)', () => {
  it.each([
    ['{any: []}'],
    ['{any: [{}]}'],
    ['{any: [{resources: {}}]}'],
    ['{all: [{resources: {}}]}'],
    ['{resources: {}}'],
  ])('exclude: %s', async (exclude) => {
    const d = await run(policy(`exclude: ${exclude}`), pod('ghcr.io/acme/unsigned:1.0'));
    expect(d.allowed).toBe(false);
  });
});

describe('namespaceSelector without the namespace labels is never guessed', () => {
  const selectorRule = policy('').replace(
    'match: {any: [{resources: {kinds: [Pod]}}]}',
    'match: {any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: {env: prod}}}}]}',
  );
  const evaluate = (yaml: string, resource: Record<string, unknown>, labels?: Record<string, string>) =>
    new PolicyEngine(loadPolicies(yaml), { backend: fixtureBackend(images, keys), cache: false }).evaluate(
      resource,
      labels === undefined ? {} : { namespaceLabels: labels },
    );

  it('a rule the selector would decide reports an error (not "does not apply")', async () => {
    const unknown = await evaluate(selectorRule, pod('ghcr.io/acme/unsigned:1.0'));
    expect(unknown.allowed).toBe(false);
    expect(unknown.results[0]?.message).toContain(
      'namespaceSelector cannot be decided without the labels of namespace default',
    );
    expect((await evaluate(selectorRule, pod('ghcr.io/acme/unsigned:1.0'), { env: 'dev' })).allowed).toBe(
      true,
    );
    expect((await evaluate(selectorRule, pod('ghcr.io/acme/unsigned:1.0'), { env: 'prod' })).allowed).toBe(
      false,
    );
  });

  it('an override the selector would decide makes the rule Enforce', async () => {
    const audit = policy('').replace(
      'validationFailureAction: Enforce',
      'validationFailureAction: Audit\n  validationFailureActionOverrides: [{action: Enforce, namespaceSelector: {matchLabels: {env: prod}}}]',
    );
    const unknown = await evaluate(audit, pod('ghcr.io/acme/unsigned:1.0'));
    expect(unknown.results[0]).toMatchObject({ status: 'fail', action: 'Enforce' });
    expect(unknown.allowed).toBe(false);
    expect((await evaluate(audit, pod('ghcr.io/acme/unsigned:1.0'), { env: 'dev' })).allowed).toBe(true);
  });
});
