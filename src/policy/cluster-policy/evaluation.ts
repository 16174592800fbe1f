/**
 * The state one `PolicyEngine.evaluate` call carries through Kyverno's two phases, and the helpers
 * both phases share: the engine's settings as one value, reading a rule's images from an object,
 * selecting images with Kyverno's glob (plus strict mode's tag form), and building a `RuleResult`.
 * It deliberately verifies, decides and patches nothing: verify-phase.ts and validate-phase.ts do,
 * and `PolicyEngine` owns the public API.
 */
import { InvalidArgumentError } from '../../errors/base.js';
import { InvalidReferenceError } from '../../errors/registry.js';
import type { VerificationBackend } from '../common/backend.js';
import type { JsonPatchOperation, RuleResult, RuleStatus } from '../common/decision.js';
import { type KyvernoImageInfo, type KyvernoImageOptions, kyvernoImageInfo } from '../common/image-string.js';
import type { Doc } from '../common/json-value.js';
import { type ResourceImage, resourceImages } from '../common/resource-images.js';
import type { CachedOutcome, VerificationCache } from '../common/verification-cache.js';
import { matchesAnyImagePattern } from '../common/wildcard.js';
import type { MatchTarget } from './resource-match.js';
import type { RuleInstance } from './rule-instances.js';
import type { ImageVerification, Policy, PolicyRule } from './types.js';
import type { VerifyImagesMetadata } from './verify-metadata.js';

/** The settings a `PolicyEngine` was constructed with, defaults applied, as both phases read them. */
export interface EngineContext {
  readonly backend: VerificationBackend;
  /** The shared verification cache; `undefined` when caching is off. */
  readonly cache: VerificationCache | undefined;
  readonly imageOptions: KyvernoImageOptions;
  readonly strict: boolean;
}

/** An image found in the object, with its Kyverno parse and normalized string. */
export interface SelectedImage extends ResourceImage {
  readonly info: KyvernoImageInfo;
  readonly normalized: string;
}

/** What one evaluation accumulates as it goes. */
export interface Evaluation {
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

const imageName = (info: KyvernoImageInfo) =>
  info.registry === '' ? info.path : `${info.registry}/${info.path}`;

/** The image as `name:tag` (`latest` when it names no tag). */
export const tagForm = (info: KyvernoImageInfo): string => `${imageName(info)}:${info.tag ?? 'latest'}`;

/** The image as `name@digest`. */
export const digestForm = (info: KyvernoImageInfo, digest: string): string => `${imageName(info)}@${digest}`;

/** The pod's pull secrets as `namespace/name`, as Kyverno reads them from the resource's namespace. */
export function pullSecretsOf(state: Evaluation, image: SelectedImage): string[] {
  return image.pullSecrets.map((name) => `${state.target.namespace}/${name}`);
}

/**
 * Whether a pattern list selects the image: Kyverno's glob on its normalized string, and in strict
 * mode also on the tag form of a `name:tag@digest` image.
 */
export function selects(context: EngineContext, patterns: readonly string[], image: SelectedImage): boolean {
  if (matchesAnyImagePattern(patterns, image.normalized)) return true;
  return (
    context.strict &&
    image.info.tag !== undefined &&
    image.info.digest !== undefined &&
    matchesAnyImagePattern(patterns, tagForm(image.info))
  );
}

/** The rule's images in the object, or the rule error Kyverno reports when they cannot be read. */
export function ruleImages(
  context: EngineContext,
  resource: Doc,
  rule: PolicyRule,
): { images: SelectedImage[]; invalid?: string } {
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
      const info = kyvernoImageInfo(image.image, context.imageOptions);
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

/** Whether an entry verifies anything (attestors or attestations), rather than only pinning digests. */
export function hasChecks(entry: ImageVerification): boolean {
  return entry.attestors.length > 0 || entry.attestations.length > 0;
}

/** One rule's result, in the shape `PolicyDecision.results` reports. */
export function ruleResult(
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
