/**
 * Kyverno's mutating webhook for `verifyImages`: verify every (rule, entry, image) the policies
 * select — concurrently, deduplicated within the request (single-flight by cache key) and shared
 * across requests through the `VerificationCache` — then record results, `mutateDigest` pins,
 * warnings and `kyverno.io/verify-images` metadata in Kyverno's order (rule, entry, image).
 * It deliberately does not decide admission or check `verifyDigest`/`required`: the validate phase
 * (validate-phase.ts) does, on the object this phase mutated.
 */

import { entryFingerprint } from '../common/entry-fingerprint.js';
import { valueAtPointer } from '../common/json-pointer.js';
import { oneLineMessage } from '../common/json-value.js';
import type { CachedOutcome } from '../common/verification-cache.js';
import { checkEntry, credentialsFor } from './attestor-checks.js';
import {
  digestForm,
  type EngineContext,
  type Evaluation,
  hasChecks,
  pullSecretsOf,
  ruleImages,
  ruleResult,
  type SelectedImage,
  selects,
  tagForm,
} from './evaluation.js';
import { type RuleInstance, targetOf } from './rule-instances.js';
import type { ImageVerification } from './types.js';
import { policyScope, VerifyImagesMetadata } from './verify-metadata.js';

/** Why an image whose verification outlived the request's deadline (or abort) gets `error`. */
const DEADLINE_PASSED = 'the verification deadline passed before the registry answered';

/** A (rule, entry, image) whose verification is under way (or not needed on UPDATE). */
interface Planned {
  readonly instance: RuleInstance;
  readonly entry: ImageVerification;
  readonly image: SelectedImage;
  readonly outcome: Promise<CachedOutcome | undefined> | 'unchanged';
}

/**
 * Kyverno's mutating webhook: start every verification at once (deduplicated), then assemble
 * results, digest pins and verify-images metadata into `state` in Kyverno's order (rule, entry,
 * image).
 */
export async function verifyPhase(
  context: EngineContext,
  state: Evaluation,
  instances: readonly RuleInstance[],
): Promise<void> {
  const oldMetadata =
    state.oldObject !== undefined && !context.strict
      ? VerifyImagesMetadata.parseScoped(targetOf(state.oldObject).annotations)
      : undefined;
  const planned: Planned[] = [];
  for (const instance of instances) {
    const { images, invalid } = ruleImages(context, state.object, instance.rule);
    if (invalid !== undefined) {
      state.involved.add(instance.policy);
      state.results.push(ruleResult(instance, 'verify', 'error', invalid));
      continue;
    }
    const notEvaluated = state.notEvaluated.get(instance);
    if (notEvaluated !== undefined) {
      // Deciding without these could admit what Kyverno denies: an error for what the rule would verify.
      const verified = images.filter((img) =>
        instance.rule.verifyImages.some(
          (e) => selects(context, e.imageReferences, img) && !selects(context, e.skipImageReferences, img),
        ),
      );
      if (verified.length > 0) state.involved.add(instance.policy);
      for (const image of verified)
        state.results.push(
          ruleResult(
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
      instance.rule.verifyImages.some((e) => selects(context, e.imageReferences, img)),
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
          outcome: unchanged ? 'unchanged' : outcome(context, instance, entry, index, image, state),
        });
        if (!unchanged && entry.mutateDigest && image.info.digest === undefined && !hasChecks(entry))
          resolveDigest(context, state, image, entry);
      }
    }
  }
  for (const item of planned) await record(context, state, item);
}

/** The digest a tag points at, asked once per image per request. */
function resolveDigest(
  context: EngineContext,
  state: Evaluation,
  image: SelectedImage,
  entry: ImageVerification,
): Promise<string> {
  let pending = state.digests.get(image.normalized);
  if (pending === undefined) {
    // A backend that throws instead of rejecting must not escape evaluate().
    const credentials = credentialsFor(entry, pullSecretsOf(state, image));
    pending = Promise.resolve().then(() =>
      credentials === undefined
        ? context.backend.resolveDigest(image.normalized, state.signal)
        : context.backend.resolveDigest(image.normalized, state.signal, credentials),
    );
    pending.catch(() => {});
    state.digests.set(image.normalized, pending);
  }
  return pending;
}

/** One planned (rule, entry, image): its result, digest pin, warnings and metadata. */
async function record(
  context: EngineContext,
  state: Evaluation,
  { instance, entry, image, outcome: pending }: Planned,
): Promise<void> {
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
      const digest = outcome?.digest ?? (await resolveDigest(context, state, image, entry));
      state.imagePatches.push({
        op: 'replace',
        path: image.pointer,
        value: `${tagForm(image.info)}@${digest}`,
      });
      recordedImage = digestForm(image.info, digest);
      outcome ??= { status: 'pass', message: 'mutated image digest', digest };
    } catch (error) {
      state.results.push(
        ruleResult(instance, 'verify', 'error', `failed to update digest: ${oneLineMessage(error)}`, image),
      );
    }
  }
  if (outcome === undefined) return;
  state.results.push(ruleResult(instance, 'verify', outcome.status, outcome.message, image, outcome.digest));
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

/**
 * One entry's verdict for one image: a skip when the entry does not select it, else the
 * verification under its cache key — single-flight within the request, and through the shared
 * cache when the entry allows it.
 */
function outcome(
  context: EngineContext,
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
  if (!selects(context, entry.imageReferences, image)) return Promise.resolve(skip());
  if (selects(context, entry.skipImageReferences, image)) return Promise.resolve({ ...skip(), warn: true });
  // The entry's fingerprint: a cache shared with an engine rebuilt from a changed policy (a
  // rotated key under the same policy name) must not answer with the old policy's verdict.
  const key = `${policyScope(instance.policy)}|${instance.name}|${index}|${entryFingerprint(entry)}|${image.normalized}`;
  let pending = state.verifications.get(key);
  if (pending === undefined) {
    const pullSecrets = pullSecretsOf(state, image);
    const run = (signal: AbortSignal) => verify(context, entry, image, pullSecrets, signal);
    pending =
      context.cache !== undefined && entry.useCache
        ? context.cache
            // Shared across requests: it runs under its own signal, and this request's abort or
            // deadline ends only this request's wait.
            .run(key, run, state.signal)
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
        : run(state.signal);
    state.verifications.set(key, pending);
  }
  return pending;
}

async function verify(
  context: EngineContext,
  entry: ImageVerification,
  image: SelectedImage,
  pullSecrets: readonly string[],
  signal: AbortSignal,
): Promise<CachedOutcome> {
  try {
    return await checkEntry({
      backend: context.backend,
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
