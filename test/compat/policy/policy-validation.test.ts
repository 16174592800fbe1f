/**
 * shared/vectors/kyverno/policies: every policy loads; every policyValidationCase is accepted or
 * refused with Kyverno's message. The cases describe their change in words; each is written here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PolicyValidationError } from '../../../src/errors/index.js';
import { loadPolicies } from '../../../src/policy/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from '../../helpers/fuzz.js';
import { verifyImagesPolicy } from '../../helpers/policy-yaml.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

const dir = join(SHARED_DIR, 'vectors', 'kyverno', 'policies');
// biome-ignore lint/suspicious/noExplicitAny: policy documents are untyped YAML
type Doc = any;
const load = (file: string): Doc => parse(readFileSync(join(dir, file), 'utf8'));

/** The change each case describes, applied to the parsed policy. */
const CHANGES: Record<string, (doc: Doc) => void> = {
  'pv-01': (d) => delete d.spec.rules[0].verifyImages[0].mutateDigest,
  'pv-02': (d) => (d.spec.rules[1].verifyImages[0].attestors[0].count = 2),
  'pv-03': (d) => delete d.spec.rules[1].verifyImages[0].roots,
  'pv-04': (d) => delete d.spec.rules[0].verifyImages[0].imageReferences,
  'pv-05': (d) => (d.spec.rules[0].verifyImages[0].imageReferences = ['ghcr.io/{{request.namespace}}/*']),
  'pv-06': (d) => (d.spec.rules[0].verifyImages[0].type = 'Notary'),
  'pv-07': (d) =>
    (d.spec.rules[0].verifyImages[0].attestors[0].entries[0].keyless = {
      rekor: { url: 'https://rekor.sigstore.dev' },
    }),
  'pv-08': (d) =>
    (d.spec.rules[0].imageExtractors = {
      Pod: [{ path: '/spec/containers/*/image', jmesPath: "trim_prefix(@, 'docker://')" }],
    }),
  'pv-09': (d) => {
    d.spec.webhookConfiguration ??= {};
    d.spec.webhookConfiguration.timeoutSeconds = 31;
  },
  'pv-10': () => {},
  'pv-11': (d) => (d.spec.rules[0].verifyImages[0].attestors[0].entries[0].keys.signatureAlgorithm = 'sha1'),
};

interface ValidationCase {
  id: string;
  derivedFrom: string;
  change: string;
  expected: { accepted: boolean; errorContains?: string; warningContains?: string };
}

const cases = readVectors<{ policyValidationCases: ValidationCase[] }>(
  'kyverno/policies/cases.json',
).policyValidationCases;

describe('the vector policies', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('%s loads with Kyverno’s defaults', (file) => {
    const [policy] = loadPolicies(readFileSync(join(dir, file), 'utf8'));
    expect(policy?.name).toBe(load(file).metadata.name);
    for (const rule of policy?.rules ?? []) {
      for (const entry of rule.verifyImages) {
        expect(entry.imageReferences.length).toBeGreaterThan(0);
        expect(typeof entry.mutateDigest).toBe('boolean');
      }
    }
  });
});

describe('policy validation (cases.json policyValidationCases)', () => {
  it('has a change written for every case', () => {
    for (const c of cases) expect(Object.keys(CHANGES), c.id).toContain(c.id);
  });

  it.each(cases)('$id: $change', (c) => {
    const doc = load(c.derivedFrom);
    (CHANGES[c.id] as (d: Doc) => void)(doc);
    const run = () => loadPolicies(stringify(doc));
    if (c.expected.accepted) {
      const [policy] = run();
      if (c.expected.warningContains !== undefined)
        expect(policy?.warnings.join('\n')).toContain(c.expected.warningContains);
    } else {
      expect(run).toThrow(PolicyValidationError);
      expect(run).toThrow(c.expected.errorContains as string);
    }
  });
});

describe('conversions and defaults', () => {
  it('applies the CRD defaults Kyverno relies on', () => {
    // Nothing but the image references: no attestors, no flags.
    const [policy] = loadPolicies(
      verifyImagesPolicy({ name: 'd', ruleName: 'r', images: '["ghcr.io/*"]', attestors: '' }),
    );
    expect(policy?.rules[0]?.verifyImages[0]).toMatchObject({
      type: 'Cosign',
      mutateDigest: true,
      verifyDigest: true,
      required: true,
      useCache: true,
    });
    expect(policy).toMatchObject({ failurePolicy: 'Fail', timeoutSeconds: 10, background: true });
  });

  it('converts the deprecated image/key shorthand into imageReferences and one attestor set', () => {
    const [policy] = loadPolicies(readFileSync(join(dir, 'p10-deprecated-shorthand.yaml'), 'utf8'));
    const [legacyKey, legacyKeyless, withAttestations] = policy?.rules ?? [];
    expect(legacyKey?.verifyImages[0]?.imageReferences).toEqual(['ghcr.io/legacy/*']);
    expect(legacyKey?.verifyImages[0]?.attestors[0]?.entries[0]?.keys?.publicKeys).toContain(
      'BEGIN PUBLIC KEY',
    );
    expect(legacyKeyless?.verifyImages[0]?.attestors[0]?.entries[0]?.keyless).toMatchObject({
      issuer: 'https://token.actions.githubusercontent.com',
    });
    // With attestations present, Kyverno drops the shorthand key.
    expect(withAttestations?.verifyImages[0]?.attestors).toEqual([]);
  });

  it('ignores documents that are not Kyverno policies and reports YAML errors', () => {
    expect(loadPolicies('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')).toEqual([]);
    expect(() => loadPolicies('a: [1, 2')).toThrow(PolicyValidationError);
  });
});

describe('hostile input', () => {
  it(
    'loadPolicies returns policies or throws OcisignError, nothing else',
    async () => {
      const fc = (await import('fast-check')).default;
      const { OcisignError } = await import('../../../src/errors/index.js');
      const base = readFileSync(join(dir, 'p03-count-2-of-3.yaml'), 'utf8');
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 200 }),
            fc
              .tuple(fc.nat(), fc.string({ maxLength: 6 }))
              .map(([at, s]) => base.slice(0, at % base.length) + s + base.slice((at % base.length) + 1)),
          ),
          (text) => {
            try {
              loadPolicies(text);
            } catch (error) {
              if (!(error instanceof OcisignError)) throw error;
            }
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
