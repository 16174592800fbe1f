/**
 * PolicyEngine behaviour beyond the shared vectors: match/exclude, autogen for pod controllers,
 * imageExtractors, namespaced Policies, strict mode closing Kyverno's two traps, emitWarning,
 * unparseable images and aborts.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicies, PolicyEngine } from '../../../src/policy/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from '../../helpers/fuzz.js';
import { fixtureBackend, fixtureKeys } from '../../helpers/kyverno-fixture.js';
import { indent, keyEntry, pemScalar, pod, verifyImagesPolicy } from '../../helpers/policy-yaml.js';

const keys = fixtureKeys();
const DIGEST_A = `sha256:${'a1'.repeat(32)}`;
const DIGEST_U = `sha256:${'b2'.repeat(32)}`;
const images = {
  'ghcr.io/acme/app:1.0': { digest: DIGEST_A, signatures: ['KEY_A'] },
  'ghcr.io/acme/unsigned:1.0': { digest: DIGEST_U, signatures: [] },
};

function policyYaml(
  extra: { match?: string; exclude?: string; entry?: string; meta?: string; spec?: string } = {},
) {
  return `apiVersion: kyverno.io/v1
kind: ${extra.meta?.includes('namespace:') ? 'Policy' : 'ClusterPolicy'}
metadata:
  name: acme
${extra.meta ?? ''}
spec:
  validationFailureAction: Enforce
${extra.spec ?? ''}
  rules:
  - name: verify
    match:
${extra.match ?? '      any:\n      - resources: {kinds: [Pod]}'}
${extra.exclude ?? ''}
    verifyImages:
    - imageReferences: ["ghcr.io/acme/*"]
${extra.entry ?? ''}
      attestors:
      - entries:
        - keys:
            publicKeys: |-
              -----BEGIN PUBLIC KEY-----
              ${keys.KEY_A}
              -----END PUBLIC KEY-----
            rekor: {ignoreTlog: true}
`;
}

const engine = (yaml: string, strict = false) =>
  new PolicyEngine(loadPolicies(yaml), { backend: fixtureBackend(images, keys), cache: false, strict });

describe('PolicyEngine: which rules apply', () => {
  it('applies namespaces, label selectors, operations and exclude as Kyverno does', async () => {
    const yaml = policyYaml({
      match:
        '      any:\n      - resources:\n          kinds: [Pod]\n          namespaces: ["prod-*"]\n          operations: [CREATE]\n          selector: {matchLabels: {app: "web*"}}',
      exclude: '    exclude:\n      any:\n      - resources: {names: ["debug-*"]}',
    });
    const e = engine(yaml);
    const unsigned = (meta: Record<string, unknown>) => pod('ghcr.io/acme/unsigned:1.0', meta);
    expect((await e.evaluate(unsigned({ namespace: 'prod-eu', labels: { app: 'web-1' } }))).allowed).toBe(
      false,
    );
    expect((await e.evaluate(unsigned({ namespace: 'dev', labels: { app: 'web-1' } }))).allowed).toBe(true);
    expect((await e.evaluate(unsigned({ namespace: 'prod-eu', labels: { app: 'db' } }))).allowed).toBe(true);
    expect(
      (await e.evaluate(unsigned({ namespace: 'prod-eu', labels: { app: 'web' } }), { operation: 'UPDATE' }))
        .allowed,
    ).toBe(true);
    expect(
      (await e.evaluate(unsigned({ name: 'debug-1', namespace: 'prod-eu', labels: { app: 'web' } }))).allowed,
    ).toBe(true);
  });

  it('a namespaced Policy applies only in its namespace', async () => {
    const e = engine(policyYaml({ meta: '  namespace: team-a' }));
    expect((await e.evaluate(pod('ghcr.io/acme/unsigned:1.0', { namespace: 'team-a' }))).allowed).toBe(false);
    expect((await e.evaluate(pod('ghcr.io/acme/unsigned:1.0', { namespace: 'team-b' }))).allowed).toBe(true);
  });

  it('autogen: a Pod rule covers Deployments (autogen-verify) unless the annotation says none', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: { template: { spec: { initContainers: [{ name: 'i', image: 'ghcr.io/acme/app:1.0' }] } } },
    };
    const d = await engine(policyYaml({ entry: '      mutateDigest: true' })).evaluate(deployment);
    expect(d.results[0]).toMatchObject({
      rule: 'autogen-verify',
      status: 'pass',
      pointer: '/spec/template/spec/initContainers/0/image',
    });
    expect(d.patches).toContainEqual({
      op: 'replace',
      path: '/spec/template/spec/initContainers/0/image',
      value: `ghcr.io/acme/app:1.0@${DIGEST_A}`,
    });
    const none = await engine(
      policyYaml({ meta: '  annotations: {pod-policies.kyverno.io/autogen-controllers: none}' }),
    ).evaluate(deployment);
    expect(none.results).toEqual([]);
  });

  it('imageExtractors find images in custom resources, with pointers for pinning', async () => {
    const yaml = policyYaml({
      match: '      any:\n      - resources: {kinds: [Task]}',
      entry: '      mutateDigest: true',
    }).replace(
      '    verifyImages:',
      '    imageExtractors:\n      Task:\n      - path: /spec/steps/*\n        value: image\n    verifyImages:',
    );
    const task = {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 't', namespace: 'ci' },
      spec: { steps: [{ name: 'build', image: 'ghcr.io/acme/app:1.0' }] },
    };
    const d = await engine(yaml).evaluate(task);
    expect(d.allowed).toBe(true);
    expect(d.patches).toContainEqual({
      op: 'replace',
      path: '/spec/steps/0/image',
      value: `ghcr.io/acme/app:1.0@${DIGEST_A}`,
    });
  });
});

describe('PolicyEngine: strict mode closes two Kyverno traps', () => {
  it('tag+digest images: Kyverno lets them past a name:* pattern, strict matches the tag form too', async () => {
    const yaml = policyYaml().replace('["ghcr.io/acme/*"]', '["ghcr.io/acme/unsigned:*"]');
    const image = `ghcr.io/acme/unsigned:1.0@${DIGEST_U}`;
    expect((await engine(yaml).evaluate(pod(image))).allowed).toBe(true);
    expect((await engine(yaml, true).evaluate(pod(image))).allowed).toBe(false);
  });

  it('a forged verify-images-scoped annotation satisfies required in Kyverno mode, never in strict', async () => {
    const yaml = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: req}
spec:
  validationFailureAction: Enforce
  rules:
  - name: required-only
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - imageReferences: ["ghcr.io/*"]
      mutateDigest: false
      verifyDigest: false
`;
    const image = `ghcr.io/acme/unsigned@${DIGEST_U}`;
    const forged = {
      annotations: {
        'kyverno.io/verify-images-scoped': JSON.stringify({
          version: 1,
          policies: { '/req': { 'required-only': { [image]: 'pass' } } },
        }),
      },
    };
    expect((await engine(yaml).evaluate(pod(image, forged))).allowed).toBe(true);
    const strict = await engine(yaml, true).evaluate(pod(image, forged));
    expect(strict.allowed).toBe(false);
    expect(strict.message).toContain(`unverified image ${image}`);
  });
});

describe('PolicyEngine: warnings, bad images, aborts', () => {
  it('emitWarning turns every non-skip result into an admission warning', async () => {
    const d = await engine(
      policyYaml({ spec: '  emitWarning: true', entry: '      mutateDigest: false' }),
    ).evaluate(pod('ghcr.io/acme/app:1.0'));
    expect(d.warnings).toEqual(['policy acme.verify: verified image signatures for ghcr.io/acme/app:1.0']);
  });

  it('an unparseable image is a rule error, which fails closed', async () => {
    const d = await engine(policyYaml()).evaluate(pod('ghcr.io/Acme/App:1.0'));
    expect(d.allowed).toBe(false);
    expect(d.results[0]?.status).toBe('error');
    expect(d.results[0]?.message).toMatch(/invalid image 'ghcr\.io\/Acme\/App:1\.0'/);
  });

  it('an evaluation past its deadline reports error results and denies', async () => {
    const never = {
      verifySignatures: (c: { signal: AbortSignal }) =>
        new Promise<never>((_, reject) => c.signal.addEventListener('abort', () => reject(c.signal.reason))),
      fetchAttestations: () => Promise.reject(new Error('unused')),
      resolveDigest: () => Promise.reject(new Error('unused')),
    };
    const e = new PolicyEngine(loadPolicies(policyYaml({ entry: '      mutateDigest: false' })), {
      backend: never,
      cache: false,
    });
    const d = await e.evaluate(pod('ghcr.io/acme/app:1.0'), { deadlineMs: 50 });
    expect(d.allowed).toBe(false);
    expect(d.results[0]).toMatchObject({ status: 'error' });
    expect(d.results[0]?.message).toContain('deadline');
  });
});

describe('PolicyEngine: what reaches the backend', () => {
  it('passes the entry repository, credentials and type, and the attestor annotations', async () => {
    const seen: unknown[] = [];
    const backend = {
      ...fixtureBackend(images, keys),
      async verifySignatures(check: Parameters<ReturnType<typeof fixtureBackend>['verifySignatures']>[0]) {
        seen.push({
          repository: check.repository,
          annotations: check.attestor.annotations,
          type: check.type,
          credentials: check.credentials,
        });
        return { digest: DIGEST_A };
      },
    };
    const yaml = policyYaml({
      entry:
        '      mutateDigest: false\n      verifyDigest: false\n      repository: ghcr.io/acme/signatures\n      type: SigstoreBundle\n      imageRegistryCredentials: {secrets: [regcred], providers: [amazon]}',
    }).replace('        - keys:', '        - annotations: {env: prod}\n          keys:');
    const d = await new PolicyEngine(loadPolicies(yaml), { backend, cache: false }).evaluate(
      pod('ghcr.io/acme/app:1.0'),
    );
    expect(d.allowed).toBe(true);
    expect(seen).toEqual([
      {
        repository: 'ghcr.io/acme/signatures',
        annotations: { env: 'prod' },
        type: 'SigstoreBundle',
        credentials: { providers: ['amazon'], secrets: ['regcred'] },
      },
    ]);
  });

  it('useCache: false bypasses the shared cache; the default uses it', async () => {
    const backend = fixtureBackend(images, keys);
    const evaluateTwice = async (entry: string) => {
      const e = new PolicyEngine(loadPolicies(policyYaml({ entry })), { backend });
      await e.evaluate(pod('ghcr.io/acme/app:1.0'));
      return e.evaluate(pod('ghcr.io/acme/app:1.0'));
    };
    backend.calls.length = 0;
    const cached = await evaluateTwice('      mutateDigest: false');
    expect(backend.calls).toHaveLength(1);
    expect(cached.results[0]?.message).toBe('verified from cache');
    backend.calls.length = 0;
    const uncached = await evaluateTwice('      mutateDigest: false\n      useCache: false');
    expect(backend.calls).toHaveLength(2);
    expect(uncached.results[0]?.message).toBe('verified image signatures for ghcr.io/acme/app:1.0');
  });
});

describe('PolicyEngine: a misbehaving backend', () => {
  it('a backend that throws synchronously gives error results, never a rejected evaluate()', async () => {
    const throwing = {
      verifySignatures: () => {
        throw new TypeError('boom');
      },
      fetchAttestations: () => {
        throw new TypeError('boom');
      },
      resolveDigest: () => {
        throw new TypeError('boom');
      },
    };
    const yaml = `${policyYaml()}  - name: pin
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - imageReferences: ["*"]
      verifyDigest: false
      required: false
`;
    const d = await new PolicyEngine(loadPolicies(yaml), { backend: throwing, cache: false }).evaluate(
      pod('ghcr.io/acme/app:1.0'),
    );
    expect(d.allowed).toBe(false);
    expect(d.results.map((r) => `${r.rule} ${r.status}`)).toEqual(['verify fail', 'pin error']);
    expect(d.results[1]?.message).toBe('failed to update digest: boom');
  });
});

describe('PolicyEngine: preconditions', () => {
  const withPreconditions = (block: string) =>
    policyYaml({ entry: '      mutateDigest: false\n      verifyDigest: false' }).replace(
      '    verifyImages:',
      `    preconditions:\n${block}\n    verifyImages:`,
    );

  it('skips the rule ("preconditions not met") when they fail, verifies when they hold', async () => {
    const yaml = withPreconditions(
      '      all:\n      - key: "{{ request.object.metadata.labels.verify || \'\' }}"\n        operator: Equals\n        value: "yes"',
    );
    const e = engine(yaml);
    const skipped = await e.evaluate(pod('ghcr.io/acme/unsigned:1.0'));
    expect(skipped.allowed).toBe(true);
    expect(skipped.results).toMatchObject([{ status: 'skip', message: 'preconditions not met' }]);
    const checked = await e.evaluate(pod('ghcr.io/acme/unsigned:1.0', { labels: { verify: 'yes' } }));
    expect(checked.allowed).toBe(false);
  });

  it('accepts the older list form and the request operation', async () => {
    const yaml = withPreconditions(
      '    - key: "{{ request.operation }}"\n      operator: NotEquals\n      value: UPDATE',
    );
    const e = engine(yaml);
    expect((await e.evaluate(pod('ghcr.io/acme/unsigned:1.0'))).allowed).toBe(false);
    expect((await e.evaluate(pod('ghcr.io/acme/unsigned:1.0'), { operation: 'UPDATE' })).allowed).toBe(true);
  });

  it('a broken precondition is a rule error, which fails closed', async () => {
    const d = await engine(
      withPreconditions(
        '      all:\n      - key: "{{ request.[ }}"\n        operator: Equals\n        value: x',
      ),
    ).evaluate(pod('ghcr.io/acme/app:1.0'));
    expect(d.allowed).toBe(false);
    expect(d.results[0]?.message).toMatch(/^failed to evaluate preconditions: .*invalid JMESPath/);
  });
});

describe('PolicyEngine: fuzzing', () => {
  it(
    'any object, old object and operation gives a decision, never a crash',
    async () => {
      const fc = (await import('fast-check')).default;
      const e = engine(policyYaml({ entry: '      mutateDigest: true' }));
      const image = fc.oneof(
        fc.constantFrom(
          'ghcr.io/acme/app:1.0',
          'ghcr.io/acme/unsigned:1.0',
          `ghcr.io/acme/app@${DIGEST_A}`,
          'nginx',
          '',
        ),
        fc.string(),
      );
      const container = fc.record(
        { name: fc.string(), image: fc.oneof(image, fc.jsonValue()) },
        { requiredKeys: [] },
      );
      const spec = fc.record(
        {
          containers: fc.array(container, { maxLength: 4 }),
          initContainers: fc.oneof(fc.array(container), fc.jsonValue()),
        },
        { requiredKeys: [] },
      );
      const object = fc.record(
        {
          apiVersion: fc.constantFrom('v1', 'apps/v1', 'batch/v1'),
          kind: fc.constantFrom('Pod', 'Deployment', 'CronJob', 'Job', 'ConfigMap'),
          metadata: fc.oneof(
            fc.record(
              {
                name: fc.string(),
                namespace: fc.string(),
                annotations: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.jsonValue())),
              },
              { requiredKeys: [] },
            ),
            fc.jsonValue(),
          ),
          spec: fc.oneof(spec, fc.record({ template: fc.record({ spec }) }), fc.jsonValue()),
        },
        { requiredKeys: ['kind'] },
      );
      await fc.assert(
        fc.asyncProperty(
          object,
          fc.option(object),
          fc.constantFrom<'CREATE' | 'UPDATE'>('CREATE', 'UPDATE'),
          async (obj, old, operation) => {
            const d = await e.evaluate(obj as Record<string, unknown>, {
              operation,
              ...(old === null ? {} : { oldResource: old as Record<string, unknown> }),
            });
            expect(typeof d.allowed).toBe('boolean');
            if (!d.allowed) expect(d.patches).toEqual([]);
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('PolicyEngine: spec.admission', () => {
  it('a verifyImages policy with admission: false is refused, as Kyverno refuses it', () => {
    expect(() => loadPolicies(policyYaml({ spec: '  admission: false' }))).toThrow(
      'spec.admission: disabling admission processing is only allowed with validation policies',
    );
  });

  it('a hand-built policy with admission: false (background scans only) is not applied at admission', async () => {
    const [policy] = loadPolicies(policyYaml());
    const background = { ...(policy as NonNullable<typeof policy>), admission: false };
    const e = new PolicyEngine([background], { backend: fixtureBackend(images, keys), cache: false });
    expect(await e.evaluate(pod('ghcr.io/acme/unsigned:1.0'))).toMatchObject({ allowed: true, results: [] });
  });
});

describe('PolicyEngine: registry credentials', () => {
  it("the pod's imagePullSecrets join the entry's credentials for verification and for the digest pin", async () => {
    const seen: unknown[] = [];
    const base = fixtureBackend(
      { ...images, 'docker.io/nginx:1.25': { digest: `sha256:${'c3'.repeat(32)}` } },
      keys,
    );
    const backend = {
      ...base,
      async verifySignatures(check: Parameters<typeof base.verifySignatures>[0]) {
        seen.push(['verify', check.credentials]);
        return base.verifySignatures(check);
      },
      async resolveDigest(image: string, signal: AbortSignal, credentials?: unknown) {
        seen.push(['digest', credentials]);
        return base.resolveDigest(image, signal);
      },
    };
    const yaml = `${policyYaml({ entry: '      imageRegistryCredentials: {providers: [amazon], secrets: [kyverno/ecr]}' })}  - name: pin
    match: {any: [{resources: {kinds: [Pod]}}]}
    verifyImages:
    - imageReferences: ["docker.io/*"]
      verifyDigest: false
      required: false
`;
    const withSecrets = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'team-a' },
      spec: {
        imagePullSecrets: [{ name: 'regcred' }],
        containers: [
          { name: 'app', image: 'ghcr.io/acme/app:1.0' },
          { name: 'hub', image: 'nginx:1.25' },
        ],
      },
    };
    const d = await new PolicyEngine(loadPolicies(yaml), { backend, cache: false }).evaluate(withSecrets);
    expect(d.allowed, d.message).toBe(true);
    expect(seen).toContainEqual([
      'verify',
      { providers: ['amazon'], secrets: ['kyverno/ecr', 'team-a/regcred'] },
    ]);
    expect(seen).toContainEqual(['digest', { secrets: ['team-a/regcred'] }]);
  });
});

describe('PolicyEngine: validationFailureActionOverrides', () => {
  it('turns an Audit policy into Enforce by namespace wildcard, narrowed by namespaceSelector', async () => {
    const yaml = policyYaml({
      entry: '      mutateDigest: false\n      verifyDigest: false',
      spec: `  validationFailureActionOverrides:
  - action: Enforce
    namespaces: ["prod-*"]
    namespaceSelector: {matchLabels: {tier: critical}}
  - action: Enforce
    namespaceSelector: {matchLabels: {enforce: "yes"}}`,
    }).replace('validationFailureAction: Enforce', 'validationFailureAction: Audit');
    const e = engine(yaml);
    const run = (namespace: string, labels: Record<string, string>) =>
      e.evaluate(pod('ghcr.io/acme/unsigned:1.0', { namespace }), { namespaceLabels: labels });
    expect((await run('prod-eu', { tier: 'critical' })).allowed).toBe(false);
    expect((await run('prod-eu', { tier: 'batch' })).allowed).toBe(true);
    expect((await run('dev', { tier: 'critical' })).allowed).toBe(true);
    expect((await run('dev', { enforce: 'yes' })).allowed).toBe(false);
    const audit = await run('dev', {});
    expect(audit.results[0]).toMatchObject({ status: 'fail', action: 'Audit' });
  });
});

describe('PolicyEngine: nested attestor sets', () => {
  const key = (name: string) => keyEntry(pemScalar(keys[name] as string));
  // (KEY_A or KEY_B) and KEY_C: a set of two entries nested as the first entry of the outer set.
  const yaml = verifyImagesPolicy({
    name: 'nested',
    images: '["ghcr.io/*"]',
    entry: 'mutateDigest: false\nverifyDigest: false',
    attestors: `- entries:\n  - attestor:\n      count: 1\n      entries:\n${indent(key('KEY_A'), 6)}${indent(key('KEY_B'), 6)}${indent(key('KEY_C'), 2)}`,
  });
  const signedBy = (...names: string[]) => ({ digest: `sha256:${'e'.repeat(64)}`, signatures: names });

  it('(A or B) and C: a nested set counts as one entry that passes when its own count is met', async () => {
    const run = (names: string[]) =>
      new PolicyEngine(loadPolicies(yaml), {
        backend: fixtureBackend({ 'ghcr.io/x/app:1': signedBy(...names) }, keys),
        cache: false,
      }).evaluate(pod('ghcr.io/x/app:1'));
    expect((await run(['KEY_B', 'KEY_C'])).allowed).toBe(true);
    const onlyA = await run(['KEY_A']);
    expect(onlyA.allowed).toBe(false);
    expect(onlyA.message).toContain('.attestors[0].entries[1].keys:');
    const onlyC = await run(['KEY_C']);
    expect(onlyC.allowed).toBe(false);
    expect(onlyC.message).toContain('.attestors[0].entries[0].attestor.entries[0].keys:');
    expect(onlyC.message).toContain('.attestors[0].entries[0].attestor.entries[1].keys:');
  });
});

describe('PolicyEngine: features ocisign does not evaluate', () => {
  it('a rule with context entries or verifyImages validate is an error (fail closed), with a load warning', async () => {
    const withValidate = policyYaml({
      entry:
        '      mutateDigest: false\n      validate:\n        deny:\n          conditions: {any: [{key: "{{ a }}", operator: Equals, value: b}]}',
    });
    const policies = loadPolicies(withValidate);
    expect(policies[0]?.warnings).toContain(
      'spec.rules[0].verifyImages[0].validate is not evaluated by ocisign: the rule reports an error instead of a verdict',
    );
    const d = await new PolicyEngine(policies, {
      backend: fixtureBackend(images, keys),
      cache: false,
    }).evaluate(pod('ghcr.io/acme/app:1.0'));
    expect(d.allowed).toBe(false);
    expect(d.results).toMatchObject([
      {
        status: 'error',
        message: 'not evaluated: ocisign does not support spec.rules[0].verifyImages[0].validate',
      },
    ]);
    const withContext = policyYaml().replace(
      '    verifyImages:',
      '    context:\n    - name: allowed\n      configMap: {name: allowed, namespace: kyverno}\n    verifyImages:',
    );
    const c = await engine(withContext).evaluate(pod('ghcr.io/acme/app:1.0'));
    expect(c.results[0]?.message).toContain('spec.rules[0].context');
  });
});
