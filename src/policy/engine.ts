/**
 * `PolicyEngine`: evaluates Kubernetes objects against Kyverno `verifyImages` policies and returns
 * the decision Kyverno's two admission webhooks would reach together — the mutating phase
 * (verify signatures and attestations, pin digests, record `kyverno.io/verify-images`) and the
 * validating phase (`verifyDigest`, `required`) on the mutated object — with Kyverno's statuses,
 * messages, patches and blocking rules. Verifications run concurrently and are deduplicated within
 * a request; a shared `VerificationCache` carries results across requests.
 */
import { InvalidReferenceError } from '../errors/registry.js';
import { blockedMessage } from './admission-message.js';
import { checkEntry } from './attestor-checks.js';
import type { VerificationBackend } from './backend.js';
import { evaluateConditions } from './conditions.js';
import type { JsonPatchOperation, PolicyDecision, RuleResult, RuleStatus } from './decision.js';
import { type KyvernoImageInfo, type KyvernoImageOptions, kyvernoImageInfo } from './image-string.js';
import { registryBackend } from './registry-backend.js';
import { POD_SPEC_PATHS, type ResourceImage, resourceImages, valueAtPointer } from './resource-images.js';
import { type MatchTarget, podOnlyMatch, type RequestContext, ruleApplies } from './resource-match.js';
import type { FailureAction, ImageVerification, Policy, PolicyRule } from './types.js';
import { type CachedOutcome, VerificationCache } from './verification-cache.js';
import { policyScope, VerifyImagesMetadata } from './verify-metadata.js';
import { matchesAnyImagePattern } from './wildcard.js';

type Doc = Record<string, unknown>;
const isRecord = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringMap = (v: unknown): Record<string, string> =>
  isRecord(v)
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};

const AUTOGEN_ANNOTATION = 'pod-policies.kyverno.io/autogen-controllers';
const DEFAULT_AUTOGEN = [
  'DaemonSet',
  'Deployment',
  'Job',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
  'CronJob',
];

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

export interface EvaluateOptions {
  /** The admission operation. Default `CREATE`. */
  readonly operation?: RequestContext['operation'];
  /** The object before the change, for UPDATE (Kyverno skips images that did not change). */
  readonly oldResource?: Readonly<Record<string, unknown>>;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly userInfo?: RequestContext['userInfo'];
  /** Aborts registry work; images not verified by then get an `error` result. */
  readonly signal?: AbortSignal;
}

/** A rule as it applies to this object: its name may be the autogen one. */
interface RuleInstance {
  readonly policy: Policy;
  readonly rule: PolicyRule;
  readonly name: string;
  readonly action: FailureAction;
}

interface SelectedImage extends ResourceImage {
  readonly info: KyvernoImageInfo;
  readonly normalized: string;
}

const imageName = (info: KyvernoImageInfo) =>
  info.registry === '' ? info.path : `${info.registry}/${info.path}`;
const tagForm = (info: KyvernoImageInfo) => `${imageName(info)}:${info.tag ?? 'latest'}`;
const digestForm = (info: KyvernoImageInfo, digest: string) => `${imageName(info)}@${digest}`;

function targetOf(resource: Doc): MatchTarget {
  const metadata = isRecord(resource.metadata) ? resource.metadata : {};
  return {
    apiVersion: typeof resource.apiVersion === 'string' ? resource.apiVersion : '',
    kind: typeof resource.kind === 'string' ? resource.kind : '',
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : '',
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
  };
}

/** Kyverno's action for a rule: an entry's Enforce wins, then the first entry action, overrides, the spec. */
function ruleAction(policy: Policy, rule: PolicyRule, namespace: string): FailureAction {
  if (rule.verifyImages.some((e) => e.failureAction === 'Enforce')) return 'Enforce';
  const first = rule.verifyImages.find((e) => e.failureAction !== undefined)?.failureAction;
  if (first !== undefined) return first;
  const spec = isRecord(policy.raw.spec) ? policy.raw.spec : {};
  for (const o of Array.isArray(spec.validationFailureActionOverrides)
    ? spec.validationFailureActionOverrides
    : []) {
    if (!isRecord(o)) continue;
    const namespaces = Array.isArray(o.namespaces)
      ? o.namespaces.filter((n): n is string => typeof n === 'string')
      : [];
    if (namespaces.length > 0 && matchesAnyImagePattern(namespaces, namespace))
      return o.action === 'Enforce' || o.action === 'enforce' ? 'Enforce' : 'Audit';
  }
  return policy.validationFailureAction;
}

function autogenControllers(policy: Policy): readonly string[] {
  const value = policy.annotations[AUTOGEN_ANNOTATION];
  if (value === undefined) return DEFAULT_AUTOGEN;
  if (value.trim() === 'none') return [];
  return value.split(',').map((s) => s.trim());
}

function autogenName(rule: string, kind: string): string {
  return (kind === 'CronJob' ? `autogen-cronjob-${rule}` : `autogen-${rule}`).slice(0, 63);
}

function applyPatches(resource: Doc, patches: readonly JsonPatchOperation[]): Doc {
  const copy = structuredClone(resource);
  for (const patch of patches) {
    const keys = patch.path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop() as string;
    let node: unknown = copy;
    for (const k of keys) node = Array.isArray(node) ? node[Number(k)] : isRecord(node) ? node[k] : undefined;
    if (Array.isArray(node)) node[Number(last)] = structuredClone(patch.value);
    else if (isRecord(node)) node[last] = structuredClone(patch.value);
  }
  return copy;
}

export class PolicyEngine {
  readonly #policies: readonly Policy[];
  readonly #backend: VerificationBackend;
  readonly #cache: VerificationCache | undefined;
  readonly #imageOptions: KyvernoImageOptions;
  readonly #strict: boolean;

  constructor(policies: readonly Policy[], options: PolicyEngineOptions = {}) {
    this.#policies = policies;
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

  #rulesFor(target: MatchTarget, request: RequestContext): RuleInstance[] {
    const out: RuleInstance[] = [];
    for (const policy of this.#policies) {
      if (policy.kind === 'Policy' && policy.namespace !== undefined && policy.namespace !== target.namespace)
        continue;
      for (const rule of policy.rules) {
        if (rule.verifyImages.length === 0) continue;
        const action = ruleAction(policy, rule, target.namespace);
        if (ruleApplies(rule, target, request)) {
          out.push({ policy, rule, name: rule.name, action });
        } else if (
          target.kind !== 'Pod' &&
          POD_SPEC_PATHS[target.kind] !== undefined &&
          autogenControllers(policy).includes(target.kind) &&
          podOnlyMatch(rule.match) &&
          ruleApplies(rule, target, request, 'Pod')
        ) {
          out.push({ policy, rule, name: autogenName(rule.name, target.kind), action });
        }
      }
    }
    return out;
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

  #images(resource: Doc, rule: PolicyRule): { images: SelectedImage[]; invalid?: string } {
    const images: SelectedImage[] = [];
    for (const found of resourceImages(resource, rule.imageExtractors)) {
      try {
        const info = kyvernoImageInfo(found.image, this.#imageOptions);
        const normalized = info.digest !== undefined ? digestForm(info, info.digest) : tagForm(info);
        images.push({ ...found, info, normalized });
      } catch (error) {
        if (error instanceof InvalidReferenceError) return { images, invalid: error.message };
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
    const object = resource as Doc;
    const request: RequestContext = {
      operation: options.operation ?? 'CREATE',
      ...(options.namespaceLabels === undefined ? {} : { namespaceLabels: options.namespaceLabels }),
      ...(options.userInfo === undefined ? {} : { userInfo: options.userInfo }),
    };
    const signal = options.signal ?? new AbortController().signal;
    const target = targetOf(object);
    const results: RuleResult[] = [];
    const involved = new Set<Policy>();
    const instances = this.#rulesFor(target, request).filter((instance) => {
      const met = preconditionsMet(instance.rule, {
        request: {
          object,
          oldObject: options.oldResource ?? null,
          operation: request.operation,
          namespace: target.namespace,
          userInfo: options.userInfo ?? {},
        },
      });
      if (met === true) return true;
      if (met !== false) involved.add(instance.policy);
      results.push(
        met === false
          ? this.#result(instance, 'verify', 'skip', 'preconditions not met')
          : this.#result(instance, 'verify', 'error', `failed to evaluate preconditions: ${met.error}`),
      );
      return false;
    });
    const warnings: string[] = [];
    const metadata = new VerifyImagesMetadata();
    const imagePatches: JsonPatchOperation[] = [];
    const oldObject = options.oldResource as Doc | undefined;
    const oldMetadata =
      oldObject !== undefined && !this.#strict
        ? VerifyImagesMetadata.parseScoped(targetOf(oldObject).annotations)
        : undefined;
    const verifications = new Map<string, Promise<CachedOutcome>>();
    const digests = new Map<string, Promise<string>>();

    const resolveDigest = (image: SelectedImage): Promise<string> => {
      let p = digests.get(image.normalized);
      if (p === undefined) {
        // A backend that throws instead of rejecting must not escape evaluate().
        p = Promise.resolve().then(() => this.#backend.resolveDigest(image.normalized, signal));
        p.catch(() => {});
        digests.set(image.normalized, p);
      }
      return p;
    };

    // Verify phase, step 1: decide what to verify and start every verification at once.
    interface Planned {
      readonly instance: RuleInstance;
      readonly entry: ImageVerification;
      readonly index: number;
      readonly image: SelectedImage;
      readonly outcome: Promise<CachedOutcome | undefined> | 'unchanged';
    }
    const planned: Planned[] = [];
    for (const instance of instances) {
      const { images, invalid } = this.#images(object, instance.rule);
      if (invalid !== undefined) {
        involved.add(instance.policy);
        results.push(this.#result(instance, 'verify', 'error', `failed to load context: ${invalid}`));
        continue;
      }
      const selected = images.filter((img) =>
        instance.rule.verifyImages.some((e) => this.#selects(e.imageReferences, img)),
      );
      if (selected.length === 0) continue;
      involved.add(instance.policy);
      for (const [index, entry] of instance.rule.verifyImages.entries()) {
        for (const image of selected) {
          const scope = policyScope(instance.policy);
          const unchanged =
            oldObject !== undefined &&
            valueAtPointer(oldObject, image.pointer) === image.image &&
            ['pass', 'skip'].includes(oldMetadata?.status(scope, instance.name, image.normalized) ?? '');
          planned.push({
            instance,
            entry,
            index,
            image,
            outcome: unchanged
              ? 'unchanged'
              : this.#outcome(instance, entry, index, image, signal, verifications),
          });
          if (!unchanged && entry.mutateDigest && image.info.digest === undefined && !hasChecks(entry))
            resolveDigest(image);
        }
      }
    }

    // Step 2: assemble results, pins and metadata in Kyverno's order.
    for (const { instance, entry, image, outcome: pending } of planned) {
      const scope = policyScope(instance.policy);
      if (pending === 'unchanged') {
        // UPDATE with the image unchanged and already verified: recorded as pass, no rule response.
        metadata.addScoped(scope, instance.name, image.normalized, 'pass');
        continue;
      }
      let outcome = await pending;
      let recordedImage = image.normalized;
      if (outcome?.warn === true) {
        metadata.add(image.normalized, 'skip');
        warnings.push(`policy ${instance.policy.name}.${instance.name}: ${outcome.message}`);
      }
      if (
        entry.mutateDigest &&
        image.info.digest === undefined &&
        outcome?.status !== 'fail' &&
        outcome?.status !== 'error'
      ) {
        try {
          const digest = outcome?.digest ?? (await resolveDigest(image));
          imagePatches.push({
            op: 'replace',
            path: image.pointer,
            value: `${tagForm(image.info)}@${digest}`,
          });
          recordedImage = digestForm(image.info, digest);
          outcome ??= { status: 'pass', message: 'mutated image digest', digest };
        } catch (error) {
          results.push(
            this.#result(instance, 'verify', 'error', `failed to update digest: ${errorText(error)}`, image),
          );
        }
      }
      if (outcome === undefined) continue;
      results.push(this.#result(instance, 'verify', outcome.status, outcome.message, image, outcome.digest));
      if (instance.policy.emitWarning && outcome.status !== 'skip')
        warnings.push(`policy ${instance.policy.name}.${instance.name}: ${outcome.message}`);
      if (hasChecks(entry))
        metadata.addScoped(
          scope,
          instance.name,
          recordedImage,
          outcome.status === 'error' ? 'fail' : outcome.status,
        );
    }

    const blockedInVerify = this.#blocking(results, involved);
    if (blockedInVerify.length > 0)
      return {
        allowed: false,
        message: blockedMessage(target, blockedInVerify),
        patches: [],
        warnings,
        results,
      };

    const patches = [...metadata.patches(hasAnnotationsField(object)), ...imagePatches];
    const mutated = applyPatches(object, patches);

    // Validate phase: verifyDigest and required, on the mutated object.
    const recorded = this.#strict
      ? metadata
      : VerifyImagesMetadata.parseScoped(targetOf(mutated).annotations);
    for (const instance of instances) {
      const checks = instance.rule.verifyImages.filter((e) => e.verifyDigest || e.required);
      if (checks.length === 0) continue;
      const { images } = this.#images(mutated, instance.rule);
      const result = this.#validateRule(instance, checks, images, recorded);
      if (result !== undefined) results.push(result);
    }
    const blocked = this.#blocking(results, involved);
    if (blocked.length > 0)
      return { allowed: false, message: blockedMessage(target, blocked), patches: [], warnings, results };
    return { allowed: true, patches, warnings, results };
  }

  #outcome(
    instance: RuleInstance,
    entry: ImageVerification,
    index: number,
    image: SelectedImage,
    signal: AbortSignal,
    inRequest: Map<string, Promise<CachedOutcome>>,
  ): Promise<CachedOutcome | undefined> {
    if (!hasChecks(entry)) return Promise.resolve(undefined);
    const skip = (): CachedOutcome => ({
      status: 'skip',
      message: `skipping image reference image ${image.normalized}, policy ${instance.policy.name} ruleName ${instance.name}`,
    });
    if (!this.#selects(entry.imageReferences, image)) return Promise.resolve(skip());
    if (this.#selects(entry.skipImageReferences, image)) return Promise.resolve({ ...skip(), warn: true });
    const key = `${policyScope(instance.policy)}|${instance.name}|${index}|${image.normalized}`;
    let pending = inRequest.get(key);
    if (pending === undefined) {
      const verify = () => this.#verify(entry, image, signal);
      pending =
        this.#cache !== undefined && entry.useCache
          ? this.#cache
              .run(key, verify)
              .then(({ outcome, fromCache }) =>
                fromCache && outcome.status === 'pass'
                  ? { ...outcome, message: 'verified from cache' }
                  : outcome,
              )
          : verify();
      inRequest.set(key, pending);
    }
    return pending;
  }

  async #verify(entry: ImageVerification, image: SelectedImage, signal: AbortSignal): Promise<CachedOutcome> {
    try {
      return await checkEntry({ backend: this.#backend, entry, image: image.normalized, signal });
    } catch (error) {
      return {
        status: 'error',
        message: `failed to verify image ${image.normalized}: ${signal.aborted ? 'the verification deadline passed before the registry answered' : errorText(error)}`,
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
    return { error: errorText(error) };
  }
}

function hasChecks(entry: ImageVerification): boolean {
  return entry.attestors.length > 0 || entry.attestations.length > 0;
}

function hasAnnotationsField(object: Doc): boolean {
  return (
    isRecord(object.metadata) &&
    isRecord(object.metadata.annotations) &&
    Object.keys(object.metadata.annotations).length > 0
  );
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, '; ');
}
