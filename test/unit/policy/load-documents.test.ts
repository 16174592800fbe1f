/**
 * Which documents `loadPolicies` reads: ClusterPolicy / Policy are loaded; ImageValidatingPolicy
 * and NamespacedImageValidatingPolicy (they verify images, so dropping them would admit
 * everything) are refused with a typed error naming the kind; every other document is skipped
 * with a warning naming its kind, name and position. Text or bytes; `kind: List` is read item by item.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  PolicyUnsupportedError,
  PolicyValidationError,
} from '../../../src/errors/index.js';
import { loadPolicies, PolicyEngine } from '../../../src/policy/index.js';
import { verifyImagesPolicy } from '../../helpers/policy-yaml.js';

const clusterPolicy = (name = 'verify') =>
  verifyImagesPolicy({
    name,
    ruleName: 'r',
    images: '["ghcr.io/*"]',
    entry: 'mutateDigest: false',
    ignoreTlog: false,
  });

const ivpol = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}
kind: ${kind}
metadata: {name: check-images}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  attestors: [{name: a, cosign: {key: {data: "-----BEGIN PUBLIC KEY-----"}}}]
  validations: [{expression: "images.containers.all(i, verifyImageSignatures(i, [attestors.a]) > 0)"}]
`;

describe('loadPolicies: kinds that verify images but that ocisign does not evaluate are refused', () => {
  it.each([
    ['policies.kyverno.io/v1', 'ImageValidatingPolicy'],
    ['policies.kyverno.io/v1beta1', 'ImageValidatingPolicy'],
    ['policies.kyverno.io/v1alpha1', 'ImageValidatingPolicy'],
    ['policies.kyverno.io/v1', 'NamespacedImageValidatingPolicy'],
    ['policies.kyverno.io/v1beta1', 'NamespacedImageValidatingPolicy'],
  ])('%s %s: a typed error naming the kind, never []', (apiVersion, kind) => {
    const text = `${clusterPolicy()}---\n${ivpol(apiVersion, kind)}`;
    expect(() => loadPolicies(text)).toThrow(PolicyUnsupportedError);
    expect(() => loadPolicies(text)).toThrow(
      new RegExp(`^document 2 \\(${kind} check-images\\): ${kind} is not supported by ocisign yet`),
    );
    try {
      loadPolicies(text);
    } catch (error) {
      expect(error).toMatchObject({ code: 'POLICY_UNSUPPORTED', kind, document: 2 });
    }
  });
});

describe('loadPolicies: other documents are skipped with a warning naming each one', () => {
  it('Kyverno kinds that verify no images and non-Kyverno documents', () => {
    const others = [
      ['policies.kyverno.io/v1', 'ValidatingPolicy', 'check-labels'],
      ['policies.kyverno.io/v1', 'MutatingPolicy', 'add-labels'],
      ['policies.kyverno.io/v1', 'GeneratingPolicy', 'gen'],
      ['policies.kyverno.io/v1', 'DeletingPolicy', 'cleanup'],
      ['kyverno.io/v2', 'PolicyException', 'allow-debug'],
      ['kyverno.io/v2', 'ClusterCleanupPolicy', 'clean'],
      ['v1', 'ConfigMap', 'settings'],
    ];
    const text = [
      clusterPolicy(),
      ...others.map(([a, k, n]) => `apiVersion: ${a}\nkind: ${k}\nmetadata: {name: ${n}}\n`),
    ].join('---\n');
    const policies = loadPolicies(text);
    expect(policies.map((p) => p.name)).toEqual(['verify']);
    expect(policies.warnings).toHaveLength(others.length);
    for (const [i, [apiVersion, kind, name]] of others.entries()) {
      expect(policies.warnings[i]).toMatchObject({ document: i + 2, apiVersion, kind, name });
      expect(policies.warnings[i]?.message).toMatch(
        new RegExp(`^document ${i + 2} \\(${kind} ${name}\\): skipped: `),
      );
    }
  });

  it('a stream with only skipped documents gives no policies and says why', () => {
    const policies = loadPolicies('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    expect([...policies]).toEqual([]);
    expect(policies.warnings.map((w) => w.message)).toEqual([
      'document 1 (ConfigMap x): skipped: not a Kyverno ClusterPolicy or Policy (ocisign evaluates their verifyImages rules)',
    ]);
  });

  it("each policy's own warnings are in the stream's list too, with the document that holds them", () => {
    const text = `apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\n${clusterPolicy().replace(
      '      mutateDigest: false\n',
      '      mutateDigest: false\n      validate: {deny: {conditions: {any: [{key: a, operator: Equals, value: b}]}}}\n',
    )}`;
    const policies = loadPolicies(text);
    expect(policies.warnings.map((w) => w.document)).toEqual([1, 2]);
    expect(policies.warnings[1]?.message).toContain(
      'spec.rules[0].verifyImages[0].validate is not evaluated',
    );
    expect(policies[0]?.warnings).toHaveLength(1);
  });

  it('empty documents are nothing, not a warning', () => {
    expect(loadPolicies(`---\n${clusterPolicy()}---\n# only a comment\n`).warnings).toEqual([]);
  });
});

describe('loadPolicies: input', () => {
  it('reads UTF-8 bytes (a Buffer, a Uint8Array) like text', () => {
    expect(loadPolicies(Buffer.from(clusterPolicy()))[0]?.name).toBe('verify');
    expect(loadPolicies(new TextEncoder().encode(clusterPolicy()))[0]?.name).toBe('verify');
  });

  it('refuses bytes that are not UTF-8 and values that are not text with typed errors', () => {
    expect(() => loadPolicies(Uint8Array.of(0xff, 0xfe, 0x00))).toThrow(PolicyValidationError);
    for (const bad of [undefined, null, 5, {}, ['a']])
      expect(() => loadPolicies(bad as unknown as string)).toThrow(InvalidArgumentError);
  });

  it('reads the items of a kind: List (kubectl get clusterpolicies -o yaml)', async () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [JSON.parse(JSON.stringify((await import('yaml')).parse(clusterPolicy('from-list'))))],
    });
    const policies = loadPolicies(list);
    expect(policies.map((p) => p.name)).toEqual(['from-list']);
    expect(new PolicyEngine(policies).policies).toHaveLength(1);
  });
});

describe('loadPolicies: nesting', () => {
  it('refuses documents nested deep enough to exhaust the parser (a typed error, not a crashed process)', () => {
    for (const n of [300, 5000, 10_000, 50_000]) {
      const flow = `{"apiVersion":"kyverno.io/v1","kind":"ClusterPolicy","spec":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`;
      expect(() => loadPolicies(flow)).toThrow(/nests deeper than 256 levels at line 1/);
      const block = `${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1`;
      expect(() => loadPolicies(block)).toThrow(/nests deeper than 256 levels/);
      expect(() => loadPolicies(`${'- '.repeat(n)}x`)).toThrow(PolicyValidationError);
    }
  });

  it('accepts what real objects look like: {{ }} variables, one-line JSON, a few dozen levels', () => {
    const nested = `${'{"a":'.repeat(60)}1${'}'.repeat(60)}`;
    expect(
      loadPolicies(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: ${nested}\n`).warnings,
    ).toHaveLength(1);
    expect(
      loadPolicies(
        JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '{{ a }}'.repeat(500) } }),
      ).warnings,
    ).toHaveLength(1);
  });
});

describe('loadPolicies: settings ocisign does not evaluate are named', () => {
  it('applyRules: One, webhook matchConditions, tsaCertChain and cosignOCI11 each give a warning', () => {
    const text = clusterPolicy()
      .replace(
        '  validationFailureAction: Enforce\n',
        '  validationFailureAction: Enforce\n  applyRules: One\n  webhookConfiguration: {matchConditions: [{name: x, expression: "true"}]}\n',
      )
      .replace('      mutateDigest: false\n', '      mutateDigest: false\n      cosignOCI11: true\n')
      .replace(
        'publicKeys: "k8s://ns/key"\n',
        'publicKeys: "k8s://ns/key"\n            ctlog: {tsaCertChain: "-----BEGIN CERTIFICATE-----"}\n',
      );
    const messages = loadPolicies(text)
      .warnings.map((w) => w.message)
      .join('\n');
    for (const part of ['spec.applyRules', 'matchConditions', 'ctlog.tsaCertChain', 'cosignOCI11'])
      expect(messages).toContain(part);
  });
});
