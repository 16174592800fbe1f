/**
 * Kyverno's validating webhook for `verifyImages`: `verifyDigest` and `required` checked on the
 * mutated object, and the folding of every rule result into admission — which results block, and
 * the denied decision. It deliberately verifies nothing and talks to no registry: it reads only the
 * results and `kyverno.io/verify-images` metadata the verify phase (verify-phase.ts) left behind.
 */
import { blockedMessage } from '../common/admission-message.js';
import type { PolicyDecision, RuleResult } from '../common/decision.js';
import type { Doc } from '../common/json-value.js';
import {
  type EngineContext,
  type Evaluation,
  ruleImages,
  ruleResult,
  type SelectedImage,
  selects,
} from './evaluation.js';
import { type RuleInstance, targetOf } from './rule-instances.js';
import type { ImageVerification, Policy } from './types.js';
import { policyScope, VerifyImagesMetadata } from './verify-metadata.js';

/**
 * Kyverno's validating webhook: `verifyDigest` and `required` on the mutated object, each rule's
 * result appended to `state.results`.
 */
export function validatePhase(
  context: EngineContext,
  state: Evaluation,
  instances: readonly RuleInstance[],
  mutated: Doc,
): void {
  const recorded = context.strict
    ? state.metadata
    : VerifyImagesMetadata.parseScoped(targetOf(mutated).annotations);
  for (const instance of instances) {
    if (state.notEvaluated.has(instance)) continue;
    const checks = instance.rule.verifyImages.filter((e) => e.verifyDigest || e.required);
    if (checks.length === 0) continue;
    const { images } = ruleImages(context, mutated, instance.rule);
    const result = validateRule(context, instance, checks, images, recorded);
    if (result !== undefined) state.results.push(result);
  }
}

function validateRule(
  context: EngineContext,
  instance: RuleInstance,
  entries: readonly ImageVerification[],
  images: readonly SelectedImage[],
  recorded: VerifyImagesMetadata,
): RuleResult | undefined {
  const scope = policyScope(instance.policy);
  const skipped: string[] = [];
  let considered = 0;
  for (const entry of entries) {
    for (const image of images) {
      if (!selects(context, entry.imageReferences, image)) continue;
      considered++;
      if (entry.verifyDigest && image.info.digest === undefined)
        return ruleResult(instance, 'validate', 'fail', `missing digest for ${image.normalized}`, image);
      if (entry.required) {
        const status = recorded.status(scope, instance.name, image.normalized);
        if (status !== 'pass' && status !== 'skip')
          return ruleResult(instance, 'validate', 'fail', `unverified image ${image.normalized}`, image);
        if (status === 'skip') skipped.push(image.normalized);
      }
    }
  }
  if (considered === 0) return undefined;
  if (skipped.length > 0 && skipped.length === considered)
    return ruleResult(instance, 'validate', 'skip', `image skipped, skipped images: ${skipped.join(', ')}`);
  return ruleResult(
    instance,
    'validate',
    'pass',
    skipped.length > 0 ? `image verified, skipped images: ${skipped.join(', ')}` : 'image verified',
  );
}

/** Results that block admission: a fail whose rule enforces, or an error when a policy fails closed. */
export function blocking(results: readonly RuleResult[], involved: ReadonlySet<Policy>): RuleResult[] {
  const failClosed = [...involved].some((p) => p.failurePolicy === 'Fail');
  return results.filter(
    (r) => (r.status === 'fail' && r.action === 'Enforce') || (r.status === 'error' && failClosed),
  );
}

/** The denied decision: Kyverno's blocked message for the blocking results, no patches. */
export function denied(state: Evaluation, blockingResults: readonly RuleResult[]): PolicyDecision {
  return {
    allowed: false,
    message: blockedMessage(state.target, blockingResults),
    patches: [],
    warnings: state.warnings,
    results: state.results,
  };
}
