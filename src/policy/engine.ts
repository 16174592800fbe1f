/**
 * `PolicyEngine`: evaluates Kubernetes objects against Kyverno `verifyImages` policies and returns
 * the decision Kyverno's two admission webhooks would reach together — the mutating phase
 * (verify signatures and attestations, pin digests, record `kyverno.io/verify-images`) and the
 * validating phase (`verifyDigest`, `required`) on the mutated object — with Kyverno's statuses,
 * messages, patches and blocking rules. Verifications run concurrently and are deduplicated within
 * a request; a shared `VerificationCache` carries results across requests.
 *
 * This file holds the public API, argument checks, rule applicability (match, preconditions,
 * unsupported features) and the order of the phases; the phases themselves live in
 * cluster-policy/verify-phase.ts and cluster-policy/validate-phase.ts, the option types in
 * engine-options.ts.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { throwIfAborted, untilAborted } from '../internal/abort.js';
import { isJsonObject, own } from '../internal/shape.js';
import { evaluateConditions } from './cluster-policy/conditions.js';
import { type EngineContext, type Evaluation, ruleResult } from './cluster-policy/evaluation.js';
import type { RequestContext } from './cluster-policy/resource-match.js';
import { applicableRules, type RuleInstance, targetOf } from './cluster-policy/rule-instances.js';
import type { Policy, PolicyRule } from './cluster-policy/types.js';
import { blocking, denied, validatePhase } from './cluster-policy/validate-phase.js';
import { VerifyImagesMetadata } from './cluster-policy/verify-metadata.js';
import { verifyPhase } from './cluster-policy/verify-phase.js';
import type { PolicyDecision } from './common/decision.js';
import { applyPatches } from './common/json-pointer.js';
import { type Doc, oneLineMessage } from './common/json-value.js';
import { registryBackend } from './common/registry-backend.js';
import { VerificationCache } from './common/verification-cache.js';
import type { EvaluateOptions, PolicyEngineOptions } from './engine-options.js';

export type { EvaluateOptions, PolicyEngineOptions } from './engine-options.js';

/**
 * Evaluates objects against Kyverno `verifyImages` policies: construct once with the policies and a
 * backend, then call {@link PolicyEngine.evaluate} per object.
 */
export class PolicyEngine {
  readonly #policies: readonly Policy[];
  readonly #context: EngineContext;

  constructor(policies: readonly Policy[], options: PolicyEngineOptions = {}) {
    if (!Array.isArray(policies))
      throw new InvalidArgumentError('PolicyEngine needs the array of policies loadPolicies returns');
    this.#policies = [...policies];
    this.#context = {
      backend: options.backend ?? registryBackend(),
      cache: options.cache === false ? undefined : (options.cache ?? new VerificationCache()),
      imageOptions: options.imageOptions ?? {},
      strict: options.strict === true,
    };
  }

  /** The policies this engine applies. */
  get policies(): readonly Policy[] {
    return this.#policies;
  }

  /** The verification cache, when enabled (for `stats()` and `clear()`). */
  get cache(): VerificationCache | undefined {
    return this.#context.cache;
  }

  /**
   * Evaluates one object (Pod, pod controller, or a kind the policies' `imageExtractors` cover)
   * and returns Kyverno's combined decision.
   */
  async evaluate(
    resource: Readonly<Record<string, unknown>>,
    options: EvaluateOptions = {},
  ): Promise<PolicyDecision> {
    if (!isJsonObject(resource))
      throw new InvalidArgumentError('PolicyEngine.evaluate needs a Kubernetes object (a JSON object)');
    const { deadlineMs } = options;
    if (
      deadlineMs !== undefined &&
      !(typeof deadlineMs === 'number' && deadlineMs >= 0 && deadlineMs <= 2 ** 31 - 1)
    )
      throw new InvalidArgumentError('deadlineMs must be a number of milliseconds (0 to 2147483647)');
    throwIfAborted(options.signal, 'the policy evaluation');
    const signals = [
      ...(options.signal === undefined ? [] : [options.signal]),
      ...(deadlineMs === undefined ? [] : [AbortSignal.timeout(deadlineMs)]),
    ];
    const signal =
      signals.length === 0
        ? new AbortController().signal
        : signals.length === 1
          ? (signals[0] as AbortSignal)
          : AbortSignal.any(signals);
    // The caller's abort ends the evaluation at once; the deadline only turns late images into errors.
    return untilAborted(
      this.#evaluate(resource as Doc, options, signal),
      options.signal,
      'the policy evaluation',
    );
  }

  async #evaluate(object: Doc, options: EvaluateOptions, signal: AbortSignal): Promise<PolicyDecision> {
    const oldObject = isJsonObject(options.oldResource) ? (options.oldResource as Doc) : undefined;
    const request: RequestContext = {
      operation: options.operation ?? 'CREATE',
      ...(options.namespaceLabels === undefined ? {} : { namespaceLabels: options.namespaceLabels }),
      ...(options.userInfo === undefined ? {} : { userInfo: options.userInfo }),
    };
    const state: Evaluation = {
      object,
      oldObject,
      target: targetOf(object),
      signal,
      results: [],
      warnings: [],
      involved: new Set(),
      metadata: new VerifyImagesMetadata(),
      imagePatches: [],
      verifications: new Map(),
      digests: new Map(),
      notEvaluated: new Map(),
    };
    const instances = this.#applicableRules(state, request, options);

    await verifyPhase(this.#context, state, instances);
    const blockedInVerify = blocking(state.results, state.involved);
    if (blockedInVerify.length > 0) return denied(state, blockedInVerify);

    const patches = [...state.metadata.patches(hasAnnotationsField(object)), ...state.imagePatches];
    validatePhase(this.#context, state, instances, applyPatches(object, patches));
    const blocked = blocking(state.results, state.involved);
    if (blocked.length > 0) return denied(state, blocked);
    return { allowed: true, patches, warnings: state.warnings, results: state.results };
  }

  /**
   * Rules that match the object, minus those whose `preconditions` fail (a skip) or break (an
   * error), whose namespaceSelector cannot be decided, or whose image extractors for this kind
   * cannot be evaluated (an error). Rules with other features ocisign does not evaluate stay, marked
   * in `state.notEvaluated`: the verify phase reports an error for each image they select.
   */
  #applicableRules(state: Evaluation, request: RequestContext, options: EvaluateOptions): RuleInstance[] {
    const context = {
      request: {
        object: state.object,
        oldObject: options.oldResource ?? null,
        operation: request.operation,
        namespace: state.target.namespace,
        userInfo: options.userInfo ?? {},
      },
    };
    const error = (instance: RuleInstance, message: string) => {
      state.involved.add(instance.policy);
      state.results.push(ruleResult(instance, 'verify', 'error', message));
      return false;
    };
    return applicableRules(this.#policies, state.target, request).filter((instance) => {
      if (instance.undecided !== undefined) return error(instance, instance.undecided);
      const features = instance.rule.unsupported;
      // Preconditions may read context variables: with context entries they cannot be evaluated.
      if (!features.some((f) => f.feature === 'context')) {
        const met = preconditionsMet(instance.rule, context);
        if (met !== true) {
          if (met !== false) return error(instance, `failed to evaluate preconditions: ${met.error}`);
          state.results.push(ruleResult(instance, 'verify', 'skip', 'preconditions not met'));
          return false;
        }
      }
      // Its images cannot be known, so every object the match selects is an error (fails closed).
      const extractors = features.filter((f) => f.feature === 'jmesPath' && f.kind === state.target.kind);
      if (extractors.length > 0)
        return error(
          instance,
          `not evaluated: ocisign does not support ${extractors.map((f) => f.path).join(', ')}`,
        );
      const perImage = features.filter((f) => f.feature !== 'jmesPath');
      if (perImage.length > 0) state.notEvaluated.set(instance, perImage.map((f) => f.path).join(', '));
      return true;
    });
  }
}

/**
 * A rule's `preconditions` (`{any, all}`, or the older list of conditions, all required) against
 * the admission request: `true`, `false`, or the reason they could not be evaluated.
 */
function preconditionsMet(rule: PolicyRule, context: unknown): boolean | { error: string } {
  const p = rule.preconditions;
  if (p === undefined || p === null) return true;
  try {
    return evaluateConditions(Array.isArray(p) ? [{ all: p }] : [p], context);
  } catch (error) {
    return { error: oneLineMessage(error) };
  }
}

function hasAnnotationsField(object: Doc): boolean {
  const metadata = own(object, 'metadata');
  const annotations = isJsonObject(metadata) ? own(metadata, 'annotations') : undefined;
  return isJsonObject(annotations) && Object.keys(annotations).length > 0;
}
