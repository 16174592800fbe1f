/**
 * The shared verification cache across engines and requests: a cached verdict is keyed by what the
 * verifyImages entry checks (a rebuilt engine with another key verifies again), and a verification
 * shared by concurrent requests runs under its own signal, so one request's abort or deadline is
 * never another request's error.
 */
import { describe, expect, it } from 'vitest';
import {
  loadPolicies,
  PolicyEngine,
  type VerificationBackend,
  VerificationCache,
} from '../../../src/policy/index.js';
import { pod, verifyImagesPolicy } from '../../helpers/policy-yaml.js';

const digest = `sha256:${'a'.repeat(64)}`;
const appPod = pod('ghcr.io/acme/app:1.0');
/** Tag-only images, no digest pinning: the verification verdict alone decides. */
const entry = 'mutateDigest: false\nverifyDigest: false';

/** A backend that passes only signatures checked against `trusted.key`, counting its calls. */
function keyedBackend(trusted: { key: string }) {
  const calls: string[] = [];
  const backend: VerificationBackend = {
    async verifySignatures(check) {
      const key = String((check.attestor.keys as { publicKeys?: string } | undefined)?.publicKeys);
      calls.push(key);
      if (key !== trusted.key) throw new Error(`no matching signatures: not signed by ${key}`);
      return { digest };
    },
    fetchAttestations: () => Promise.reject(new Error('unused')),
    resolveDigest: () => Promise.reject(new Error('unused')),
  };
  return { backend, calls };
}

describe('VerificationCache shared across engines', () => {
  it('an engine rebuilt after a key rotation verifies again instead of reusing the old pass', async () => {
    const trusted = { key: 'k8s://ns/old-key' };
    const { backend, calls } = keyedBackend(trusted);
    const cache = new VerificationCache();
    const policy = (key: string) => loadPolicies(verifyImagesPolicy({ entry, publicKeys: `"${key}"` }));

    const before = new PolicyEngine(policy('k8s://ns/old-key'), { backend, cache });
    expect((await before.evaluate(appPod)).allowed).toBe(true);
    // Same engine, same policy: the cached pass is reused.
    expect((await before.evaluate(appPod)).results[0]?.message).toBe('verified from cache');
    expect(calls).toHaveLength(1);

    // The old key is revoked; the app rebuilds its engine with the new key, same policy name.
    trusted.key = 'k8s://ns/new-key';
    const rotatedOut = new PolicyEngine(policy('k8s://ns/other-key'), { backend, cache });
    const denied = await rotatedOut.evaluate(appPod);
    expect(calls).toHaveLength(2);
    expect(denied.allowed).toBe(false);
    expect(denied.results[0]).toMatchObject({ status: 'fail' });

    const after = new PolicyEngine(policy('k8s://ns/new-key'), { backend, cache });
    const allowed = await after.evaluate(appPod);
    expect(calls).toHaveLength(3);
    expect(allowed.results[0]).toMatchObject({ status: 'pass' });
    expect(allowed.results[0]?.message).not.toBe('verified from cache');
  });

  it('a rebuilt engine with an identical policy still hits the cache (the key is stable)', async () => {
    const { backend, calls } = keyedBackend({ key: 'k8s://ns/key' });
    const cache = new VerificationCache();
    const yaml = verifyImagesPolicy({ entry });
    await new PolicyEngine(loadPolicies(yaml), { backend, cache }).evaluate(appPod);
    const again = await new PolicyEngine(loadPolicies(yaml), { backend, cache }).evaluate(appPod);
    expect(calls).toHaveLength(1);
    expect(again.results[0]?.message).toBe('verified from cache');
  });
});

describe('single-flight across requests', () => {
  /** A backend whose verification answers `pass` when released, or rejects when its signal fires. */
  function gatedBackend() {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    const backend: VerificationBackend = {
      verifySignatures(check) {
        calls++;
        return new Promise((resolve, reject) => {
          check.signal.addEventListener('abort', () => reject(check.signal.reason), { once: true });
          gate.then(() => resolve({ digest }));
        });
      },
      fetchAttestations: () => Promise.reject(new Error('unused')),
      resolveDigest: () => Promise.reject(new Error('unused')),
    };
    return { backend, release, calls: () => calls };
  }
  const tick = () => new Promise((r) => setTimeout(r, 10));

  it("the first request's abort does not become the joined request's error", async () => {
    const { backend, release, calls } = gatedBackend();
    const engine = new PolicyEngine(loadPolicies(verifyImagesPolicy({ entry })), {
      backend,
    });
    const controller = new AbortController();
    const first = engine.evaluate(appPod, { signal: controller.signal });
    first.catch(() => {});
    await tick();
    const second = engine.evaluate(appPod);
    await tick();
    controller.abort(new Error('client went away'));
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    await tick();
    release();
    const d = await second;
    expect(calls()).toBe(1);
    expect(d.results[0]).toMatchObject({ status: 'pass' });
    expect(d.allowed).toBe(true);
  });

  it("the first request's deadline is its own error, not the joined request's", async () => {
    const { backend, release } = gatedBackend();
    const engine = new PolicyEngine(loadPolicies(verifyImagesPolicy({ entry })), {
      backend,
    });
    const first = engine.evaluate(appPod, { deadlineMs: 30 });
    await tick();
    const second = engine.evaluate(appPod);
    const late = await first;
    expect(late.results[0]).toMatchObject({ status: 'error' });
    expect(late.results[0]?.message).toContain('deadline');
    release();
    expect((await second).results[0]).toMatchObject({ status: 'pass' });
  });

  it('when every waiting request has aborted, the shared verification is cancelled and not cached', async () => {
    const { backend, calls, release } = gatedBackend();
    const cache = new VerificationCache();
    const engine = new PolicyEngine(loadPolicies(verifyImagesPolicy({ entry })), {
      backend,
      cache,
    });
    const a = new AbortController();
    const first = engine.evaluate(appPod, { signal: a.signal });
    first.catch(() => {});
    await tick();
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    await tick();
    release();
    const d = await engine.evaluate(appPod);
    expect(calls()).toBe(2);
    expect(d.results[0]).toMatchObject({ status: 'pass' });
  });
});
