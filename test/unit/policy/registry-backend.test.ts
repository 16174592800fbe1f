/** registryBackend's key handling that needs no registry: refusals and a key source that hangs. */
import { describe, expect, it } from 'vitest';
import { PolicyUnsupportedError } from '../../../src/errors/index.js';
import { registryBackend } from '../../../src/policy/index.js';

const check = (attestor: Record<string, unknown>, signal = new AbortController().signal) => ({
  image: 'ghcr.io/acme/app:1.0',
  attestor,
  type: 'Cosign' as const,
  signal,
});

describe('registryBackend', () => {
  it('refuses keyless, certificates, empty attestors, Notary and Kubernetes secrets without resolveKey, with PolicyUnsupportedError', async () => {
    const backend = registryBackend();
    await expect(backend.verifySignatures(check({ keyless: { issuer: 'x' } }))).rejects.toThrow(
      /keyless verification is not supported yet/,
    );
    await expect(backend.verifySignatures(check({ certificates: { cert: 'x' } }))).rejects.toThrow(
      /certificates verification is not supported yet/,
    );
    await expect(backend.verifySignatures(check({}))).rejects.toThrow(
      /an attestor with no keys, certificates or keyless block .* is not supported yet/,
    );
    await expect(
      backend.verifySignatures({ ...check({ certificates: {} }), type: 'Notary' }),
    ).rejects.toThrow(/type: Notary is not supported/);
    await expect(
      backend.verifySignatures(check({ keys: { secret: { name: 'cosign', namespace: 'ci' } } })),
    ).rejects.toBeInstanceOf(PolicyUnsupportedError);
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
    const { isConnectionError } = await import('../../../src/policy/index.js');
    const errors = await import('../../../src/errors/index.js');
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
