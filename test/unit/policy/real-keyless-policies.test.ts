/**
 * Every real policy of ../shared/vectors/kyverno/real-policies (copied from kyverno/kyverno and
 * kyverno/policies; read in place) with a `keyless` or `certificates` attestor, evaluated through
 * `fixtureBackend`: nothing says "not supported" about keyless or certificates any more (`type:
 * Notary` and `context` entries, which ocisign does not evaluate, still say so); recorded keyless
 * evidence with the attestor's identity passes where nothing else stands in the way, and the same
 * evidence with another identity fails on the identity.
 */
import { describe, expect, it } from 'vitest';
import { PolicyValidationError } from '../../../src/errors/index.js';
import {
  fixtureBackend,
  type ImageEvidence,
  kyvernoImageString,
  loadPolicies,
  matchImagePattern,
  PolicyEngine,
} from '../../../src/policy/index.js';
import { readVectors } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: vector documents are untyped JSON
type Json = any;
interface IndexedFile {
  file: string;
  documents: Array<{ index: number; name: string; json: Json }>;
}
const index = readVectors<{ verifyImagesPolicies: IndexedFile[] }>('kyverno/real-policies/index.json');

const withCertificates = index.verifyImagesPolicies.flatMap((f) =>
  f.documents
    .filter((d) => /"(keyless|certificates)":/.test(JSON.stringify(d.json)))
    .map((d) => ({ id: `${f.file} #${d.index} ${d.name}`, json: d.json })),
);

/** A text the Kyverno wildcard or (unanchored) regexp accepts: `*` → `x`, `\.` → `.`, `.+` → `x`. */
const sample = (pattern: string) =>
  pattern
    .replace(/^\^|\$$/g, '')
    .replace(/\.[+*]/g, 'x')
    .replace(/\\\./g, '.')
    .replaceAll('*', 'x')
    .replaceAll('?', 'y');

/** Audit policies leave mutateDigest at its default, which Kyverno refuses: set it as their docs say. */
function loadable(json: Json): Json {
  const copy = structuredClone(json);
  for (const rule of copy.spec.rules ?? [])
    for (const entry of rule.verifyImages ?? [])
      if (copy.spec.validationFailureAction === 'Audit') entry.mutateDigest = false;
  return copy;
}

function firstCertificateAttestor(entry: Json): Json {
  const sets = [
    ...(entry.attestors ?? []),
    ...(entry.attestations ?? []).flatMap((a: Json) => a.attestors ?? []),
  ];
  for (const set of sets)
    for (const attestor of set.entries ?? []) if (attestor.keyless ?? attestor.certificates) return attestor;
  return undefined;
}

const EVIL = { san: 'https://evil.example/workflow', issuerExt: 'https://evil.example' };

function evidenceFor(entry: Json, identity: { san: string; issuerExt: string }): ImageEvidence {
  const keyless = { chainsTo: 'public-good', tlog: true, sct: true, timestamp: 'public-good', ...identity };
  return {
    digest: `sha256:${'ab'.repeat(32)}`,
    keyless: [keyless],
    attestations: (entry.attestations ?? []).map((a: Json) => ({
      type: a.type ?? a.predicateType,
      keyless,
      predicate: {},
    })),
  };
}

describe('real policies with keyless or certificates attestors, through fixtureBackend', () => {
  it('there are such policies to evaluate', () => {
    expect(withCertificates.length).toBeGreaterThanOrEqual(30);
  });

  it.each(withCertificates.map((p) => [p.id, p] as const))('%s', async (_id, p) => {
    let policies: ReturnType<typeof loadPolicies>;
    try {
      policies = loadPolicies(JSON.stringify(loadable(p.json)));
    } catch (error) {
      // Kyverno refuses some of these too; the refusal names why, and never keyless.
      expect(error).toBeInstanceOf(PolicyValidationError);
      expect((error as Error).message).not.toMatch(/keyless|certificates/);
      return;
    }
    const rule = p.json.spec.rules.find((r: Json) => r.verifyImages !== undefined);
    const entry = rule.verifyImages[0];
    const image = sample(entry.imageReferences[0]);
    expect(matchImagePattern(entry.imageReferences[0], kyvernoImageString(image))).toBe(true);
    const attestor = firstCertificateAttestor(entry);
    const keyless = attestor.keyless ?? {};
    const identity = {
      san: sample(keyless.subject ?? keyless.subjectRegExp ?? 'https://github.com/acme/app'),
      issuerExt: sample(
        keyless.issuer ?? keyless.issuerRegExp ?? 'https://token.actions.githubusercontent.com',
      ),
    };
    // One policy verifies Tekton Tasks through imageExtractors; the others Pods.
    const resource = rule.imageExtractors?.Task
      ? {
          apiVersion: 'tekton.dev/v1beta1',
          kind: 'Task',
          metadata: { name: 't', namespace: 'default' },
          spec: { steps: [{ name: 's', image }] },
        }
      : {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p', namespace: 'default' },
          spec: { containers: [{ name: 'c', image }] },
        };
    const evaluate = async (who: { san: string; issuerExt: string }) => {
      const backend = fixtureBackend({ [kyvernoImageString(image)]: evidenceFor(entry, who) });
      const decision = await new PolicyEngine(policies, { backend, cache: false }).evaluate(resource);
      return decision.results.filter((r) => r.phase === 'verify');
    };
    const right = await evaluate(identity);
    const wrong = await evaluate(EVIL);
    expect(right.length).toBeGreaterThan(0);
    for (const r of [...right, ...wrong]) {
      expect(r.message).not.toMatch(/(keyless|certificates)[^;]*not supported|unsupported: keyless/);
    }
    const notEvaluated = rule.context !== undefined || entry.type === 'Notary';
    if (notEvaluated) {
      expect(right.some((r) => /not supported|does not support/.test(r.message))).toBe(true);
      return;
    }
    // The identity decides: the wrong one fails on it; the right one gets past it.
    for (const r of wrong) {
      expect(r.status).toBe('fail');
      expect(r.message).toMatch(/mismatch|no matching|sigstore bundle verification failed/);
    }
    // Only the first certificate attestor was given its identity: its own part of the message is clean.
    const firstEntry = /\.attestors\[0\]\.entries\[0\]\.(keyless|certificates): /;
    for (const r of right) {
      const own = r.message
        .split('; ')
        .filter((part) => firstEntry.test(part) || !part.includes('.entries['));
      expect(own.join('; ')).not.toMatch(/mismatch|no matching|sigstore bundle verification failed/);
      if ((entry.attestations ?? []).length === 0) expect(r.status, r.message).toBe('pass');
    }
  });
});
