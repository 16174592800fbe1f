/**
 * Fuzzing the trusted-root readers ({@link FUZZ_RUNS} runs each) from real roots: parseTrustedRoot
 * on edited documents (as objects and as text) and on corrupted certificate and key bytes, then
 * trustMaterialOf on whatever parsed; trustedRootFromPems on corrupted PEM. Each returns a value
 * or throws a typed OcisignError, never anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePem } from '../../../src/keys/pem.js';
import {
  parseTrustedRoot,
  type TrustedRoot,
  trustedRootFromPems,
  trustMaterialOf,
} from '../../../src/sigstore/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult } from '../../helpers/fuzz.js';
import { mutatedDocument } from '../../helpers/json-mutations.js';
import { readVectors } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
type Json = any;
const ROOTS: Json[] = [
  readVectors('keyless/trusted-roots/public-good-sigstore-tuf-4.0.2.json'),
  readVectors('keyless/trusted-roots/sigstore-js-verify-3.1.1-test-fixture.json'),
  readVectors('keyless/conf-rekor2-happy-path/trusted_root.json'),
];
const runs = { numRuns: FUZZ_RUNS };

/** Every base64 member holding DER (certificates and keys) of a root, as [container, key] slots. */
function derSlots(root: Json): Array<[Json, string]> {
  const logs = [...(root.tlogs ?? []), ...(root.ctlogs ?? [])].map((l: Json) => [l.publicKey, 'rawBytes']);
  const certs = [...(root.certificateAuthorities ?? []), ...(root.timestampAuthorities ?? [])].flatMap(
    (ca: Json) => ca.certChain.certificates.map((c: Json) => [c, 'rawBytes']),
  );
  return [...logs, ...certs] as Array<[Json, string]>;
}

/** Bytes with some of them changed, cut short, or extended. */
const corrupt = (bytes: Buffer) =>
  fc
    .record({
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      extra: fc.uint8Array({ maxLength: 4 }),
    })
    .map(({ flips, cut, extra }) => {
      const out = Buffer.from(bytes);
      for (const [at, xor] of flips) out.writeUInt8((out[at % out.length] ?? 0) ^ xor, at % out.length);
      const kept = cut === undefined ? out : out.subarray(0, cut % (out.length + 1));
      return Buffer.concat([kept, Buffer.from(extra)]);
    });

/** A parsed root must also convert, or fail typed. */
function convertIfParsed(result: TrustedRoot | Error): void {
  if (result instanceof Error) return;
  typedOrResult(() => trustMaterialOf(result));
}

describe(`trusted-root readers on ${FUZZ_RUNS} hostile inputs each`, () => {
  it('the real roots parse and convert (so the edits start from roots that pass)', () => {
    for (const root of ROOTS) expect(trustMaterialOf(parseTrustedRoot(root)).tlogs.length).toBeGreaterThan(0);
  });

  it(
    'parseTrustedRoot (then trustMaterialOf) on edited documents, as objects and as text',
    () => {
      fc.assert(
        fc.property(mutatedDocument(ROOTS), fc.boolean(), (mutated, asText) => {
          convertIfParsed(
            typedOrResult(() => parseTrustedRoot(asText ? (JSON.stringify(mutated) ?? '') : mutated)),
          );
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'parseTrustedRoot (then trustMaterialOf) on corrupted certificate and key bytes',
    () => {
      const slots = ROOTS.map((root) => derSlots(root).length);
      const arbitrary = fc.tuple(fc.nat({ max: ROOTS.length - 1 }), fc.nat()).chain(([r, s]) => {
        const root = structuredClone(ROOTS[r]);
        const [container, key] = derSlots(root)[s % (slots[r] as number)] as [Json, string];
        return corrupt(Buffer.from(container[key], 'base64')).map((bytes) => {
          container[key] = bytes.toString('base64');
          return root;
        });
      });
      fc.assert(
        fc.property(arbitrary, (root) => {
          convertIfParsed(typedOrResult(() => parseTrustedRoot(root)));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'trustedRootFromPems on corrupted certificates and keys',
    () => {
      const root = ROOTS[0];
      const certs = root.certificateAuthorities.flatMap((ca: Json) =>
        ca.certChain.certificates.map((c: Json) => Buffer.from(c.rawBytes, 'base64')),
      );
      const keys = root.tlogs.map((l: Json) => Buffer.from(l.publicKey.rawBytes, 'base64'));
      const arbitrary = fc.record({
        cert: fc.nat({ max: certs.length - 1 }).chain((i) => corrupt(certs[i])),
        key: fc.nat({ max: keys.length - 1 }).chain((i) => corrupt(keys[i])),
        text: fc.string({ maxLength: 40 }),
      });
      fc.assert(
        fc.property(arbitrary, ({ cert, key, text }) => {
          const fulcio = encodePem('CERTIFICATE', cert) + text;
          convertIfParsed(
            typedOrResult(() => trustedRootFromPems({ fulcio, rekor: [encodePem('PUBLIC KEY', key), text] })),
          );
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
