/** registryBackend's key handling that needs no registry: refusals and a key source that hangs. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  PolicyUnsupportedError,
  VerificationError,
} from '../../../../src/errors/index.js';
import { registryBackend } from '../../../../src/policy/index.js';
import { RegistryClient } from '../../../../src/registry/index.js';
import { startMaliciousRegistry } from '../../../helpers/malicious-registry.js';

const check = (attestor: Record<string, unknown>, signal = new AbortController().signal) => ({
  image: 'ghcr.io/acme/app:1.0',
  attestor,
  type: 'Cosign' as const,
  signal,
});

describe('registryBackend', () => {
  it('refuses Notary and Kubernetes secrets without resolveKey, with PolicyUnsupportedError', async () => {
    const backend = registryBackend();
    await expect(
      backend.verifySignatures({ ...check({ certificates: {} }), type: 'Notary' }),
    ).rejects.toThrow(/type: Notary is not supported/);
    await expect(
      backend.verifySignatures(check({ keys: { secret: { name: 'cosign', namespace: 'ci' } } })),
    ).rejects.toBeInstanceOf(PolicyUnsupportedError);
  });

  it('fails, before any request, the keyless and certificate attestors Kyverno can never verify', async () => {
    const server = await startMaliciousRegistry(() => ({ status: 404, body: '{"errors":[]}' }));
    try {
      const backend = registryBackend({
        registry: new RegistryClient({ mirrors: { 'ghcr.io': server.url } }),
      });
      // SigstoreBundle needs both an issuer and a subject (sigstore-go refuses to verify otherwise).
      const bundle = backend.verifySignatures({
        ...check({ keyless: { issuer: 'https://x' } }),
        type: 'SigstoreBundle',
      });
      await expect(bundle).rejects.toBeInstanceOf(VerificationError);
      await expect(bundle).rejects.toThrow(/both an issuer and a subject/);
      // certificates.cert with certChain: validated before its ctlog settings apply, it never verifies.
      await expect(
        backend.verifySignatures(check({ certificates: { cert: 'x', certChain: 'y' } })),
      ).rejects.toThrow(/never verifies/);
      // A bad roots PEM is a typed error naming the input.
      await expect(
        backend.verifySignatures(check({ keyless: { roots: 'not a certificate', issuer: 'i' } })),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(server.requests).toHaveLength(0);
      // A keyless attestor is verified: it goes on to the registry (which has no such image).
      await expect(
        backend.verifySignatures(
          check({ keyless: { issuer: 'https://x', rekor: { url: 'https://rekor.sigstore.dev' } } }),
        ),
      ).rejects.toThrow();
      expect(server.requests.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('a trustedRoot that is not one is a typed error', async () => {
    const backend = registryBackend({ trustedRoot: { mediaType: 'nope' } });
    await expect(backend.verifySignatures(check({ keyless: { issuer: 'i' } }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('stops waiting for a key source that never answers when the signal fires', async () => {
    const backend = registryBackend({ resolveKey: () => new Promise(() => {}) });
    const started = Date.now();
    await expect(
      backend.verifySignatures(
        check({ keys: { kms: 'gcpkms://projects/p/keys/k' } }, AbortSignal.timeout(100)),
      ),
    ).rejects.toMatchObject({
      name: 'OperationTimeoutError',
      code: 'TIMEOUT',
      cause: { name: 'TimeoutError' },
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('isConnectionError', () => {
  it('is true only when no response arrived (refused, reset, DNS, timeout, abort)', async () => {
    const { isConnectionError } = await import('../../../../src/policy/index.js');
    const errors = await import('../../../../src/errors/index.js');
    expect(
      isConnectionError(new errors.RegistryError('REGISTRY_UNREACHABLE', 'GET x failed: ECONNREFUSED')),
    ).toBe(true);
    expect(isConnectionError(new errors.RegistryTimeoutError('GET x timed out'))).toBe(true);
    expect(isConnectionError(new Error('wrapped', { cause: new errors.RegistryTimeoutError('t') }))).toBe(
      true,
    );
    expect(isConnectionError(new DOMException('aborted', 'AbortError'))).toBe(true);
    // A response arrived: these are failures, not errors, even though they carry no HTTP status.
    expect(isConnectionError(new errors.DigestMismatchError('bytes do not hash to sha256:…'))).toBe(false);
    expect(isConnectionError(new errors.RegistryResponseError('Malformed manifest'))).toBe(false);
    expect(isConnectionError(new errors.SizeLimitError('over the limit'))).toBe(false);
    expect(isConnectionError(new errors.NotFoundError('MANIFEST_UNKNOWN'))).toBe(false);
    expect(isConnectionError(new errors.RegistryResponseError('429', { status: 429 }))).toBe(false);
  });
});

describe('registryBackend key lookups', () => {
  /** A registry that has no images: a check that got its key fails there, quickly. */
  const emptyRegistry = () => startMaliciousRegistry(() => ({ status: 404, body: '{"errors":[]}' }));
  const pem = (() => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return publicKey.export({ type: 'spki', format: 'pem' }).toString();
  })();

  it('a key source that never answers is bounded and forgotten: the next check asks again and gets past it', async () => {
    const server = await emptyRegistry();
    try {
      let calls = 0;
      const backend = registryBackend({
        registry: new RegistryClient({ mirrors: { 'ghcr.io': server.url } }),
        keyLookupTimeoutMs: 100,
        resolveKey: () => (++calls === 1 ? new Promise<string>(() => {}) : Promise.resolve(pem)),
      });
      const noDeadline = new AbortController().signal;
      const kms = check({ keys: { kms: 'gcpkms://projects/p/keys/k' } }, noDeadline);
      await expect(backend.verifySignatures(kms)).rejects.toMatchObject({ name: 'OperationTimeoutError' });
      const second = await backend.verifySignatures(kms).catch((error: unknown) => error);
      expect(calls).toBe(2);
      expect(second).not.toMatchObject({ name: 'OperationTimeoutError' });
      expect(server.requests.length).toBeGreaterThan(0); // the key was there: it went on to the registry
    } finally {
      await server.close();
    }
  });

  it("one check's abort does not fail another check waiting for the same key", async () => {
    let release: (key: string) => void = () => {};
    let calls = 0;
    let lookupSignal: AbortSignal | undefined;
    const backend = registryBackend({
      keyLookupTimeoutMs: 5000,
      // A key source that honours its signal, as a KMS client does.
      resolveKey: (_ref, signal) => {
        calls++;
        lookupSignal = signal;
        return new Promise<string>((resolve, reject) => {
          release = resolve;
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      },
    });
    const keys = { keys: { kms: 'gcpkms://projects/p/keys/k', rekor: { ignoreTlog: true } } };
    const aborted = new AbortController();
    const first = backend.verifySignatures(check(keys, aborted.signal));
    const second = backend.verifySignatures(check(keys, AbortSignal.timeout(3000)));
    await new Promise((r) => setTimeout(r, 10));
    aborted.abort(new Error('client went away'));
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    expect(lookupSignal?.aborted).toBe(false); // the shared lookup goes on for the second check
    release('not a PEM');
    // The shared lookup answered the second check (whatever its key then does), with no new lookup.
    const outcome = await second.catch((error: unknown) => error);
    expect(outcome).not.toMatchObject({ code: 'ABORTED' });
    expect(String((outcome as Error).message)).not.toContain('client went away');
    expect(calls).toBe(1);
  });
});
