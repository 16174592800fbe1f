/**
 * `PolicyEngine`: evaluates Kubernetes objects against Kyverno `verifyImages` policies and returns
 * the decision Kyverno's two admission webhooks would reach together — the mutating phase
 * (verify signatures and attestations, pin digests, record `kyverno.io/verify-images`) and the
 * validating phase (`verifyDigest`, `required`) on the mutated object — with Kyverno's statuses,
 * messages, patches and blocking rules. Verifications run concurrently and are deduplicated within
 * a request; a shared `VerificationCache` carries results across requests.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { InvalidReferenceError } from '../errors/registry.js';
import { throwIfAborted, untilAborted } from '../internal/abort.js';
import { isJsonObject, own } from '../internal/shape.js';
import { blockedMessage } from './admission-message.js';
import { checkEntry, credentialsFor } from './attestor-checks.js';
import type { VerificationBackend } from './backend.js';
import { evaluateConditions } from './conditions.js';
import type { JsonPatchOperation, PolicyDecision, RuleResult, RuleStatus } from './decision.js';
import { entryFingerprint } from './entry-fingerprint.js';
import { type KyvernoImageInfo, type KyvernoImageOptions, kyvernoImageInfo } from './image-string.js';
import { applyPatches, valueAtPointer } from './json-pointer.js';
import { type Doc, oneLineMessage } from './json-value.js';
import { registryBackend } from './registry-backend.js';
import { type ResourceImage, resourceImages } from './resource-images.js';
import type { MatchTarget, RequestContext } from './resource-match.js';
import { applicableRules, type RuleInstance, targetOf } from './rule-instances.js';
import type { ImageVerification, Policy, PolicyRule } from './types.js';
import { type CachedOutcome, VerificationCache } from './verification-cache.js';
import { policyScope, VerifyImagesMetadata } from './verify-metadata.js';
import { matchesAnyImagePattern } from './wildcard.js';

/** Why an image whose verification outlived the request's deadline (or abort) gets `error`. */
const DEADLINE_PASSED = 'the verification deadline passed before the registry answered';

/**
 * Options of {@link PolicyEngine}: the verification backend, the cache, image normalization
 * settings and strict mode.
 */
export interface PolicyEngineOptions {
  /**
   * Answers the verification questions (signatures, attestations, digests). Default:
   * `registryBackend()`, which talks to the registries the images name.
   */
  readonly backend?: VerificationBackend;
  /**
   * Results shared across evaluations (Kyverno's image verification cache). Default: a new
   * `VerificationCache` with Kyverno's size and TTL; `false` turns caching off (as Kyverno's CLI).
   */
  readonly cache?: VerificationCache | false;
  /** Kyverno's `defaultRegistry` / `enableDefaultRegistryMutation` settings. */
  readonly imageOptions?: KyvernoImageOptions;
  /**
   * Close two Kyverno traps (default false, Kyverno's verdicts):
   * - a `kyverno.io/verify-images-scoped` annotation already on the object (or its old version)
   *   is never trusted — only this evaluation's results satisfy `required`;
   * - an image written as `name:tag@digest` is matched against patterns in its tag form as well,
   *   so adding a digest cannot slip an image past a `name:*` pattern.
   */
  readonly strict?: boolean;
}

/**
 * The admission request around an object: operation, old object, namespace labels, user, and an
 * abort signal.
 */
export interface EvaluateOptions {
  /** The admission operation. Default `CREATE`. */
  readonly operation?: RequestContext['operation'];
  /** The object before the change, for UPDATE (Kyverno skips images that did not change). */
  readonly oldResource?: Readonly<Record<string, unknown>>;
  /**
   * Labels of the object's namespace, for `namespaceSelector`. Without them a rule whose
   * selector would decide whether it applies reports an `error`, and an override whose selector
   * would decide the action makes it Enforce (never a silent "does not apply").
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly userInfo?: RequestContext['userInfo'];
  /**
   * The verification deadline, in milliseconds (Kyverno's webhook timeout): images not verified by
   * then get an `error` result, and the decision is still returned. Default: none.
   */
  readonly deadlineMs?: number;
  /**
   * The caller's abort: `evaluate` stops and rejects with `AbortedError` (or
   * `OperationTimeoutError` for `AbortSignal.timeout`), `signal.reason` as the cause. Use
   * `deadlineMs` for a deadline that must still produce a decision.
   */
  readonly signal?: AbortSignal;
}

interface SelectedImage extends ResourceImage {
  readonly info: KyvernoImageInfo;
  readonly normalized: string;
}

/** What one evaluation accumulates as it goes. */
interface Evaluation {
  readonly object: Doc;
  readonly oldObject: Doc | undefined;
  readonly target: MatchTarget;
  readonly signal: AbortSignal;
  readonly results: RuleResult[];
  readonly warnings: string[];
  /** Policies with a rule that applied: their failurePolicy decides whether errors block. */
  readonly involved: Set<Policy>;
  readonly metadata: VerifyImagesMetadata;
  readonly imagePatches: JsonPatchOperation[];
  /** In-request deduplication: one verification per (rule entry, image), one digest per image. */
  readonly verifications: Map<string, Promise<CachedOutcome>>;
  readonly digests: Map<string, Promise<string>>;
  /** Rules with features ocisign does not evaluate, and which: an error for each image they select. */
  readonly notEvaluated: Map<RuleInstance, string>;
}

/** A (rule, entry, image) whose verification is under way (or not needed on UPDATE). */
interface Planned {
  readonly instance: RuleInstance;
  readonly entry: ImageVerification;
  readonly image: SelectedImage;
  readonly outcome: Promise<CachedOutcome | undefined> | 'unchanged';
}

/** The pod's pull secrets as `namespace/name`, as Kyverno reads them from the resource's namespace. */
function pullSecretsOf(state: Evaluation, image: SelectedImage): string[] {
  return image.pullSecrets.map((name) => `${state.target.namespace}/${name}`);
}

function denied(state: Evaluation, blocking: readonly RuleResult[]): PolicyDecision {
  return {
    allowed: false,
    message: blockedMessage(state.target, blocking),
    patches: [],
    warnings: state.warnings,
    results: state.results,
  };
}

const imageName = (info: KyvernoImageInfo) =>
  info.registry === '' ? info.path : `${info.registry}/${info.path}`;
const tagForm = (info: KyvernoImageInfo) => `${imageName(info)}:${info.tag ?? 'latest'}`;
const digestForm = (info: KyvernoImageInfo, digest: string) => `${imageName(info)}@${digest}`;

/**
 * Evaluates objects against Kyverno `verifyImages` policies: construct once with the policies and a
 * backend, then call {@link PolicyEngine.evaluate} per object.
 */
export class PolicyEngine {
  readonly #policies: readonly Policy[];
  readonly #backend: VerificationBackend;
  readonly #cache: VerificationCache | undefined;
  readonly #imageOptions: KyvernoImageOptions;
  readonly #strict: boolean;

  constructor(policies: readonly Policy[], options: PolicyEngineOptions = {}) {
    if (!Array.isArray(policies))
      throw new InvalidArgumentError('PolicyEngine needs the array of policies loadPolicies returns');
    this.#policies = [...policies];
    this.#backend = options.backend ?? registryBackend();
    this.#cache = options.cache === false ? undefined : (options.cache ?? new VerificationCache());
    this.#imageOptions = options.imageOptions ?? {};
    this.#strict = options.strict === true;
  }

  /** The policies this engine applies. */
  get policies(): readonly Policy[] {
    return this.#policies;
  }

  /** The verification cache, when enabled (for `stats()` and `clear()`). */
  get cache(): VerificationCache | undefined {
    return this.#cache;
  }

  #selects(patterns: readonly string[], image: SelectedImage): boolean {
    if (matchesAnyImagePattern(patterns, image.normalized)) return true;
    return (
      this.#strict &&
      image.info.tag !== undefined &&
      image.info.digest !== undefined &&
      matchesAnyImagePattern(patterns, tagForm(image.info))
    );
  }

  /** The rule's images in the object, or the rule error Kyverno reports when they cannot be read. */
  #images(resource: Doc, rule: PolicyRule): { images: SelectedImage[]; invalid?: string } {
    let found: ResourceImage[];
    try {
      found = resourceImages(resource, rule.imageExtractors);
    } catch (error) {
      if (error instanceof InvalidArgumentError)
        return { images: [], invalid: `failed to extract images: ${error.message}` };
      throw error;
    }
    const images: SelectedImage[] = [];
    for (const image of found) {
      try {
        const info = kyvernoImageInfo(image.image, this.#imageOptions);
        const normalized = info.digest !== undefined ? digestForm(info, info.digest) : tagForm(info);
        images.push({ ...image, info, normalized });
      } catch (error) {
        if (error instanceof InvalidReferenceError)
          return { images, invalid: `failed to load context: ${error.message}` };
        throw error;
      }
    }
    return { images };
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

    await this.#verifyPhase(state, instances);
    const blockedInVerify = this.#blocking(state.results, state.involved);
    if (blockedInVerify.length > 0) return denied(state, blockedInVerify);

    const patches = [...state.metadata.patches(hasAnnotationsField(object)), ...state.imagePatches];
    this.#validatePhase(state, instances, applyPatches(object, patches));
    const blocked = this.#blocking(state.results, state.involved);
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
      state.results.push(this.#result(instance, 'verify', 'error', message));
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
          state.results.push(this.#result(instance, 'verify', 'skip', 'preconditions not met'));
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

  /** The digest a tag points at, asked once per image per request. */
  #resolveDigest(state: Evaluation, image: SelectedImage, entry: ImageVerification): Promise<string> {
    let pending = state.digests.get(image.normalized);
    if (pending === undefined) {
      // A backend that throws instead of rejecting must not escape evaluate().
      const credentials = credentialsFor(entry, pullSecretsOf(state, image));
      pending = Promise.resolve().then(() =>
        credentials === undefined
          ? this.#backend.resolveDigest(image.normalized, state.signal)
          : this.#backend.resolveDigest(image.normalized, state.signal, credentials),
      );
      pending.catch(() => {});
      state.digests.set(image.normalized, pending);
    }
    return pending;
  }

  /**
   * Kyverno's mutating webhook: start every verification at once (deduplicated), then assemble
   * results, digest pins and verify-images metadata in Kyverno's order (rule, entry, image).
   */
  async #verifyPhase(state: Evaluation, instances: readonly RuleInstance[]): Promise<void> {
    const oldMetadata =
      state.oldObject !== undefined && !this.#strict
        ? VerifyImagesMetadata.parseScoped(targetOf(state.oldObject).annotations)
        : undefined;
    const planned: Planned[] = [];
    for (const instance of instances) {
      const { images, invalid } = this.#images(state.object, instance.rule);
      if (invalid !== undefined) {
        state.involved.add(instance.policy);
        state.results.push(this.#result(instance, 'verify', 'error', invalid));
        continue;
      }
      const notEvaluated = state.notEvaluated.get(instance);
      if (notEvaluated !== undefined) {
        // Deciding without these could admit what Kyverno denies: an error for what the rule would verify.
        const verified = images.filter((img) =>
          instance.rule.verifyImages.some(
            (e) => this.#selects(e.imageReferences, img) && !this.#selects(e.skipImageReferences, img),
          ),
        );
        if (verified.length > 0) state.involved.add(instance.policy);
        for (const image of verified)
          state.results.push(
            this.#result(
              instance,
              'verify',
              'error',
              `not evaluated: ocisign does not support ${notEvaluated}`,
              image,
            ),
          );
        continue;
      }
      const selected = images.filter((img) =>
        instance.rule.verifyImages.some((e) => this.#selects(e.imageReferences, img)),
      );
      if (selected.length === 0) continue;
      state.involved.add(instance.policy);
      const scope = policyScope(instance.policy);
      for (const [index, entry] of instance.rule.verifyImages.entries()) {
        for (const image of selected) {
          // UPDATE with the image unchanged and already verified: no verification, as in Kyverno.
          const unchanged =
            state.oldObject !== undefined &&
            valueAtPointer(state.oldObject, image.pointer) === image.image &&
            ['pass', 'skip'].includes(oldMetadata?.status(scope, instance.name, image.normalized) ?? '');
          planned.push({
            instance,
            entry,
            image,
            outcome: unchanged ? 'unchanged' : this.#outcome(instance, entry, index, image, state),
          });
          if (!unchanged && entry.mutateDigest && image.info.digest === undefined && !hasChecks(entry))
            this.#resolveDigest(state, image, entry);
        }
      }
    }
    for (const item of planned) await this.#record(state, item);
  }

  /** One planned (rule, entry, image): its result, digest pin, warnings and metadata. */
  async #record(state: Evaluation, { instance, entry, image, outcome: pending }: Planned): Promise<void> {
    const scope = policyScope(instance.policy);
    if (pending === 'unchanged') {
      state.metadata.addScoped(scope, instance.name, image.normalized, 'pass');
      return;
    }
    let outcome = await pending;
    let recordedImage = image.normalized;
    if (outcome?.warn === true) {
      state.metadata.add(image.normalized, 'skip');
      state.warnings.push(`policy ${instance.policy.name}.${instance.name}: ${outcome.message}`);
    }
    // mutateDigest pins whatever the result, except after a fail or error (the request is denied).
    if (
      entry.mutateDigest &&
      image.info.digest === undefined &&
      outcome?.status !== 'fail' &&
      outcome?.status !== 'error'
    ) {
      try {
        const digest = outcome?.digest ?? (await this.#resolveDigest(state, image, entry));
        state.imagePatches.push({
          op: 'replace',
          path: image.pointer,
          value: `${tagForm(image.info)}@${digest}`,
        });
        recordedImage = digestForm(image.info, digest);
        outcome ??= { status: 'pass', message: 'mutated image digest', digest };
      } catch (error) {
        state.results.push(
          this.#result(
            instance,
            'verify',
            'error',
            `failed to update digest: ${oneLineMessage(error)}`,
            image,
          ),
        );
      }
    }
    if (outcome === undefined) return;
    state.results.push(
      this.#result(instance, 'verify', outcome.status, outcome.message, image, outcome.digest),
    );
    if (instance.policy.emitWarning && outcome.status !== 'skip')
      state.warnings.push(`policy ${instance.policy.name}.${instance.name}: ${outcome.message}`);
    if (hasChecks(entry))
      state.metadata.addScoped(
        scope,
        instance.name,
        recordedImage,
        outcome.status === 'error' ? 'fail' : outcome.status,
      );
  }

  /** Kyverno's validating webhook: `verifyDigest` and `required` on the mutated object. */
  #validatePhase(state: Evaluation, instances: readonly RuleInstance[], mutated: Doc): void {
    const recorded = this.#strict
      ? state.metadata
      : VerifyImagesMetadata.parseScoped(targetOf(mutated).annotations);
    for (const instance of instances) {
      if (state.notEvaluated.has(instance)) continue;
      const checks = instance.rule.verifyImages.filter((e) => e.verifyDigest || e.required);
      if (checks.length === 0) continue;
      const { images } = this.#images(mutated, instance.rule);
      const result = this.#validateRule(instance, checks, images, recorded);
      if (result !== undefined) state.results.push(result);
    }
  }

  #outcome(
    instance: RuleInstance,
    entry: ImageVerification,
    index: number,
    image: SelectedImage,
    state: Evaluation,
  ): Promise<CachedOutcome | undefined> {
    if (!hasChecks(entry)) return Promise.resolve(undefined);
    const skip = (): CachedOutcome => ({
      status: 'skip',
      message: `skipping image reference image ${image.normalized}, policy ${instance.policy.name} ruleName ${instance.name}`,
    });
    if (!this.#selects(entry.imageReferences, image)) return Promise.resolve(skip());
    if (this.#selects(entry.skipImageReferences, image)) return Promise.resolve({ ...skip(), warn: true });
    // The entry's fingerprint: a cache shared with an engine rebuilt from a changed policy (a
    // rotated key under the same policy name) must not answer with the old policy's verdict.
    const key = `${policyScope(instance.policy)}|${instance.name}|${index}|${entryFingerprint(entry)}|${image.normalized}`;
    let pending = state.verifications.get(key);
    if (pending === undefined) {
      const pullSecrets = pullSecretsOf(state, image);
      const verify = (signal: AbortSignal) => this.#verify(entry, image, pullSecrets, signal);
      pending =
        this.#cache !== undefined && entry.useCache
          ? this.#cache
              // Shared across requests: it runs under its own signal, and this request's abort or
              // deadline ends only this request's wait.
              .run(key, verify, state.signal)
              .then(
                ({ outcome, fromCache }) =>
                  fromCache && outcome.status === 'pass'
                    ? { ...outcome, message: 'verified from cache' }
                    : outcome,
                (): CachedOutcome => ({
                  status: 'error',
                  message: `failed to verify image ${image.normalized}: ${DEADLINE_PASSED}`,
                }),
              )
          : verify(state.signal);
      state.verifications.set(key, pending);
    }
    return pending;
  }

  async #verify(
    entry: ImageVerification,
    image: SelectedImage,
    pullSecrets: readonly string[],
    signal: AbortSignal,
  ): Promise<CachedOutcome> {
    try {
      return await checkEntry({
        backend: this.#backend,
        entry,
        image: image.normalized,
        pullSecrets,
        signal,
      });
    } catch (error) {
      return {
        status: 'error',
        message: `failed to verify image ${image.normalized}: ${signal.aborted ? DEADLINE_PASSED : oneLineMessage(error)}`,
      };
    }
  }

  #validateRule(
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
        if (!this.#selects(entry.imageReferences, image)) continue;
        considered++;
        if (entry.verifyDigest && image.info.digest === undefined)
          return this.#result(instance, 'validate', 'fail', `missing digest for ${image.normalized}`, image);
        if (entry.required) {
          const status = recorded.status(scope, instance.name, image.normalized);
          if (status !== 'pass' && status !== 'skip')
            return this.#result(instance, 'validate', 'fail', `unverified image ${image.normalized}`, image);
          if (status === 'skip') skipped.push(image.normalized);
        }
      }
    }
    if (considered === 0) return undefined;
    if (skipped.length > 0 && skipped.length === considered)
      return this.#result(
        instance,
        'validate',
        'skip',
        `image skipped, skipped images: ${skipped.join(', ')}`,
      );
    return this.#result(
      instance,
      'validate',
      'pass',
      skipped.length > 0 ? `image verified, skipped images: ${skipped.join(', ')}` : 'image verified',
    );
  }

  /** Results that block admission: a fail whose rule enforces, or an error when a policy fails closed. */
  #blocking(results: readonly RuleResult[], involved: ReadonlySet<Policy>): RuleResult[] {
    const failClosed = [...involved].some((p) => p.failurePolicy === 'Fail');
    return results.filter(
      (r) => (r.status === 'fail' && r.action === 'Enforce') || (r.status === 'error' && failClosed),
    );
  }

  #result(
    instance: RuleInstance,
    phase: RuleResult['phase'],
    status: RuleStatus,
    message: string,
    image?: SelectedImage,
    digest?: string,
  ): RuleResult {
    return {
      policy: instance.policy.name,
      rule: instance.name,
      phase,
      status,
      message,
      action: instance.action,
      ...(image === undefined
        ? {}
        : { image: image.image, normalized: image.normalized, pointer: image.pointer }),
      ...(digest === undefined ? {} : { digest }),
    };
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

function hasChecks(entry: ImageVerification): boolean {
  return entry.attestors.length > 0 || entry.attestations.length > 0;
}

function hasAnnotationsField(object: Doc): boolean {
  const metadata = own(object, 'metadata');
  const annotations = isJsonObject(metadata) ? own(metadata, 'annotations') : undefined;
  return isJsonObject(annotations) && Object.keys(annotations).length > 0;
}
