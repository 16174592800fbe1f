/**
 * shared/vectors/kyverno/policies/cases.json: every admission case — per-image verify-phase
 * results, validate-phase results, patches (annotation operations in order, image operations as a
 * set), warnings and the denial message — through PolicyEngine with the fixture backend.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  kyvernoImageString,
  loadPolicies,
  PolicyEngine,
  type RuleResult,
} from '../../../src/policy/index.js';
import {
  type FixtureImage,
  fixtureBackend,
  fixtureKeys,
  type RegistryOverrides,
} from '../../helpers/kyverno-fixture.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: vector documents are untyped JSON
type Any = any;
interface Case {
  id: string;
  policy: string;
  operation: 'CREATE' | 'UPDATE';
  description: string;
  resource: Record<string, unknown>;
  oldResource?: Record<string, unknown>;
  registryOverrides?: RegistryOverrides;
  expected: Any;
}
const vectors = readVectors<{ registryFixture: Record<string, FixtureImage>; cases: Case[] }>(
  'kyverno/policies/cases.json',
);
const keys = fixtureKeys();
const dir = join(SHARED_DIR, 'vectors', 'kyverno', 'policies');

function policyText(file: string): string {
  let text = readFileSync(join(dir, file), 'utf8');
  for (const [name, body] of Object.entries(keys)) text = text.replaceAll(name, body);
  return text;
}

/** Kyverno's YAML folds long messages and may quote them; compare on one line without quotes. */
const unfold = (message: string) => message.replace(/\n\s+/g, ' ').replaceAll('"', '').replaceAll("'", '');

function checkMessage(actual: string, expected: Any): void {
  if (expected.message !== undefined) expect(actual).toBe(expected.message);
  if (expected.messagePrefix !== undefined)
    expect(actual.startsWith(expected.messagePrefix), actual).toBe(true);
  for (const part of expected.messageContains ?? []) expect(actual).toContain(part);
}

describe('Kyverno admission vectors', () => {
  it.each(vectors.cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const backend = fixtureBackend(vectors.registryFixture, keys, c.registryOverrides);
    const engine = new PolicyEngine(loadPolicies(policyText(c.policy)), { backend, cache: false });
    const decision = await engine.evaluate(c.resource, {
      operation: c.operation,
      ...(c.oldResource === undefined ? {} : { oldResource: c.oldResource }),
    });
    const verify = decision.results.filter((r) => r.phase === 'verify');
    const validate = decision.results.filter((r) => r.phase === 'validate');
    const e = c.expected;

    for (const img of e.perImage ?? []) {
      if (img.normalized !== undefined) expect(kyvernoImageString(img.image)).toBe(img.normalized);
      const mine = verify.filter(
        (r: RuleResult) => r.rule === img.rule && (img.image === undefined || r.image === img.image),
      );
      if (img.selected === false || img.mutatePhase?.status === 'none') {
        expect(mine, `${img.rule} ${img.image}`).toEqual([]);
        continue;
      }
      if (img.mutatePhase !== undefined) {
        expect(mine.map((r) => r.status)).toContain(img.mutatePhase.status);
        const match = mine.find((r) => r.status === img.mutatePhase.status) as RuleResult;
        checkMessage(match.message, img.mutatePhase);
      }
      if (img.validatePhase !== undefined) {
        const rule = validate.find((r) => r.rule === img.rule);
        expect(rule?.status, `validate ${img.rule}`).toBe(img.validatePhase.status);
        if (img.validatePhase.message !== undefined) checkMessage(rule?.message ?? '', img.validatePhase);
      }
    }
    if (e.ruleResponses !== undefined) expect(decision.results).toEqual(e.ruleResponses);
    for (const expected of [
      ...(e.validatePhaseRuleResult === undefined ? [] : [e.validatePhaseRuleResult]),
      ...(e.validatePhaseRuleResults ?? []),
    ]) {
      const rule = validate.find((r) => r.rule === expected.rule);
      expect(rule?.status, `validate ${expected.rule}`).toBe(expected.status);
      if (expected.message !== undefined) expect(rule?.message).toBe(expected.message);
    }

    const admission = e.admission;
    expect(decision.allowed, decision.message).toBe(admission.allowed);
    if (admission.patches !== undefined) {
      const isImage = (p: Any) => p.op === 'replace';
      expect(decision.patches.filter((p) => !isImage(p))).toEqual(
        admission.patches.filter((p: Any) => !isImage(p)),
      );
      const sortByPath = (list: Any[]) => [...list].sort((a, b) => a.path.localeCompare(b.path));
      expect(sortByPath(decision.patches.filter(isImage))).toEqual(
        sortByPath(admission.patches.filter(isImage)),
      );
      // Annotation operations come before image operations.
      const firstImage = decision.patches.findIndex(isImage);
      if (firstImage >= 0) expect(decision.patches.slice(firstImage).every(isImage)).toBe(true);
    }
    for (const patch of admission.patchesContain ?? []) expect(decision.patches).toContainEqual(patch);
    if (admission.warnings !== undefined) expect(decision.warnings).toEqual(admission.warnings);
    for (const part of admission.denyMessageContains ?? [])
      expect(unfold(decision.message ?? '')).toContain(part);
    if (!admission.allowed) expect(decision.patches).toEqual([]);
  });

  it('never contacts an attestor entry after the count is reached (p03-c1)', async () => {
    const c = vectors.cases.find((x) => x.id === 'p03-c1') as Case;
    const backend = fixtureBackend(vectors.registryFixture, keys);
    const engine = new PolicyEngine(loadPolicies(policyText(c.policy)), { backend, cache: false });
    await engine.evaluate(c.resource);
    expect(backend.calls).toEqual(['signatures ghcr.io/acme/q/ab:1', 'signatures ghcr.io/acme/q/ab:1']);
  });

  it('makes no registry call on UPDATE when the image did not change and was verified (p05-c6)', async () => {
    const c = vectors.cases.find((x) => x.id === 'p05-c6') as Case;
    const backend = fixtureBackend(vectors.registryFixture, keys);
    const engine = new PolicyEngine(loadPolicies(policyText(c.policy)), { backend, cache: false });
    await engine.evaluate(c.resource, {
      operation: 'UPDATE',
      oldResource: c.oldResource as Record<string, unknown>,
    });
    expect(backend.calls).toEqual([]);
  });
});
