/**
 * resolveSigner's reference parsing under hostile input: malformed `file://` URLs and percent-escapes,
 * `env://` names of Object.prototype members, and fuzzed references of every scheme give a Signer or
 * a typed OcisignError (InvalidKeyReferenceError for a bad reference), never a TypeError or URIError.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbortedError, OcisignError } from '../../../src/errors/base.js';
import { InvalidKeyReferenceError } from '../../../src/errors/kms.js';
import type { KmsClientLike } from '../../../src/kms/aws/index.js';
import { resolveSigner } from '../../../src/kms/index.js';
import { awsProvider } from '../../../src/kms/provider.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResultAsync } from '../../helpers/fuzz.js';

describe('resolveSigner: malformed file:// references', () => {
  it.each([
    'file://a:b/x',
    'file://[::1/x',
    'file://host:99999/key',
    'file:///%E0',
    'file:///%',
    'file:///key%ZZ',
    'file://remote.example/etc/key',
  ])('%s is an InvalidKeyReferenceError', async (ref) => {
    const error = await resolveSigner(ref, { env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidKeyReferenceError);
    expect((error as Error).message).toContain('file://');
  });
});

describe('resolveSigner: env:// reads own variables only', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'env://%s with no such variable is an InvalidKeyReferenceError',
    async (name) => {
      const error = await resolveSigner(`env://${name}`, { env: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidKeyReferenceError);
      expect((error as Error).message).toMatch(/is not set/);
    },
  );
});

describe('the awskms:// provider', () => {
  it('publicKey passes options.signal through to AwsKmsSigner.publicKey', async () => {
    const seen: (AbortSignal | undefined)[] = [];
    const client: KmsClientLike = {
      send(_command, options) {
        seen.push(options?.abortSignal);
        return new Promise(() => {});
      },
    };
    const publicKey = awsProvider.publicKey;
    if (publicKey === undefined) throw new Error('the awskms provider must offer publicKey');
    const error = await Promise.race([
      publicKey
        .call(awsProvider, 'awskms:///alias/signal', {
          providerOptions: { awskms: { client } },
          signal: AbortSignal.abort('stop'),
        })
        .catch((e: unknown) => e),
      new Promise((resolve) => setTimeout(() => resolve('still waiting: the signal was dropped'), 1_000)),
    ]);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).cause).toBe('stop');
    expect(seen).toEqual([]);
  });
});

describe('resolveSigner reference parsing (fuzz)', () => {
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const env: Record<string, string> = { KEY: pem, GARBAGE: '-----BEGIN PRIVATE KEY-----\n%%%\n', EMPTY: '' };
  const piece = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom(
      '%',
      '%E0',
      '%ZZ',
      '%2F',
      ':',
      '::',
      '/',
      '//',
      '@',
      '?',
      '#',
      '[',
      ']',
      '..',
      'a:b',
      '\\',
      '\u0000',
      'alias/',
      'key/',
      'arn:aws:kms:us-east-1:123456789012:',
      'localhost',
      'KEY',
      'GARBAGE',
      'EMPTY',
      'toString',
      '__proto__',
      'constructor',
      ' ',
      '\n',
    ),
  );
  const scheme = fc.constantFrom(
    '',
    'file://',
    'file:///',
    'file:',
    'FILE://',
    'env://',
    'awskms://',
    'awskms:///',
    'gcpkms://',
    'azurekms://',
    'pkcs11:',
    'x+y.z-w://',
    '1abc://',
    'http://',
  );
  const reference = fc
    .tuple(scheme, fc.array(piece, { maxLength: 6 }))
    // Keep the fuzzer out of device files and the filesystem root's huge files.
    .map(([s, parts]) => `${s}${parts.join('')}`)
    .filter((ref) => !/^(file:\/*)?\/*(dev|proc|sys)\b/.test(ref));

  it(
    'gives a Signer or a typed OcisignError, never another throw',
    async () => {
      await fc.assert(
        fc.asyncProperty(reference, async (ref) => {
          const outcome = await typedOrResultAsync(() => resolveSigner(ref, { env }));
          if (outcome instanceof OcisignError) return;
          expect(typeof outcome.sign).toBe('function');
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
