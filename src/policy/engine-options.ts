/**
 * The option types of `PolicyEngine`: what the engine is constructed with
 * ({@link PolicyEngineOptions}) and what each `evaluate` call takes ({@link EvaluateOptions}).
 * Types only: defaults are applied and values validated by `PolicyEngine` itself, not here.
 */

import type { RequestContext } from './cluster-policy/resource-match.js';
import type { VerificationBackend } from './common/backend.js';
import type { KyvernoImageOptions } from './common/image-string.js';
import type { VerificationCache } from './common/verification-cache.js';

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
