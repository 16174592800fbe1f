/**
 * Fuzzing every payload parser ({@link FUZZ_RUNS} runs each): random bytes, random JSON, and real
 * cosign documents with members replaced, deleted or renamed, then edited as text (a repeated
 * member, a byte-order mark, a truncation, a stray byte). Each returns a value or throws a typed
 * OcisignError — never a TypeError, a RangeError or a bare SyntaxError — and never hangs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseBundle,
  parseDsseEnvelope,
  parseRekorBundleAnnotation,
  parseSignatureConfig,
  parseSimpleSigningPayload,
  parseStatement,
  signatureLayersOf,
} from '../../../src/payload/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult } from '../../helpers/fuzz.js';
import { mutatedDocument } from '../../helpers/json-mutations.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
const real = readVectors<Record<string, any>>('cosign/real-cosign-artifacts.json');
const keyless = join(SHARED_DIR, 'vectors', 'keyless');
const keylessBundles = readdirSync(keyless, { withFileTypes: true })
  .filter((c) => c.isDirectory() && readdirSync(join(keyless, c.name)).includes('bundle.sigstore.json'))
  .map((c) => c.name)
  .slice(0, 6)
  .map((c) => JSON.parse(readFileSync(join(keyless, c, 'bundle.sigstore.json'), 'utf8')) as unknown);
const json = (text: string) => JSON.parse(text) as unknown;

/** Text edits of a serialized document: as is, its first member repeated, a BOM, a truncation, a stray byte. */
function asHostileText(doc: fc.Arbitrary<unknown>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(doc, fc.constantFrom('as-is', 'as-is', 'repeat', 'bom', 'truncate', 'byte'), fc.nat())
    .map(([value, edit, n]) => {
      let text = JSON.stringify(value) ?? 'null';
      const first = /^\{("(?:[^"\\]|\\.)*":(?:"(?:[^"\\]|\\.)*"|[-\w.]+))[,}]/.exec(text)?.[1];
      if (edit === 'repeat' && first !== undefined) text = `{${first},${text.slice(1)}`;
      if (edit === 'truncate') text = text.slice(0, n % (text.length + 1));
      const bytes = new TextEncoder().encode(text);
      if (edit === 'bom') return new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
      if (edit === 'byte' && bytes.length > 0) bytes[n % bytes.length] = n % 256;
      return bytes;
    });
}

/** Anything a parser of JSON bytes may be handed, mostly near-misses of `documents`. */
function hostileBytes(documents: readonly unknown[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => new TextEncoder().encode(JSON.stringify(v))),
    { weight: 8, arbitrary: asHostileText(mutatedDocument(documents)) },
  );
}

const runs = { numRuns: FUZZ_RUNS };

describe(`payload parsers on ${FUZZ_RUNS} hostile inputs each`, () => {
  it(
    'parseSimpleSigningPayload',
    () => {
      const payload = json(real.classicTagSignature.payload);
      fc.assert(
        fc.property(
          hostileBytes([payload, { critical: { image: {}, identity: {} }, optional: { a: [1] } }]),
          (b) => {
            typedOrResult(() => parseSimpleSigningPayload(b));
          },
        ),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'parseBundle',
    () => {
      fc.assert(
        fc.property(hostileBytes([json(real.newBundleReferrer.bundle), ...keylessBundles]), (b) => {
          typedOrResult(() => parseBundle(b));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'parseDsseEnvelope (bytes and already-parsed values)',
    () => {
      const envelope = json(real.blobAttestationEnvelope.envelope);
      fc.assert(
        fc.property(hostileBytes([envelope]), mutatedDocument([envelope]), (b, value) => {
          typedOrResult(() => parseDsseEnvelope(b));
          typedOrResult(() => parseDsseEnvelope(value as object));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'parseStatement (strict and with legacy string predicates)',
    () => {
      const statement = json(real.newBundleReferrer.statement);
      const att = JSON.parse(
        Buffer.from(
          (json(real.blobAttestationEnvelope.envelope) as { payload: string }).payload,
          'base64',
        ).toString(),
      ) as unknown;
      fc.assert(
        fc.property(hostileBytes([statement, att]), fc.boolean(), (b, legacy) => {
          typedOrResult(() => parseStatement(b, { legacyStringPredicate: legacy }));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'the Rekor bundle annotation (parseRekorBundleAnnotation)',
    () => {
      const spec = real.specExampleRekorBundle;
      const annotation = {
        SignedEntryTimestamp: spec.signedEntryTimestamp,
        Payload: json(spec.canonicalJson),
      };
      fc.assert(
        fc.property(hostileBytes([annotation]), (b) => {
          typedOrResult(() => parseRekorBundleAnnotation(new TextDecoder().decode(b)));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'the signature layers reader (signatureLayersOf) and parseSignatureConfig',
    () => {
      const manifest = json(real.classicTagSignature.manifest);
      const config = json(real.classicTagSignature.configBlob);
      fc.assert(
        fc.property(mutatedDocument([manifest]), hostileBytes([config]), (m, c) => {
          typedOrResult(() => signatureLayersOf(m as Parameters<typeof signatureLayersOf>[0]));
          typedOrResult(() => parseSignatureConfig(c));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('starts from documents that parse (so the mutations reach deep)', () => {
    expect(
      parseSimpleSigningPayload(new TextEncoder().encode(real.classicTagSignature.payload)),
    ).toBeTruthy();
    expect(parseBundle(real.newBundleReferrer.bundle).tlogEntries).toHaveLength(1);
    for (const b of keylessBundles)
      expect(() => typedOrResult(() => parseBundle(JSON.stringify(b)))).not.toThrow();
    expect(signatureLayersOf(json(real.classicTagSignature.manifest) as never)).toHaveLength(1);
  });
});
