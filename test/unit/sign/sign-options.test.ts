/** Options guarded at the boundary: a plugin Signer bounded by the caller's signal and typed; contradictory verify options refused. */
import { describe, expect, it } from 'vitest';
import { AbortedError, InvalidArgumentError, OperationTimeoutError } from '../../../src/errors/index.js';
import { generateKeyPair } from '../../../src/keys/index.js';
import type { Signer } from '../../../src/keys/signer.js';
import { abortableSigner } from '../../../src/sign/abortable-signer.js';
import { attestImage, signImage } from '../../../src/sign/index.js';

const { publicKey } = await generateKeyPair();

/** Never answers, whatever the signal says. */
const deaf: Signer = { publicKey: () => new Promise(() => {}), sign: () => new Promise(() => {}) };
/** Rejects with the bare DOMException a careless plugin passes on. */
const careless: Signer = {
  publicKey: async () => publicKey,
  sign: (_data, options) =>
    new Promise((_, reject) =>
      options?.signal?.addEventListener('abort', () => reject(options.signal?.reason)),
    ),
};

describe('abortableSigner', () => {
  it('stops waiting for a signer that ignores the signal', async () => {
    const signer = abortableSigner(deaf, AbortSignal.timeout(50), 'signImage');
    await expect(signer.sign(new Uint8Array([1]))).rejects.toBeInstanceOf(OperationTimeoutError);
    await expect(signer.publicKey()).rejects.toBeInstanceOf(OperationTimeoutError);
  });

  it('types the bare reason a plugin rejects with', async () => {
    const controller = new AbortController();
    const signing = abortableSigner(careless, controller.signal, 'signImage').sign(new Uint8Array([1]));
    controller.abort(new Error('user cancelled'));
    await expect(signing).rejects.toBeInstanceOf(AbortedError);
  });

  it('refuses what is not a Signer before any I/O', async () => {
    await expect(signImage('127.0.0.1:1/app:v1', {} as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      attestImage('127.0.0.1:1/app:v1', {
        signer: { sign: 1 },
        predicateType: 'slsaprovenance',
        predicate: {},
      } as never),
    ).rejects.toThrow('attestImage needs options.signer');
  });
});

describe('verifyImage options that contradict each other', () => {
  it('refuses annotations with checkClaims: false instead of skipping them silently', async () => {
    const { verifyImage } = await import('../../../src/verify/index.js');
    await expect(
      verifyImage('127.0.0.1:1/app:v1', {
        keys: [publicKey],
        checkClaims: false,
        annotations: { env: 'prod' },
      }),
    ).rejects.toThrow('checkClaims: false turns claim checks off');
  });
});
