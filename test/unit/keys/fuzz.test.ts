/**
 * Property tests: whatever bytes arrive, key parsing returns a key or throws an OcisignError —
 * never a TypeError, RangeError or anything else. (How long rejection takes is measured by the
 * benchmark, not asserted here.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OcisignError } from '../../../src/errors/index.js';
import { inspectEncryptedDocument } from '../../../src/keys/encrypted.js';
import {
  encryptCosignPrivateKey,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  KEY_ALGORITHMS,
} from '../../../src/keys/index.js';
import { decodeFirstPemBlock, encodePem } from '../../../src/keys/pem.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult } from '../../helpers/fuzz.js';

async function outcome(run: () => unknown): Promise<'ok' | 'ocisign-error'> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (error instanceof OcisignError) return 'ocisign-error';
    throw error;
  }
}

const pairs = await Promise.all(
  KEY_ALGORITHMS.filter((a) => a !== 'rsa-4096').map((algorithm) => generateKeyPair({ algorithm })),
);
const privatePems = pairs.map((p) => exportPrivateKeyPem(p.privateKey));
const publicPems = pairs.map((p) => exportPublicKeyPem(p.publicKey));
const privateDers = privatePems.map((pem) => decodeFirstPemBlock(pem)?.bytes as Uint8Array);
const publicDers = publicPems.map((pem) => decodeFirstPemBlock(pem)?.bytes as Uint8Array);

/** A byte array with a few random edits: flips, truncation, insertion, deletion. */
function mutatedBytes(sources: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(...sources),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
          fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'),
        ),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
    )
    .map(([source, edits]) => {
      let bytes = Array.from(source);
      for (const [position, value, kind] of edits) {
        const at = bytes.length === 0 ? 0 : position % bytes.length;
        if (kind === 'flip') bytes[at] = (bytes[at] ?? 0) ^ (1 << (value % 8));
        else if (kind === 'set') bytes[at] = value;
        else if (kind === 'insert') bytes.splice(at, 0, value);
        else if (kind === 'delete') bytes.splice(at, 1);
        else bytes = bytes.slice(0, at);
      }
      return new Uint8Array(bytes);
    });
}

function mutatedText(sources: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...sources),
      fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 3 })), {
        minLength: 1,
        maxLength: 3,
      }),
    )
    .map(([source, edits]) => {
      let text = source;
      for (const [position, insert, remove] of edits) {
        const at = position % (text.length + 1);
        text = text.slice(0, at) + insert + text.slice(at + remove);
      }
      return text;
    });
}

describe('key parsers never throw anything but OcisignError', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('on random bytes and strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 })),
        async (input) => {
          await outcome(() => importPrivateKey(input));
          await outcome(() => importPublicKey(input));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('on random bodies inside PEM armour of every type we know', async () => {
    const types = [
      'PUBLIC KEY',
      'RSA PUBLIC KEY',
      'PRIVATE KEY',
      'EC PRIVATE KEY',
      'RSA PRIVATE KEY',
      'ENCRYPTED SIGSTORE PRIVATE KEY',
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...types), fc.uint8Array({ maxLength: 200 }), async (type, body) => {
        const pem = encodePem(type, body);
        await outcome(() => importPrivateKey(pem, { password: 'x' }));
        await outcome(() => importPublicKey(pem));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('on mutated private and public key DER', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes([...privateDers, ...publicDers]), async (der) => {
        await outcome(() => importPrivateKey(der));
        await outcome(() => importPublicKey(der));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('on mutated PEM text', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedText([...privatePems, ...publicPems]), async (pem) => {
        await outcome(() => importPrivateKey(pem));
        await outcome(() => importPublicKey(pem));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('on mutated cosign encrypted-key documents', async () => {
    const pem = await encryptCosignPrivateKey(pairs[0]?.privateKey as never, 'pw', { scryptN: 32768 });
    const json = Buffer.from(decodeFirstPemBlock(pem)?.bytes ?? []).toString('utf8');
    const hostile = fc.oneof(
      mutatedText([json]),
      fc
        .record({
          N: fc.oneof(fc.integer(), fc.constant(2 ** 40)),
          r: fc.integer({ min: -2, max: 64 }),
          p: fc.integer({ min: -2, max: 8 }),
        })
        .map((params) => json.replace(/"params":\{[^}]*\}/, `"params":${JSON.stringify(params)}`)),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (doc) => {
        const result = await outcome(() =>
          importPrivateKey(encodePem('ENCRYPTED SIGSTORE PRIVATE KEY', new TextEncoder().encode(doc)), {
            password: 'pw',
          }),
        );
        expect(['ok', 'ocisign-error']).toContain(result);
      }),
      { numRuns: 40 },
    );
  });

  it('on mutated cosign encrypted-key documents, read without decrypting', async () => {
    const pem = await encryptCosignPrivateKey(pairs[0]?.privateKey as never, 'pw', { scryptN: 32768 });
    const json = Buffer.from(decodeFirstPemBlock(pem)?.bytes ?? []).toString('utf8');
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(mutatedText([json]), fc.json()), (doc) => {
        const result = typedOrResult(() => inspectEncryptedDocument(new TextEncoder().encode(doc)));
        if (result instanceof OcisignError) seen.refused++;
        else seen.ok++;
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('decodeFirstPemBlock never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutatedText(privatePems)), (text) => {
        decodeFirstPemBlock(text);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
