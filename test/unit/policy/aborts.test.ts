/**
 * Aborts in the policy layer: the registry layer reports a caller's abort as AbortedError (ABORTED)
 * or OperationTimeoutError (TIMEOUT); the engine counts them, and a bare DOMException, as
 * connection-level (Kyverno's `error`). A caller's own abort of `evaluate` or
 * `handleAdmissionReview` rejects with the typed error (with `signal.reason` as cause); the
 * verification deadline (`deadlineMs`) is not an abort — it gives a decision with `error` results.
 */
import { describe, expect, it } from 'vitest';
import { AbortedError, OperationTimeoutError } from '../../../src/errors/index.js';
import {
  handleAdmissionReview,
  isConnectionError,
  loadPolicies,
  PolicyEngine,
  type VerificationBackend,
} from '../../../src/policy/index.js';
import { pod, verifyImagesPolicy } from '../../helpers/policy-yaml.js';

const yaml = verifyImagesPolicy({ entry: 'mutateDigest: false' });
const appPod = pod('ghcr.io/acme/app:1.0');

/** A backend that answers only when the signal fires, with the given error. */
const hanging = (errorFor: (signal: AbortSignal) => unknown): VerificationBackend => ({
  verifySignatures: (c) =>
    new Promise((_, reject) => c.signal.addEventListener('abort', () => reject(errorFor(c.signal)))),
  fetchAttestations: () => Promise.reject(new Error('unused')),
  resolveDigest: () => Promise.reject(new Error('unused')),
});

describe('isConnectionError', () => {
  it('counts the typed abort and timeout errors (and a DOMException, for safety) as connection-level', () => {
    expect(isConnectionError(new AbortedError('GET x was aborted'))).toBe(true);
    expect(isConnectionError(new OperationTimeoutError('GET x timed out'))).toBe(true);
    expect(isConnectionError(new Error('wrapped', { cause: new OperationTimeoutError('t') }))).toBe(true);
    expect(isConnectionError(new DOMException('aborted', 'AbortError'))).toBe(true);
    expect(isConnectionError(new DOMException('timed out', 'TimeoutError'))).toBe(true);
  });
});

describe('PolicyEngine.evaluate', () => {
  it('a typed abort from the registry layer is an error result, which fails closed', async () => {
    const backend = hanging(() => new OperationTimeoutError('GET https://ghcr.io/v2/ timed out'));
    const engine = new PolicyEngine(loadPolicies(yaml), { backend, cache: false });
    const d = await engine.evaluate(appPod, { deadlineMs: 50 });
    expect(d.allowed).toBe(false);
    expect(d.results[0]).toMatchObject({ status: 'error' });
    expect(d.results[0]?.message).toContain('deadline');
  });

  it("the caller's abort rejects with AbortedError, its timeout with OperationTimeoutError, reason as cause", async () => {
    const backend = hanging((s) => s.reason);
    const engine = new PolicyEngine(loadPolicies(yaml), { backend, cache: false });
    const controller = new AbortController();
    const reason = new Error('client went away');
    setTimeout(() => controller.abort(reason), 20);
    const aborted = engine.evaluate(appPod, { signal: controller.signal });
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED', cause: reason });
    const timedOut = engine.evaluate(appPod, { signal: AbortSignal.timeout(20) });
    await expect(timedOut).rejects.toBeInstanceOf(OperationTimeoutError);
    await expect(timedOut).rejects.toMatchObject({ code: 'TIMEOUT', cause: { name: 'TimeoutError' } });
  });

  it('an already-aborted signal rejects before any registry work', async () => {
    const calls: string[] = [];
    const backend: VerificationBackend = {
      ...hanging(() => undefined),
      verifySignatures: async () => {
        calls.push('verify');
        return { digest: 'sha256:x' };
      },
    };
    const engine = new PolicyEngine(loadPolicies(yaml), { backend, cache: false });
    await expect(engine.evaluate(appPod, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(calls).toEqual([]);
  });
});

describe('handleAdmissionReview', () => {
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: '7', operation: 'CREATE', namespace: 'default', object: appPod },
  };

  it("the caller's abort is a typed rejection; the deadline is a denial the API server can read", async () => {
    const engine = new PolicyEngine(loadPolicies(yaml), { backend: hanging((s) => s.reason), cache: false });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      handleAdmissionReview(engine, review, { signal: controller.signal, deadlineMs: 5000 }),
    ).rejects.toBeInstanceOf(AbortedError);
    const late = await handleAdmissionReview(engine, review, { deadlineMs: 50 });
    expect(late.response).toMatchObject({ uid: '7', allowed: false });
  });

  it('a namespace-label lookup interrupted by the caller is a typed rejection too', async () => {
    const engine = new PolicyEngine(loadPolicies(yaml), { backend: hanging((s) => s.reason), cache: false });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      handleAdmissionReview(engine, review, {
        signal: controller.signal,
        namespaceLabels: () => new Promise(() => {}),
      }),
    ).rejects.toBeInstanceOf(AbortedError);
  });
});
