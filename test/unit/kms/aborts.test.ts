/**
 * Aborts in the key providers surface as AbortedError / OperationTimeoutError with the signal's
 * reason as cause — never a bare DOMException — promptly even when an injected KMS client ignores
 * the signal, and one caller's abort never fails another caller sharing the key lookup.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortedError, OperationTimeoutError } from '../../../src/errors/base.js';
import { AwsKmsSigner, createAwsKmsKey, type KmsClientLike } from '../../../src/kms/aws/index.js';
import { resolveSigner } from '../../../src/kms/index.js';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
const data = new TextEncoder().encode('payload');
const dir = mkdtempSync(join(tmpdir(), 'ocisign-kms-aborts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves after `ms`, or rejects like the AWS SDK (an Error named AbortError) when `signal` fires. */
function sdkDelay<T>(ms: number, value: T, signal: AbortSignal | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    });
  });
}

/** A KMS client double: answers GetPublicKey/DescribeKey/Sign after `delayMs`; `honoursAbort` false ignores the signal. */
function fakeKms(options: { delayMs?: number; signMs?: number; honoursAbort?: boolean } = {}) {
  const calls: string[] = [];
  const client: KmsClientLike = {
    send(command, opts) {
      const name = (command as object).constructor.name;
      calls.push(name);
      const signal = options.honoursAbort === false ? undefined : opts?.abortSignal;
      if (name === 'GetPublicKeyCommand') return sdkDelay(options.delayMs ?? 1, { PublicKey: spki }, signal);
      if (name === 'DescribeKeyCommand')
        return sdkDelay(
          options.delayMs ?? 1,
          {
            KeyMetadata: {
              KeySpec: 'ECC_NIST_P256',
              KeyUsage: 'SIGN_VERIFY',
              KeyState: 'Enabled',
              SigningAlgorithms: ['ECDSA_SHA_256'],
            },
          },
          signal,
        );
      if (name === 'SignCommand')
        return options.signMs === Number.POSITIVE_INFINITY
          ? new Promise(() => {})
          : sdkDelay(options.signMs ?? 1, { Signature: new Uint8Array([0x30, 0x00]) }, signal);
      return Promise.reject(new Error(`unexpected ${name}`));
    },
  };
  return { client, calls };
}

const REF = 'awskms:///alias/test';

describe('AwsKmsSigner aborts', () => {
  it('an already-aborted signal: AbortedError with the reason, and no KMS call', async () => {
    const kms = fakeKms();
    const signer = new AwsKmsSigner(REF, { client: kms.client });
    const error = await signer.sign(data, { signal: AbortSignal.abort('stop') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).cause).toBe('stop');
    expect(kms.calls).toEqual([]);
  });

  it('an abort during Sign (the SDK rejects with its AbortError): AbortedError naming the call', async () => {
    const signer = new AwsKmsSigner(REF, { client: fakeKms({ signMs: 200 }).client });
    await signer.sign(data); // the key lookup is cached: the abort lands in Sign
    const controller = new AbortController();
    const pending = signer.sign(data, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('caller gave up')), 30);
    const error = await pending;
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).message).toMatch(/kms:Sign/);
    expect((error as Error).cause).toMatchObject({ message: 'caller gave up' });
  });

  it('a timeout signal: OperationTimeoutError', async () => {
    const signer = new AwsKmsSigner(REF, { client: fakeKms({ signMs: 5_000 }).client });
    const error = await signer.sign(data, { signal: AbortSignal.timeout(30) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
  });

  it('a client that ignores abortSignal: the caller still stops waiting at once', async () => {
    const signer = new AwsKmsSigner(REF, {
      client: fakeKms({ signMs: Number.POSITIVE_INFINITY, honoursAbort: false }).client,
    });
    const outcome = await Promise.race([
      signer.sign(data, { signal: AbortSignal.timeout(30) }).catch((e: unknown) => e),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_000)),
    ]);
    expect(outcome).toBeInstanceOf(OperationTimeoutError);
  });

  it("one caller's abort does not fail another caller sharing the key lookup", async () => {
    const signer = new AwsKmsSigner(REF, { client: fakeKms({ delayMs: 60 }).client });
    const controller = new AbortController();
    const first = signer.sign(data, { signal: controller.signal }).catch((e: unknown) => e);
    const second = signer.sign(data);
    setTimeout(() => controller.abort(), 10);
    expect(await first).toBeInstanceOf(AbortedError);
    await expect(second).resolves.toBeInstanceOf(Uint8Array);
  });

  it('createAwsKmsKey with an aborted signal: AbortedError, nothing looked up or created', async () => {
    const kms = fakeKms();
    const error = await createAwsKmsKey(REF, { client: kms.client, signal: AbortSignal.abort() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AbortedError);
    expect(kms.calls).toEqual([]);
  });
});

describe('resolveSigner aborts', () => {
  it('reading a key file with an aborted signal: AbortedError with the reason', async () => {
    const path = join(dir, 'key.pem');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const error = await resolveSigner(path, { signal: AbortSignal.abort('stop') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).cause).toBe('stop');
  });

  it("a file key's signer: an aborted signal is AbortedError, not a DOMException", async () => {
    const path = join(dir, 'key2.pem');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const signer = await resolveSigner(path, { env: {} });
    const error = await signer.sign(data, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
  });
});
